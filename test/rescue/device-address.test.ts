/**
 * Phones registered by device name (SEP...): found in the call manager at the moment of use. Through
 * the simulated call manager and simulated phones over real HTTP on loopback, a real SQLite store,
 * and the call manager wired as the bot wires it (connectCallManager).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRisBudget } from '../../src/callmanager/index.js';
import { phoneStatus, registerPhone, startRescue, StoreRisBudget, takeScreenshot } from '../../src/rescue/index.js';
import { SIM_CUCM_PASSWORD, type SimCucmOptions } from '../../src/sim/cucm/index.js';
import { ALICE, attempt, ME, PHONE_PASSWORD, PHONE_USER, startWorld, TEAM, USE_CASES, type World } from '../support/world.js';

const ALICE_PHONE = 'SEP00A11CE0F00D';
const MY_PHONE = 'SEP0000000000EE';
const MINUTE = 60_000;

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

async function world(o: { env?: Record<string, string>; cucm?: SimCucmOptions } = {}): Promise<World> {
  w = await startWorld({ ...USE_CASES, ...(o.env ? { env: o.env } : {}), callManager: { users: [{ userid: 'alice', mailid: 'alice@example.com' }], ...o.cucm } });
  return w;
}

/** Alice's phone, listed by the call manager at 127.0.0.41, registered by its device name (typed in lower case). */
async function alicesPhone(h: World) {
  const phone = await h.devicePhone({ name: ALICE_PHONE, owner: 'alice' }, 41, { username: PHONE_USER, password: PHONE_PASSWORD });
  await registerPhone(h.rescue, { teamId: TEAM, userId: ALICE, address: ALICE_PHONE.toLowerCase(), username: PHONE_USER, password: PHONE_PASSWORD });
  return phone;
}

const risQueries = (h: World) => h.cucm.requests.filter((r) => r.api === 'RisPort70').length;

/** A rescue's outcome with the words a person reads. */
async function rescueOf(h: World, targetId: string, extra: { once?: string } = {}): Promise<{ result: string; hint?: string }> {
  try {
    const outcome = await (await startRescue(h.rescue, { teamId: TEAM, requesterId: ME, targetId, ...extra })).done;
    return outcome.ok ? { result: 'ok' } : { result: `failed:${outcome.error.code}`, hint: outcome.error.hint };
  } catch (err) {
    const e = err as { code: string; hint: string };
    return { result: e.code, hint: e.hint };
  }
}

