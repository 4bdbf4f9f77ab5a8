import { describe, expect, it } from 'vitest';
import { CallManagerRateLimited, InvalidDeviceName, phoneAddressFor } from '../../src/callmanager/index.js';
import { parsePhoneAddress } from '../../src/phone/index.js';
import { sep, thrown, worlds } from './helpers.js';

const world = worlds();

describe('RisPort70 selectCmDeviceExt through the simulated call manager', () => {
  it('gives registered devices their IPv4 address, unregistered ones their status, and unknown names as unknown', async () => {
    const w = await world({
      sim: {
        devices: [
          { name: 'SEP001122AABBCC', ip: '10.1.2.3', description: 'Alice desk' },
          { name: 'SEP001122AABBCD', ip: '10.1.2.4', status: 'UnRegistered' },
        ],
      },
    });
    const states = await w.cm.risport.selectCmDeviceExt(['sep001122aabbcc', 'SEP001122AABBCD', 'SEP00000000FFFF']);
    expect(states.get('SEP001122AABBCC')).toMatchObject({ kind: 'registered', ip: '10.1.2.3', node: 'cucm-sub1', description: 'Alice desk' });
    expect(states.get('SEP001122AABBCD')).toMatchObject({ kind: 'unregistered', status: 'UnRegistered' });
    expect(states.get('SEP00000000FFFF')).toEqual({ kind: 'unknown', name: 'SEP00000000FFFF' });
    expect(w.sim.requests.at(-1)?.names).toEqual(['SEP001122AABBCC', 'SEP001122AABBCD', 'SEP00000000FFFF']);
  });

  it('trusts the entry with the newest TimeStamp when several nodes list a device', async () => {
    const w = await world({
      sim: {
        devices: [
          // The usual failover leftover: an older UnRegistered entry on the second node.
          { name: sep(1), ip: '10.0.0.1', otherNode: { status: 'UnRegistered', offsetSeconds: -3600 } },
          // The phone left: the second node's UnRegistered entry is the newer one.
          { name: sep(2), ip: '10.0.0.2', otherNode: { status: 'UnRegistered', offsetSeconds: 60 } },
        ],
      },
    });
    const states = await w.cm.risport.selectCmDeviceExt([sep(1), sep(2)]);
    expect(states.get(sep(1))).toMatchObject({ kind: 'registered', ip: '10.0.0.1', node: 'cucm-sub1' });
    expect(states.get(sep(2))).toMatchObject({ kind: 'unregistered', status: 'UnRegistered', node: 'cucm-sub2' });
  });

  it('splits more than 1000 names into queries of at most 1000', async () => {
    const w = await world({ sim: { devices: [{ name: sep(1500), ip: '10.9.9.9' }] } });
    const names = Array.from({ length: 1500 }, (_, i) => sep(i + 1));
    const states = await w.cm.risport.selectCmDeviceExt(names);
    expect(states.size).toBe(1500);
    expect(states.get(sep(1500))).toMatchObject({ kind: 'registered', ip: '10.9.9.9' });
    expect(w.sim.requests.map((r) => r.names?.length)).toEqual([1000, 500]);
    expect(w.cm.risport.queries).toBe(2);
  });

  it('never sends more than risPerMinute queries in a sliding minute, and sends again a minute later', async () => {
    const w = await world({ client: { risPerMinute: 3 }, sim: { devices: [{ name: sep(1), ip: '10.0.0.1' }] } });
    for (let i = 0; i < 3; i++) await w.cm.risport.selectCmDeviceExt([sep(1)]);
    const err = await thrown(w.cm.risport.selectCmDeviceExt([sep(1)]));
    expect(err).toBeInstanceOf(CallManagerRateLimited);
    expect((err as CallManagerRateLimited).by).toBe('local');
    expect(w.sim.requests).toHaveLength(3);
    w.advance(60_001);
    await w.cm.risport.selectCmDeviceExt([sep(1)]);
    expect(w.sim.requests).toHaveLength(4);
  });

  it('refuses a name that is not a device name before sending anything', async () => {
    const w = await world();
    expect(await thrown(w.cm.risport.selectCmDeviceExt(['SEP00112233<x>']))).toBeInstanceOf(InvalidDeviceName);
    expect(w.sim.requests).toHaveLength(0);
  });
});

describe('phoneAddressFor', () => {
  it('builds the address the phone client parses from the scheme and port settings', () => {
    const address = phoneAddressFor('127.0.0.7', { phoneScheme: 'http', phonePort: 18080 });
    expect(address).toBe('http://127.0.0.7:18080');
    expect(parsePhoneAddress(address)).toMatchObject({ host: '127.0.0.7', port: 18080, scheme: 'http' });
  });
});
