import { describe, expect, it } from 'vitest';
import { CallManagerRateLimited, CallManagerUnreachable, DeviceNotRegistered, DeviceUnknown } from '../../src/callmanager/index.js';
import { sep, thrown, worlds } from './helpers.js';

const world = worlds();

describe('AddressResolver: device name → address within RisPort\'s limits', () => {
  it('500 lookups of 500 different names started at once make at most 2 RisPort queries', async () => {
    const devices = Array.from({ length: 500 }, (_, i) => ({ name: sep(i + 1), ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
    const w = await world({ sim: { devices } });
    const results = await Promise.all(devices.map((d) => w.cm.resolver.lookup(d.name.toLowerCase())));
    expect(results.map((r) => r.ip)).toEqual(devices.map((d) => d.ip));
    expect(results.every((r) => r.source === 'risport')).toBe(true);
    expect(w.sim.risAnswered).toBeGreaterThanOrEqual(1);
    expect(w.sim.risAnswered).toBeLessThanOrEqual(2);
    // Then from the cache: no query at all.
    await Promise.all(devices.map((d) => w.cm.resolver.lookup(d.name)));
    expect(w.sim.risAnswered).toBeLessThanOrEqual(2);
  });

  it('a burst spread over time: lookups arriving after a query went wait for the next one, so 500 make 2 queries', async () => {
    const devices = Array.from({ length: 500 }, (_, i) => ({ name: sep(i + 1), ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
    const burst = async (w: Awaited<ReturnType<typeof world>>) => {
      await Promise.all(devices.slice(0, 250).map((d) => w.cm.resolver.lookup(d.name)));
      // The second half arrives in five groups, each after the batch window of the one before.
      const later: Promise<unknown>[] = [];
      for (let g = 0; g < 5; g++) {
        later.push(...devices.slice(250 + g * 50, 300 + g * 50).map((d) => w.cm.resolver.lookup(d.name)));
        await new Promise((r) => setTimeout(r, 25));
      }
      await Promise.all(later);
    };
    const spaced = await world({ sim: { devices }, deps: { minQueryIntervalMs: 5_000 } });
    await burst(spaced);
    expect(spaced.sim.risAnswered).toBe(2);
    // Without the spacing the same burst spends a query per group.
    const unspaced = await world({ sim: { devices }, client: { risPerMinute: 15 } });
    await burst(unspaced);
    expect(unspaced.sim.risAnswered).toBeGreaterThan(2);
  });

  it('one query for the same name asked many times at once', async () => {
    const w = await world({ sim: { devices: [{ name: sep(1), ip: '10.0.0.1' }] } });
    const all = await Promise.all(Array.from({ length: 20 }, () => w.cm.resolver.lookup(sep(1))));
    expect(new Set(all.map((r) => r.ip))).toEqual(new Set(['10.0.0.1']));
    expect(w.sim.risAnswered).toBe(1);
  });

  it('caches for addressCacheSeconds, then asks again', async () => {
    const w = await world({ client: { addressCacheSeconds: 300 }, sim: { devices: [{ name: sep(1), ip: '10.0.0.1' }] } });
    expect((await w.cm.resolver.lookup(sep(1))).source).toBe('risport');
    w.advance(299_000);
    expect((await w.cm.resolver.lookup(sep(1))).source).toBe('cache');
    w.advance(2_000);
    expect((await w.cm.resolver.lookup(sep(1))).source).toBe('risport');
    expect(w.sim.risAnswered).toBe(2);
  });

  it('a phone that moved: the cache still says the old address, refresh asks RisPort and gives the new one', async () => {
    const w = await world({ sim: { devices: [{ name: sep(1), ip: '10.0.0.1' }] } });
    expect((await w.cm.resolver.lookup(sep(1))).ip).toBe('10.0.0.1');
    w.sim.moveDevice(sep(1), '10.0.0.77');
    w.advance(1_000);
    expect((await w.cm.resolver.lookup(sep(1))).ip).toBe('10.0.0.1');
    const fresh = await w.cm.resolver.refresh(sep(1));
    expect(fresh).toMatchObject({ ip: '10.0.0.77', source: 'risport' });
    expect((await w.cm.resolver.lookup(sep(1))).ip).toBe('10.0.0.77');
    expect(w.sim.risAnswered).toBe(2);
  });

  it('RisPort down: a last known address younger than staleAddressSeconds serves; an older one does not', async () => {
    const w = await world({ client: { addressCacheSeconds: 300, staleAddressSeconds: 3_600 }, sim: { devices: [{ name: sep(1), ip: '10.0.0.1' }] } });
    await w.cm.resolver.lookup(sep(1));
    await w.sim.setFaults({ down: true });
    w.advance(301_000);
    const stale = await w.cm.resolver.lookup(sep(1));
    expect(stale).toMatchObject({ ip: '10.0.0.1', source: 'stale' });
    expect(stale.seenAt.getTime()).toBe(w.clock().getTime() - 301_000);
    w.advance(3_300_000);
    expect(await thrown(w.cm.resolver.lookup(sep(1)))).toBeInstanceOf(CallManagerUnreachable);
    expect(w.logs.text()).toContain('using the last known address');
  });

  it('over the rate (RisPort\'s fault, or the local budget): the young last known address serves, else CallManagerRateLimited', async () => {
    const w = await world({ client: { risPerMinute: 2, addressCacheSeconds: 60 }, sim: { devices: [{ name: sep(1), ip: '10.0.0.1' }, { name: sep(2), ip: '10.0.0.2' }] } });
    await w.cm.resolver.lookup(sep(1));
    await w.sim.setFaults({ rateLimited: true });
    w.advance(61_000);
    expect(await w.cm.resolver.lookup(sep(1))).toMatchObject({ ip: '10.0.0.1', source: 'stale' });
    const never = await thrown(w.cm.resolver.lookup(sep(2)));
    expect(never).toBeInstanceOf(CallManagerRateLimited);
    // Two queries in this minute already: the local budget refuses without sending.
    await w.sim.setFaults({ rateLimited: false });
    const sent = w.sim.requests.length;
    const local = await thrown(w.cm.resolver.lookup(sep(2)));
    expect((local as CallManagerRateLimited).by).toBe('local');
    expect(w.sim.requests.length).toBe(sent);
  });

  it('a client with risPerMinute 10 never sends more than 10 queries in a sliding minute however it is asked', async () => {
    const devices = Array.from({ length: 40 }, (_, i) => ({ name: sep(i + 1), ip: `10.0.0.${i + 1}` }));
    const w = await world({ client: { risPerMinute: 10 }, sim: { devices } });
    for (let i = 0; i < 40; i++) {
      await w.cm.resolver.lookup(sep(i + 1)).catch(() => undefined);
      w.advance(2_000);
      expect(w.sim.risQueriesInLastMinute()).toBeLessThanOrEqual(10);
    }
    expect(w.sim.risRefused).toBe(0);
    expect(w.sim.risAnswered).toBeGreaterThanOrEqual(10);
  });

  it('unregistered and unknown devices are said plainly, and forget the cached address', async () => {
    const w = await world({ sim: { devices: [{ name: sep(1), ip: '10.0.0.1' }] } });
    await w.cm.resolver.lookup(sep(1));
    w.sim.setStatus(sep(1), 'UnRegistered');
    const err = await thrown(w.cm.resolver.refresh(sep(1)));
    expect(err).toBeInstanceOf(DeviceNotRegistered);
    expect((err as DeviceNotRegistered).hint).toContain(`Your phone ${sep(1)} is not registered with the call manager: is it plugged in?`);
    expect(w.cm.resolver.lastKnown(sep(1))).toBeUndefined();
    expect(await thrown(w.cm.resolver.lookup(sep(99)))).toBeInstanceOf(DeviceUnknown);
  });
});
