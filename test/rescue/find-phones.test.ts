/**
 * Finding people's phones through the call manager: the use cases on the simulated call manager over
 * real HTTP and a real SQLite store (no mock of our own).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CallManager } from '../../src/callmanager/index.js';
import { deskPhonesFor, forgetPhone, prepareOwnPhone, registerFoundPhone, syncFromCallManager } from '../../src/rescue/index.js';
import { SIM_CUCM_PASSWORD, type SimCucmOptions, type SimulatedCallManager } from '../../src/sim/cucm/index.js';
import { ALICE, attempt, BOB, ME, startWorld, TEAM, USE_CASES, type World } from '../support/world.js';

const SHARED = { PHONE_DEFAULT_USERNAME: 'office', PHONE_DEFAULT_PASSWORD: 'office-SECRET-91f' };
const ALICE_PHONE = 'SEP0011223344AA';
const ME_PHONE = 'SEP0011223344BB';

interface CmWorld {
  w: World;
  sim: SimulatedCallManager;
  cm: CallManager;
}

const open: World[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
});

function people(): SimCucmOptions {
  return {
    users: [
      { userid: 'alice', mailid: 'Alice@Example.com' },
      { userid: 'me', mailid: 'me@example.com' },
      { userid: 'two', mailid: 'two@example.com' },
      { userid: 'soft', mailid: 'soft@example.com' },
    ],
    devices: [
      { name: ALICE_PHONE, owner: 'alice', description: 'Alice desk', model: 'Cisco 8845', ip: '127.0.0.21' },
      { name: 'CSFALICE', associated: ['alice'], model: 'Cisco Unified Client Services Framework' },
      { name: ME_PHONE, associated: ['me'], description: 'My desk', ip: '127.0.0.22', status: 'UnRegistered' },
      { name: 'SEP0011223344C1', owner: 'two' },
      { name: 'SEP0011223344C2', associated: ['two'] },
      { name: 'TCTSOFT', owner: 'soft' },
    ],
  };
}

async function world(o: { sim?: SimCucmOptions; env?: Record<string, string> } = {}): Promise<CmWorld> {
  const w = await startWorld({ ...USE_CASES, env: { ...SHARED, ...o.env }, callManager: { ...people(), ...o.sim } });
  open.push(w);
  return { w, sim: w.cucm, cm: w.rescue.callManager! };
}

const person = (userId: string, email?: string) => ({ teamId: TEAM, userId, ...(email !== undefined ? { email } : {}) });

describe('deskPhonesFor', () => {
  it('lists the person\'s devices by e-mail in any case, softphones shown but not offered, registration from one RisPort query', async () => {
    const { w, sim } = await world();
    const found = await deskPhonesFor(w.rescue, person(ALICE, 'alice@EXAMPLE.com'));
    expect(found.found).toBe(true);
    if (!found.found) return;
    expect(found.userid).toBe('alice');
    expect(found.devices).toEqual([
      { name: 'CSFALICE', kind: 'softphone', model: 'Cisco Unified Client Services Framework', description: '', offered: false },
      { name: ALICE_PHONE, kind: 'desk-phone', model: 'Cisco 8845', description: 'Alice desk', offered: true, registered: true },
    ]);
    expect(found.deskPhones.map((d) => d.name)).toEqual([ALICE_PHONE]);
    expect(sim.requests.filter((r) => r.api === 'RisPort70')).toHaveLength(1);
  });

  it('says a desk phone is not registered, and lists several', async () => {
    const { w } = await world();
    const mine = await deskPhonesFor(w.rescue, person(ME, 'me@example.com'));
    expect(mine.found && mine.deskPhones[0]?.registered).toBe(false);
    const two = await deskPhonesFor(w.rescue, person(BOB, 'two@example.com'));
    expect(two.found && two.deskPhones.map((d) => d.name)).toEqual(['SEP0011223344C1', 'SEP0011223344C2']);
  });

  it('gives the reason when there is nothing to offer: softphone only, no user, no e-mail, call manager down', async () => {
    const { w, sim } = await world();
    const soft = await deskPhonesFor(w.rescue, person(BOB, 'soft@example.com'));
    expect(soft).toMatchObject({ found: false, reason: 'no-desk-phone', devices: [{ name: 'TCTSOFT', offered: false }] });
    expect(await deskPhonesFor(w.rescue, person(BOB, 'nobody@example.com'))).toMatchObject({ found: false, reason: 'no-user' });
    expect(await deskPhonesFor(w.rescue, person(BOB))).toMatchObject({ found: false, reason: 'no-email' });
    await sim.setFaults({ unauthorized: true });
    const down = await deskPhonesFor(w.rescue, person(BOB, 'soft@example.com'));
    expect(down).toMatchObject({ found: false, reason: 'call-manager-error' });
    expect(down.found ? '' : down.message).toMatch(/CUCM_USERNAME/);
    expect(w.logs.text()).not.toContain(SIM_CUCM_PASSWORD);
  });
});

describe('registerFoundPhone', () => {
  it('registers the person\'s desk phone by device name with the shared account, found via the call manager', async () => {
    const { w } = await world();
    const reg = await registerFoundPhone(w.rescue, { ...person(ALICE, 'alice@example.com'), device: ALICE_PHONE.toLowerCase() });
    expect(reg).toMatchObject({ address: ALICE_PHONE, source: 'callmanager' });
    expect(reg.username).toBeUndefined();
    expect(reg.password).toBeUndefined();
  });

  it('switching from a phone typed by hand: the shared account replaces the old own password, other settings kept', async () => {
    const { w } = await world();
    const phone = await w.phone();
    await w.register(ALICE, phone, { rings: 2, permission: 'only_me' });
    const reg = await registerFoundPhone(w.rescue, { ...person(ALICE, 'alice@example.com'), device: ALICE_PHONE });
    expect(reg).toMatchObject({ address: ALICE_PHONE, rings: 2, permission: 'only_me', source: 'callmanager' });
    expect(reg.password).toBeUndefined();
    expect(reg.username).toBeUndefined();
    expect((await w.store.directory.get({ teamId: TEAM, userId: ALICE }))?.password).toBeUndefined();
  });

  it('refuses a desk phone that is not the person\'s (a crafted button) and saves nothing', async () => {
    const { w } = await world();
    await expect(registerFoundPhone(w.rescue, { ...person(BOB, 'me@example.com'), device: ALICE_PHONE })).rejects.toMatchObject({ code: 'FoundPhoneNotYours' });
    expect(await w.store.directory.get({ teamId: TEAM, userId: BOB })).toBeUndefined();
  });

  it('asks for the phone password when the office has no shared account', async () => {
    const { w } = await world({ env: { PHONE_DEFAULT_USERNAME: '', PHONE_DEFAULT_PASSWORD: '' } });
    await expect(registerFoundPhone(w.rescue, { ...person(ALICE, 'alice@example.com'), device: ALICE_PHONE })).rejects.toMatchObject({ code: 'InvalidSettings' });
  });
});

describe('prepareOwnPhone (before a person\'s own /rescue)', () => {
  it('registers the one desk phone of someone who registered nothing', async () => {
    const { w } = await world();
    expect(await prepareOwnPhone(w.rescue, person(ALICE, 'alice@example.com'))).toEqual({ kind: 'registered', device: ALICE_PHONE, model: 'Cisco 8845' });
    expect((await w.store.directory.get({ teamId: TEAM, userId: ALICE }))?.source).toBe('callmanager');
    // Next time: nothing to do.
    expect(await prepareOwnPhone(w.rescue, person(ALICE, 'alice@example.com'))).toEqual({ kind: 'none' });
  });

  it('does not register again the phone of someone who removed theirs (Forget)', async () => {
    const { w } = await world();
    await registerFoundPhone(w.rescue, { ...person(ALICE, 'alice@example.com'), device: ALICE_PHONE });
    await forgetPhone(w.rescue, { teamId: TEAM, userId: ALICE });
    expect(await prepareOwnPhone(w.rescue, person(ALICE, 'alice@example.com'))).toEqual({ kind: 'none' });
    expect(await w.store.directory.get({ teamId: TEAM, userId: ALICE })).toBeUndefined();
  });

  it('does not guess between several desk phones, and leaves a phone typed by hand alone', async () => {
    const { w } = await world();
    expect(await prepareOwnPhone(w.rescue, person(BOB, 'two@example.com'))).toEqual({ kind: 'none' });
    expect(await w.store.directory.get({ teamId: TEAM, userId: BOB })).toBeUndefined();
    const phone = await w.phone();
    await w.register(ALICE, phone);
    expect(await prepareOwnPhone(w.rescue, person(ALICE, 'alice@example.com'))).toEqual({ kind: 'none' });
    expect((await w.store.directory.get({ teamId: TEAM, userId: ALICE }))?.address).toBe(phone.address);
  });
});

describe('a phone an operator found is not rung by a colleague before its owner confirmed it', () => {
  it('/rescue @alice for someone who set up nothing: not registered, nothing saved for Alice', async () => {
    const { w } = await world();
    expect((await attempt(w, { requesterId: BOB, targetId: ALICE })).result).toBe('NotRegistered');
    expect(await w.store.directory.get({ teamId: TEAM, userId: ALICE })).toBeUndefined();
  });

  it('refuses a colleague on a synced (unconfirmed) phone with today\'s message; the owner\'s own use confirms it', async () => {
    const { w } = await world();
    await syncFromCallManager(w.rescue, { teamId: TEAM, people: [{ userId: ALICE, email: 'alice@example.com' }], apply: true, replace: false, actorId: 'cli' });
    expect((await w.store.directory.get({ teamId: TEAM, userId: ALICE }))?.source).toBe('callmanager-unconfirmed');
    const refused = await attempt(w, { requesterId: BOB, targetId: ALICE });
    expect(refused.result).toBe('NotRegistered');
    expect(refused.hint).toMatch(/not registered a desk phone yet/);
    expect(await prepareOwnPhone(w.rescue, person(ALICE, 'alice@example.com'))).toEqual({ kind: 'confirmed', device: ALICE_PHONE });
    expect((await w.store.directory.get({ teamId: TEAM, userId: ALICE }))?.source).toBe('callmanager');
    expect((await attempt(w, { requesterId: BOB, targetId: ALICE })).result).not.toBe('NotRegistered');
  });
});

describe('syncFromCallManager on a workspace of 1,000 people', () => {
  const N = 1000;
  function bigDirectory(): SimCucmOptions {
    const users = [];
    const devices = [];
    for (let i = 0; i < N; i++) {
      users.push({ userid: `u${i}`, mailid: `P${i}@Example.com` });
      const mac = i.toString(16).toUpperCase().padStart(12, '0');
      if (i % 10 === 1) continue; // no desk phone
      devices.push({ name: `SEP${mac}`, owner: `u${i}` });
      if (i % 10 === 2) devices.push({ name: `SEPF${mac.slice(1)}`, associated: [`u${i}`] }); // several
    }
    return { users, devices };
  }
  const slackPeople = Array.from({ length: N }, (_, i) => ({ userId: `U${String(i).padStart(5, '0')}`, ...(i === 999 ? {} : { email: i === 998 ? 'stranger@example.com' : `p${i}@example.com` }) }));

  it('dry run counts, --apply in one transaction with one audit entry, hand-made kept unless --replace', async () => {
    const { w, sim } = await world({ sim: bigDirectory() });
    const phone = await w.phone();
    await w.register('U00000', phone); // by hand
    const dry = await syncFromCallManager(w.rescue, { teamId: TEAM, people: slackPeople, apply: false, replace: false, actorId: 'cli' });
    // 1000 people: 0..997 matched; of them every 10th from 1 has no desk phone, from 2 has two.
    expect(dry.counts).toMatchObject({ 'new': 797, 'kept-manual': 1, 'no-desk-phone': 100, 'several-desk-phones': 100, 'no-call-manager-user': 1, 'no-email': 1, unchanged: 0 });
    expect(dry.applied).toBe(false);
    expect(await w.store.directory.count()).toBe(1);
    expect(sim.requests.filter((r) => r.api === 'AXL').length).toBeLessThanOrEqual(4);

    const auditBefore = (await w.store.audit.query({ teamId: TEAM })).length;
    const applied = await syncFromCallManager(w.rescue, { teamId: TEAM, people: slackPeople, apply: true, replace: false, actorId: 'cli' });
    expect(applied.counts.new).toBe(797);
    expect(await w.store.directory.count()).toBe(798);
    expect((await w.store.audit.query({ teamId: TEAM })).length).toBe(auditBefore + 1);
    expect((await w.store.directory.get({ teamId: TEAM, userId: 'U00000' }))?.address).toBe(phone.address);

    const again = await syncFromCallManager(w.rescue, { teamId: TEAM, people: slackPeople, apply: true, replace: true, actorId: 'cli' });
    expect(again.counts).toMatchObject({ 'new': 0, unchanged: 797, replaced: 1 });
    expect((await w.store.directory.get({ teamId: TEAM, userId: 'U00000' }))).toMatchObject({ address: 'SEP000000000000', source: 'callmanager-unconfirmed' });
  });

  it('refuses --apply without the shared phone account, saving nothing', async () => {
    const { w } = await world({ env: { PHONE_DEFAULT_USERNAME: '', PHONE_DEFAULT_PASSWORD: '' } });
    await expect(syncFromCallManager(w.rescue, { teamId: TEAM, people: slackPeople.slice(0, 5), apply: true, replace: false, actorId: 'cli' })).rejects.toMatchObject({ code: 'SyncNeedsSharedAccount' });
    expect(await w.store.directory.count()).toBe(0);
  });
});