describe('a phone registered by device name', () => {
  it('is stored in capitals and rung at the address the call manager gives; the address is cached', async () => {
    const h = await world();
    const phone = await alicesPhone(h);
    expect((await h.store.directory.get({ teamId: TEAM, userId: ALICE }))?.address).toBe(ALICE_PHONE);
    expect(await rescueOf(h, ALICE)).toEqual({ result: 'ok' });
    expect(phone.played).toHaveLength(1);
    h.advance(3 * MINUTE); // past the cooldown, within CUCM_ADDRESS_CACHE_SECONDS (300 s)
    expect(await rescueOf(h, ALICE)).toEqual({ result: 'ok' });
    expect(phone.played).toHaveLength(2);
    expect(risQueries(h)).toBe(1);
  });

  it('that moved (DHCP) still rings: the cached address refuses, RisPort is asked once more, the new address rings', async () => {
    const h = await world();
    const before = await alicesPhone(h);
    expect(await rescueOf(h, ALICE)).toEqual({ result: 'ok' });
    const after = await h.movePhone(ALICE_PHONE, before, 42);
    h.advance(3 * MINUTE);
    expect(await rescueOf(h, ALICE)).toEqual({ result: 'ok' });
    expect(before.played).toHaveLength(1);
    expect(after.played).toHaveLength(1);
    expect(risQueries(h)).toBe(2);
    expect(h.logs.text()).toContain('phone moved');
  });

  it('that moved is claimed once for a scheduled rescue: it rings once at the new address, and never again under that id', async () => {
    const h = await world();
    const before = await alicesPhone(h);
    expect(await rescueOf(h, ALICE)).toEqual({ result: 'ok' });
    const after = await h.movePhone(ALICE_PHONE, before, 43);
    h.advance(3 * MINUTE);
    expect(await rescueOf(h, ALICE, { once: 'sched-1' })).toEqual({ result: 'ok' });
    expect(after.played).toHaveLength(1);
    h.advance(3 * MINUTE);
    expect((await rescueOf(h, ALICE, { once: 'sched-1' })).result).toBe('failed:AlreadyRung');
    expect(after.played).toHaveLength(1);
  });

  it('with RisPort down: a last known address younger than CUCM_STALE_ADDRESS_SECONDS rings; an older one is a plain message', async () => {
    const h = await world();
    const phone = await alicesPhone(h);
    expect(await rescueOf(h, ALICE)).toEqual({ result: 'ok' });
    await h.cucm.setFaults({ down: true });
    h.advance(10 * MINUTE); // the cache is out of date: RisPort is asked, and cannot answer
    expect(await rescueOf(h, ALICE)).toEqual({ result: 'ok' });
    expect(phone.played).toHaveLength(2);
    h.advance(2 * 24 * 60 * MINUTE);
    const stale = await rescueOf(h, ALICE);
    expect(stale.result).toBe('failed:CallManagerUnreachable');
    expect(stale.hint).toMatch(/could not reach the call manager.*try again in a few minutes/);
    expect(phone.played).toHaveLength(2);
    expect(h.logs.text()).not.toContain(SIM_CUCM_PASSWORD);
  });

  it('over RisPort\'s rate with nothing known: the person is told to try again in a minute', async () => {
    const h = await world({ cucm: { faults: { rateLimited: true } } });
    const phone = await alicesPhone(h);
    const r = await rescueOf(h, ALICE);
    expect(r.result).toBe('failed:CallManagerRateLimited');
    expect(r.hint).toMatch(/Try again in a minute/);
    expect(phone.played).toHaveLength(0);
  });

  it('not registered, or unknown to the call manager: says which, and what to check', async () => {
    const h = await world();
    await alicesPhone(h);
    h.cucm.setStatus(ALICE_PHONE, 'UnRegistered');
    const off = await rescueOf(h, ALICE);
    expect(off.result).toBe('failed:DeviceNotRegistered');
    expect(off.hint).toMatch(new RegExp(`${ALICE_PHONE} is not registered with the call manager: is it plugged in\\?`));
    await registerPhone(h.rescue, { teamId: TEAM, userId: ME, address: MY_PHONE, username: PHONE_USER, password: PHONE_PASSWORD });
    const unknown = await rescueOf(h, ME);
    expect(unknown.result).toBe('failed:DeviceUnknown');
    expect(unknown.hint).toMatch(/knows no phone named SEP0000000000EE/);
  });

  it('wrong call-manager credentials: the person learns an administrator must fix them, and no secret is written', async () => {
    const h = await world({ cucm: { accounts: [{ username: 'rescue-ring', password: 'another-password' }] } });
    await alicesPhone(h);
    const r = await rescueOf(h, ALICE);
    expect(r.result).toBe('failed:CallManagerAuthFailed');
    expect(r.hint).toMatch(/An administrator checks CUCM_USERNAME and CUCM_PASSWORD/);
    expect(h.logs.text()).not.toContain(SIM_CUCM_PASSWORD);
  });

  it('an address from the call manager still goes through PHONE_ALLOWED_NETWORKS', async () => {
    const h = await world();
    h.cucm.addDevice({ name: ALICE_PHONE, owner: 'alice', ip: '10.20.30.40' });
    await registerPhone(h.rescue, { teamId: TEAM, userId: ALICE, address: ALICE_PHONE, username: PHONE_USER, password: PHONE_PASSWORD });
    const r = await rescueOf(h, ALICE);
    expect(r.result).toBe('failed:PhoneAddressRefused');
  });

  it('/phone status starts with where the call manager says the phone is; a screenshot is taken at that address', async () => {
    const h = await world();
    await alicesPhone(h);
    const d = await phoneStatus(h.rescue, { teamId: TEAM, userId: ALICE });
    expect(d.ok).toBe(true);
    expect(d.steps[0]).toMatchObject({ name: 'call-manager', ok: true });
    expect(d.steps[0]!.detail).toMatch(new RegExp(`${ALICE_PHONE} is registered at 127\\.0\\.0\\.41`));
    const shot = await takeScreenshot(h.rescue, { teamId: TEAM, userId: ALICE });
    expect(shot.png.subarray(1, 4).toString()).toBe('PNG');
    h.cucm.setStatus(ALICE_PHONE, 'UnRegistered');
    h.advance(10 * MINUTE);
    const off = await phoneStatus(h.rescue, { teamId: TEAM, userId: ALICE });
    expect(off.ok).toBe(false);
    expect(off.steps).toEqual([expect.objectContaining({ name: 'call-manager', ok: false, next: expect.stringMatching(/is it plugged in/) })]);
  });
});

describe('without a call manager', () => {
  it('a device name is refused at registration with what to do instead', async () => {
    w = await startWorld(USE_CASES);
    await expect(registerPhone(w.rescue, { teamId: TEAM, userId: ME, address: MY_PHONE, username: PHONE_USER, password: PHONE_PASSWORD })).rejects.toMatchObject({
      code: 'InvalidSettings',
      fields: { address: expect.stringMatching(/not connected to the call manager.*Register the phone by its IP address/) },
    });
    expect(await w.store.directory.get({ teamId: TEAM, userId: ME })).toBeUndefined();
    expect((await attempt(w, { requesterId: ME })).result).toBe('NotRegistered');
  });
});

describe("RisPort's budget (CUCM_RIS_PER_MINUTE)", () => {
  it('is one sliding minute for every process on the store', async () => {
    w = await startWorld(USE_CASES);
    const [a, b] = [new StoreRisBudget(w.store.limits, 3), new StoreRisBudget(w.store.limits, 3)];
    const t = w.time.now;
    expect([await a.take(t), await b.take(t), await a.take(t), await b.take(t)]).toEqual([true, true, true, false]);
    expect(await a.take(new Date(t.getTime() + MINUTE + 1))).toBe(true);
    // The in-memory budget of one process, for contrast: a second process would have its own.
    const [m1, m2] = [new MemoryRisBudget(3), new MemoryRisBudget(3)];
    for (let i = 0; i < 3; i++) await m1.take(t);
    expect(await m2.take(t)).toBe(true);
  });
});
