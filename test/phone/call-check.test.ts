/** Never ring during a real call: the StreamingStatisticsX check before each Play, over the simulator. */
import { describe, expect, it } from 'vitest';
import type { SimPhone } from '../../src/sim/index.js';
import { ring } from '../../src/phone/ring.js';
import { CallCheckMemory, PhoneInCall, checkCall, inCallNotice } from '../../src/phone/call-check.js';
import { PhoneUnreachable } from '../../src/phone/errors.js';
import { phoneOf, rawServer, simPhones, testClient } from './helpers.js';

const { sim, closers } = simPhones();

const checks = (phone: SimPhone) => phone.requests.filter((q) => q.path.startsWith('/StreamingStatisticsX'));
const plays = (phone: SimPhone) => phone.requests.filter((q) => q.path === '/CGI/Execute');
const log = (phone: SimPhone) => phone.requests.map((q) => `${q.method} ${q.path}`);

const PLAY_OK = '<CiscoIPPhoneResponse><ResponseItem URL="Play:Classic1.raw" Data="Success" Status="0"/></CiscoIPPhoneResponse>';

describe('call check before each Play', () => {
  it('does not ring a phone that is on a call: PhoneInCall, no Play sent', async () => {
    const phone = await sim({ onCall: true });
    const err = await ring(testClient(), phoneOf(phone), { intervalMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneInCall);
    expect((err as PhoneInCall).code).toBe('PhoneInCall');
    expect((err as PhoneInCall).message).toBe(`Phone ${phone.url} is on a call; not ringing`);
    expect((err as PhoneInCall).hint).toMatch(/on a call.*Try again when the call is over/);
    expect(plays(phone)).toHaveLength(0);
    expect(phone.played).toEqual([]);
    expect(log(phone)).toEqual(['GET /StreamingStatisticsX?1']);
    expect(inCallNotice('Alice')).toBe('Alice is on a call; not ringing.');
  });

  it('rings a phone that is not on a call, asking before each Play, without sending the password', async () => {
    const phone = await sim();
    const r = await ring(testClient(), phoneOf(phone), { rings: 2, intervalMs: 0 });
    expect(r).toEqual({ completed: 2, requested: 2, aborted: false });
    expect(log(phone)).toEqual(['GET /StreamingStatisticsX?1', 'POST /CGI/Execute', 'GET /StreamingStatisticsX?1', 'POST /CGI/Execute']);
    expect(checks(phone).map((q) => q.headers.authorization)).toEqual([undefined, undefined]);
    expect(phone.played).toEqual(['Classic1.raw', 'Classic1.raw']);
  });

  it('stops the remaining rings when a call starts between rings, and says how many rang', async () => {
    const phone = await sim();
    const r = await ring(testClient(), phoneOf(phone), {
      rings: 4,
      intervalMs: 0,
      onProgress: (p) => {
        if (p.ring === 2) phone.setOnCall(true);
      },
    });
    expect(r).toEqual({ completed: 2, requested: 4, aborted: false, interruptedByCall: true });
    expect(phone.played).toEqual(['Classic1.raw', 'Classic1.raw']);
    expect(log(phone).at(-1)).toBe('GET /StreamingStatisticsX?1');
  });

  it('rings anyway when the model has no StreamingStatisticsX, and does not ask that phone again', async () => {
    const phone = await sim({ noStreamingStats: true });
    const client = testClient();
    const first = await ring(client, phoneOf(phone), { rings: 3, intervalMs: 0 });
    expect(first).toEqual({ completed: 3, requested: 3, aborted: false, callCheck: 'unsupported' });
    expect(log(phone)).toEqual(['GET /StreamingStatisticsX?1', 'POST /CGI/Execute', 'POST /CGI/Execute', 'POST /CGI/Execute']);

    phone.clearRequests();
    const second = await ring(client, phoneOf(phone), { rings: 2, intervalMs: 0 });
    expect(second).toEqual({ completed: 2, requested: 2, aborted: false, callCheck: 'unsupported' });
    expect(checks(phone)).toHaveLength(0);
    expect(plays(phone)).toHaveLength(2);

    // The memory belongs to the client: another client asks once itself.
    phone.clearRequests();
    await ring(testClient(), phoneOf(phone), { rings: 1 });
    expect(checks(phone)).toHaveLength(1);
  });

  it('a memory passed in is used, and forgets after its time to live', async () => {
    const phone = await sim({ noStreamingStats: true });
    let now = 1_000_000;
    const memory = new CallCheckMemory({ ttlMs: 60_000, now: () => now });
    await ring(testClient(), phoneOf(phone), { rings: 1, callCheckMemory: memory });
    expect(memory.isUnsupported(phone.url)).toBe(true);
    await ring(testClient(), phoneOf(phone), { rings: 1, callCheckMemory: memory });
    expect(checks(phone)).toHaveLength(1);
    now += 60_001;
    await ring(testClient(), phoneOf(phone), { rings: 1, callCheckMemory: memory });
    expect(checks(phone)).toHaveLength(2);
  });

  it('the memory keeps at most maxEntries phones, forgetting the oldest', () => {
    const memory = new CallCheckMemory({ maxEntries: 2 });
    memory.markUnsupported('a');
    memory.markUnsupported('b');
    memory.markUnsupported('c');
    expect([memory.isUnsupported('a'), memory.isUnsupported('b'), memory.isUnsupported('c')]).toEqual([false, true, true]);
    memory.forget('b');
    expect(memory.size).toBe(1);
  });

  it('callCheck: false sends no StreamingStatisticsX request (and rings even during a call)', async () => {
    const phone = await sim({ onCall: true });
    const r = await ring(testClient(), phoneOf(phone), { rings: 2, intervalMs: 0, callCheck: false });
    expect(r).toEqual({ completed: 2, requested: 2, aborted: false });
    expect(checks(phone)).toHaveLength(0);
    expect(phone.played).toHaveLength(2);
  });

  it.each([
    ['401', 401, 'text/html', '<html>Unauthorized</html>'],
    ['an HTML page', 200, 'text/html', '<html><body>Streaming 1</body></html>'],
    ['another XML object', 200, 'text/xml', '<DeviceInformation><HostName>SEP1</HostName></DeviceInformation>'],
    ['HTTP 500', 500, 'text/plain', 'oops'],
  ])('an answer of %s is "unsupported": rung anyway and remembered', async (_name, status, type, body) => {
    const server = await rawServer((req, res) => {
      if (req.method === 'GET') res.writeHead(status, { 'content-type': type }).end(body);
      else res.writeHead(200, { 'content-type': 'text/xml' }).end(PLAY_OK);
    });
    closers.push(server.close);
    const client = testClient();
    const phone = { address: server.url, credentials: { username: 'u', password: 'p' }, modern: true };
    expect(await ring(client, phone, { rings: 2, intervalMs: 0 })).toEqual({ completed: 2, requested: 2, aborted: false, callCheck: 'unsupported' });
    expect(await checkCall(client, phone)).toBe('unsupported');
    expect(server.requests).toHaveLength(3); // one check, two Plays; the checkCall above answered from memory
  });

  it('a check that does not answer within its own budget is "inconclusive": rung anyway, not asked again in this ring, not remembered', async () => {
    let gets = 0;
    const server = await rawServer((req, res) => {
      if (req.method === 'GET') gets++; // never answered
      else res.writeHead(200, { 'content-type': 'text/xml' }).end(PLAY_OK);
    });
    closers.push(server.close);
    const client = testClient();
    const phone = { address: server.url, credentials: { username: 'u', password: 'p' }, modern: true };
    const r = await ring(client, phone, { rings: 3, intervalMs: 0, callCheckTimeoutMs: 50 });
    expect(r).toEqual({ completed: 3, requested: 3, aborted: false, callCheck: 'inconclusive' });
    expect(gets).toBe(1);
    await ring(client, phone, { rings: 1, callCheckTimeoutMs: 50 });
    expect(gets).toBe(2);
  });

  it('an unreachable phone fails at the check with the usual error, nothing else is tried', async () => {
    const phone = await sim();
    const target = phoneOf(phone);
    await phone.setFault('webAccessDisabled', true);
    await expect(ring(testClient(), target, { rings: 3, intervalMs: 0 })).rejects.toBeInstanceOf(PhoneUnreachable);
  });

  it('an abort during the check stops the ring before any Play', async () => {
    const phone = await sim({ faults: { slowMs: 60_000 } });
    const ac = new AbortController();
    const done = ring(testClient(), phoneOf(phone), { rings: 2, signal: ac.signal, callCheckTimeoutMs: 600_000 });
    while (phone.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await expect(done).resolves.toEqual({ completed: 0, requested: 2, aborted: true });
    expect(plays(phone)).toHaveLength(0);
  });

  it('checkCall reports idle and in-call from the simulator switch', async () => {
    const phone = await sim();
    const client = testClient();
    expect(await checkCall(client, phoneOf(phone))).toBe('idle');
    phone.setOnCall(true);
    expect(await checkCall(client, phoneOf(phone))).toBe('in-call');
    phone.setOnCall(false);
    expect(await checkCall(client, phoneOf(phone))).toBe('idle');
  });
});
