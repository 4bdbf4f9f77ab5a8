import { describe, expect, it } from 'vitest';
import { AxlFault, CallManagerUserAmbiguous, UnusableEmail } from '../../src/callmanager/index.js';
import type { SimCucmDevice, SimCucmUser } from '../../src/sim/cucm/index.js';
import { sep, thrown, worlds } from './helpers.js';

const world = worlds();

const users: SimCucmUser[] = [
  { userid: 'alice', mailid: 'Alice.Smith@Example.COM' },
  { userid: 'bob', mailid: 'bob@example.com' },
  { userid: 'nophone', mailid: 'nophone@example.com' },
];
const devices: SimCucmDevice[] = [
  // Controlled and owned: listed once.
  { name: 'sep001122aabbcc', description: 'Alice desk', owner: 'alice', associated: ['alice'], ip: '10.0.0.1' },
  // Owned only (Owner User ID), no controlled-device association.
  { name: 'SEP001122AABB00', model: 'Cisco 7841', description: 'Alice lab', owner: 'alice' },
  { name: 'CSFALICE', description: 'Alice Jabber', associated: ['alice'] },
  { name: 'BOTALICE', associated: ['alice'] },
  { name: 'TCTALICE', owner: 'alice' },
  { name: 'TABALICE', owner: 'alice' },
  { name: 'ATA001122AABB01', associated: ['alice'] },
  { name: 'SEP0011223344FF', description: 'Bob desk', associated: ['bob'] },
];

describe('AXL: the call-manager user by e-mail, and their devices', () => {
  it('finds the user whatever the case of the e-mail, with controlled and owned devices classified', async () => {
    const w = await world({ sim: { users, devices } });
    const alice = await w.cm.axl.findUserByEmail('ALICE.smith@example.com');
    expect(alice?.userid).toBe('alice');
    expect(alice?.mailid).toBe('Alice.Smith@Example.COM');
    expect(alice?.devices).toEqual([
      { name: 'ATA001122AABB01', kind: 'other', model: 'Cisco ATA 191', description: '' },
      { name: 'BOTALICE', kind: 'softphone', model: 'Cisco Dual Mode for Android', description: '' },
      { name: 'CSFALICE', kind: 'softphone', model: 'Cisco Unified Client Services Framework', description: 'Alice Jabber' },
      { name: 'SEP001122AABB00', kind: 'desk-phone', model: 'Cisco 7841', description: 'Alice lab' },
      { name: 'SEP001122AABBCC', kind: 'desk-phone', model: 'Cisco 8845', description: 'Alice desk' },
      { name: 'TABALICE', kind: 'softphone', model: 'Cisco Jabber for Tablet', description: '' },
      { name: 'TCTALICE', kind: 'softphone', model: 'Cisco Dual Mode for iPhone', description: '' },
    ]);
    // One query for the user, one for the devices, both executeSQLQuery on enduser.mailid.
    expect(w.sim.requests.map((r) => r.operation)).toEqual(['executeSQLQuery', 'executeSQLQuery']);
    expect(w.sim.requests[0]?.sql).toContain("lower(eu.mailid) = 'alice.smith@example.com'");
  });

  it('tells a user without devices from no user at all', async () => {
    const w = await world({ sim: { users, devices } });
    expect(await w.cm.axl.findUserByEmail('nophone@example.com')).toEqual({ userid: 'nophone', mailid: 'nophone@example.com', devices: [] });
    expect(await w.cm.axl.findUserByEmail('nobody@example.com')).toBeUndefined();
  });

  it('refuses an e-mail address with characters outside a plain address before any query', async () => {
    const w = await world({ sim: { users, devices } });
    for (const bad of ["x'or'1'='1@example.com", 'a b@example.com', 'a@b', 'a"@example.com', 'a\\@example.com', 'a;drop@example.com']) {
      expect(await thrown(w.cm.axl.findUserByEmail(bad))).toBeInstanceOf(UnusableEmail);
    }
    expect(w.sim.requests).toHaveLength(0);
  });

  it('will not guess between two users with the same e-mail address', async () => {
    const w = await world({ sim: { users: [...users, { userid: 'alice2', mailid: 'alice.smith@example.com' }], devices } });
    const err = await thrown(w.cm.axl.findUserByEmail('alice.smith@example.com'));
    expect(err).toBeInstanceOf(CallManagerUserAmbiguous);
    expect(err.message).toContain('alice, alice2');
  });

  it('passes on an AXL fault for SQL the call manager refuses, with its axlcode', async () => {
    const w = await world({ sim: { users, devices } });
    const err = await thrown(w.cm.axl.executeSqlQuery('select * from enduser eu where eu.mailid is not null'));
    expect(err).toBeInstanceOf(AxlFault);
    expect((err as AxlFault).axlCode).toBe(-217);
    const syntax = await thrown(w.cm.axl.executeSqlQuery('delete from enduser'));
    expect((syntax as AxlFault).axlCode).toBe(-201);
  });

  it('lists every user with an e-mail address and their devices, paging when AXL finds a query too large', async () => {
    const many: SimCucmUser[] = Array.from({ length: 120 }, (_, i) => ({ userid: `user${i}`, mailid: `user${i}@example.com` }));
    const phones: SimCucmDevice[] = many.map((u, i) => ({ name: sep(i + 1), owner: u.userid, associated: [u.userid] }));
    const w = await world({ sim: { users: [...many, { userid: 'nomail' }], devices: [...phones, { name: 'CSFUSER7', associated: ['user7'] }], maxAxlRows: 25 } });
    const all = await w.cm.axl.listUsersWithDevices({ pageSize: 100 });
    expect(all).toHaveLength(120);
    expect(all.find((u) => u.userid === 'nomail')).toBeUndefined();
    const u7 = all.find((u) => u.userid === 'user7');
    expect(u7?.devices.map((d) => [d.name, d.kind])).toEqual([
      ['CSFUSER7', 'softphone'],
      [sep(8), 'desk-phone'],
    ]);
    for (const [i, u] of many.entries()) expect(all.find((x) => x.userid === u.userid)?.devices.some((d) => d.name === sep(i + 1))).toBe(true);
    // Some queries were refused as too large and the pages shrank until they fitted.
    expect(w.sim.requests.some((r) => r.outcome === 'fault')).toBe(true);
  });

  it('lists a cluster of 1000 people in a few queries', async () => {
    const many: SimCucmUser[] = Array.from({ length: 1000 }, (_, i) => ({ userid: `p${String(i).padStart(4, '0')}`, mailid: `P${i}@Example.com` }));
    const phones: SimCucmDevice[] = many.map((u, i) => ({ name: sep(i + 1), associated: [u.userid] }));
    const w = await world({ sim: { users: many, devices: phones } });
    const all = await w.cm.axl.listUsersWithDevices();
    expect(all).toHaveLength(1000);
    expect(all.every((u) => u.devices.length === 1 && u.devices[0]!.kind === 'desk-phone')).toBe(true);
    expect(w.sim.requests.length).toBeLessThanOrEqual(3);
  });
});
