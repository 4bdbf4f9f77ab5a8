import { describe, expect, it } from 'vitest';
import type { SimPhone } from '../../src/sim/index.js';
import { ring } from '../../src/phone/ring.js';
import { InvalidTone, PhoneAuthFailed, PhoneRejected, ToneDenied } from '../../src/phone/errors.js';
import type { RingProgress } from '../../src/phone/types.js';
import { phoneOf, simPhones, testClient } from './helpers.js';

/** The Execute requests only (the call check adds a GET before each Play). */
const executes = (phone: SimPhone) => phone.requests.filter((q) => q.path === '/CGI/Execute');

const { sim } = simPhones();

describe('ring', () => {
  it('plays the default tone 3 times with Priority 2 and reports progress after each ring', async () => {
    const phone = await sim();
    const progress: RingProgress[] = [];
    const r = await ring(testClient(), phoneOf(phone), { intervalMs: 5, onProgress: (p) => progress.push(p) });
    expect(r).toEqual({ completed: 3, requested: 3, aborted: false });
    expect(phone.played).toEqual(['Classic1.raw', 'Classic1.raw', 'Classic1.raw']);
    expect(executes(phone).map((q) => q.items)).toEqual(Array(3).fill([{ url: 'Play:Classic1.raw', priority: 2 }]));
    // One call check right before each Play.
    expect(phone.requests.map((q) => `${q.method} ${q.path}`)).toEqual(Array(3).fill(['GET /StreamingStatisticsX?1', 'POST /CGI/Execute']).flat());
    expect(progress).toEqual([
      { ring: 1, of: 3 },
      { ring: 2, of: 3 },
      { ring: 3, of: 3 },
    ]);
  });

  it('honours tone, rings and priority', async () => {
    const phone = await sim();
    await ring(testClient(), phoneOf(phone), { tone: 'Chime.raw', rings: 2, intervalMs: 0, priority: 0 });
    expect(executes(phone).map((q) => q.items?.[0])).toEqual([
      { url: 'Play:Chime.raw', priority: 0 },
      { url: 'Play:Chime.raw', priority: 0 },
    ]);
  });

  it('stops promptly when aborted during the interval wait', async () => {
    const phone = await sim();
    const ac = new AbortController();
    const done = ring(testClient(), phoneOf(phone), {
      rings: 5,
      intervalMs: 60_000,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.ring === 1) ac.abort();
      },
    });
    await expect(done).resolves.toEqual({ completed: 1, requested: 5, aborted: true });
    expect(executes(phone)).toHaveLength(1);
  });

  it('stops when aborted in the middle of a Play', async () => {
    const phone = await sim({ toneTimeScale: 100 });
    const ac = new AbortController();
    const done = ring(testClient({ responseTimeoutMs: 600_000 }), phoneOf(phone), { rings: 3, intervalMs: 0, signal: ac.signal });
    while (executes(phone).length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await expect(done).resolves.toEqual({ completed: 0, requested: 3, aborted: true });
    expect(phone.played).toEqual([]);
  });

  it('stops at the first auth failure', async () => {
    const phone = await sim();
    await expect(ring(testClient(), phoneOf(phone, { credentials: { username: 'rescue', password: 'nope' } }), { intervalMs: 0 })).rejects.toBeInstanceOf(PhoneAuthFailed);
    expect(executes(phone)).toHaveLength(1);
  });

  it('stops at a tone the phone does not have', async () => {
    const phone = await sim();
    await expect(ring(testClient(), phoneOf(phone), { tone: 'Missing.raw', intervalMs: 0 })).rejects.toBeInstanceOf(PhoneRejected);
    expect(executes(phone)).toHaveLength(1);
  });

  it.each(['a"b.raw', '<x>.raw', 'x&y.raw'])('refuses the hostile tone %j before sending anything', async (tone) => {
    const phone = await sim();
    await expect(ring(testClient(), phoneOf(phone), { tone })).rejects.toBeInstanceOf(InvalidTone);
    expect(phone.requests).toHaveLength(0);
  });

  it('never sends Piano2.raw (deny list), nor a configured denied tone', async () => {
    const phone = await sim();
    await expect(ring(testClient(), phoneOf(phone), { tone: 'Piano2.raw' })).rejects.toBeInstanceOf(ToneDenied);
    await expect(ring(testClient(), phoneOf(phone), { tone: 'Pop.raw', toneRules: { denied: ['Pop.raw'] } })).rejects.toBeInstanceOf(ToneDenied);
    expect(phone.requests).toHaveLength(0);
  });

  it('validates rings and interval', async () => {
    const phone = await sim();
    await expect(ring(testClient(), phoneOf(phone), { rings: 0 })).rejects.toThrow(RangeError);
    await expect(ring(testClient(), phoneOf(phone), { rings: 2.5 })).rejects.toThrow(RangeError);
    await expect(ring(testClient(), phoneOf(phone), { intervalMs: -1 })).rejects.toThrow(RangeError);
  });
});
