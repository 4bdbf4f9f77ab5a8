/**
 * The audit trail: one entry per action with who, whom, when, outcome, error class and a short
 * detail; no secret anywhere in the table; retention; App Home history read from it.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { audit, forgetPhone, phoneStatus, recentRescues, registerPhone, startHousekeeping, startRescue, takeScreenshot } from '../../src/rescue/index.js';
import { sqlitePath } from '../../src/store/sqlite.js';
import type { AuditEntry } from '../../src/store/state-types.js';
import { ALICE, BOB, ME, PHONE_PASSWORD, PHONE_USER, startWorld, TEAM, type World, USE_CASES } from '../support/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const DAY = 86_400_000;
const row = (e: AuditEntry) => [e.action, e.actorId, e.targetId ?? '-', e.outcome, e.errorClass ?? '-', e.detail ?? '-'];

describe('audit entries', () => {
  it('every action and outcome is recorded, oldest to newest, at the clock time', async () => {
    world = await startWorld({ ...USE_CASES, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '0' } });
    const w = world;
    const mine = await w.phone({ name: 'me' });
    const alices = await w.phone({ name: 'alice' });
    const busy = await w.phone({ name: 'bob', onCall: true });
    const step = () => w.advance(1_000);

    await w.register(ME, mine); // register ok (new)
    step();
    await w.register(ME, mine, { password: '', rings: 3, intervalSeconds: 1 }); // register ok (updated, password kept)
    step();
    await expect(registerPhone(w.rescue, { teamId: TEAM, userId: ME, address: mine.url, username: PHONE_USER, rings: 99, password: PHONE_PASSWORD })).rejects.toMatchObject({ code: 'InvalidSettings' });
    step();
    // Alice's registration has the wrong password: the phone refuses it.
    await w.register(ALICE, alices, { password: 'not-the-password' });
    step();
    await w.register(BOB, busy);
    step();

    const ok = await startRescue(w.rescue, { teamId: TEAM, requesterId: ME, test: true });
    expect((await ok.done).ok).toBe(true);
    step();
    w.pauses.hold(); // the ring waits after its first ring until it is stopped
    let firstRing!: () => void;
    const rang = new Promise<void>((resolve) => (firstRing = resolve));
    const stopped = await startRescue(w.rescue, { teamId: TEAM, requesterId: BOB, targetId: ME, onProgress: () => firstRing() });
    await rang;
    stopped.stop();
    expect(await stopped.done).toMatchObject({ ok: true, stopped: true, completed: 1 });
    w.pauses.release();
    step();
    const failed = await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME, targetId: ALICE })).done;
    expect(failed).toMatchObject({ ok: false, error: { code: 'PhoneAuthFailed' } });
    step();
    const skipped = await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME, targetId: BOB })).done;
    expect(skipped).toMatchObject({ ok: false, error: { code: 'PhoneInCall' } });
    step();
    await takeScreenshot(w.rescue, { teamId: TEAM, userId: ME });
    step();
    await expect(takeScreenshot(w.rescue, { teamId: TEAM, userId: 'U0NOBODY' })).rejects.toMatchObject({ code: 'NotRegistered' });
    step();
    expect((await phoneStatus(w.rescue, { teamId: TEAM, userId: ME })).ok).toBe(true);
    step();
    expect(await forgetPhone(w.rescue, { teamId: TEAM, userId: ALICE })).toBe(true);
    step();
    expect(await forgetPhone(w.rescue, { teamId: TEAM, userId: ALICE })).toBe(false);

    const entries = (await w.store.audit.query({ teamId: TEAM })).reverse();
    expect(entries.map(row)).toEqual([
      ['register', ME, ME, 'ok', '-', 'new'],
      ['register', ME, ME, 'ok', '-', 'updated'],
      ['register', ME, ME, 'refused', 'InvalidSettings', 'invalid: rings'],
      ['register', ALICE, ALICE, 'ok', '-', 'new'],
      ['register', BOB, BOB, 'ok', '-', 'new'],
      ['test_ring', ME, ME, 'ok', '-', '1 of 1 ring'],
      ['rescue', BOB, ME, 'stopped', '-', '1 of 3 rings'],
      ['rescue', ME, ALICE, 'failed', 'PhoneAuthFailed', '0 of 1 ring'],
      ['rescue', ME, BOB, 'skipped', 'PhoneInCall', '0 of 1 ring'],
      ['screenshot', ME, ME, 'ok', '-', expect.stringMatching(/^\d+x\d+ (bmp|png|cip)$/)],
      ['screenshot', 'U0NOBODY', 'U0NOBODY', 'refused', 'NotRegistered', '-'],
      ['status', ME, ME, 'ok', '-', '-'],
      ['forget', ALICE, ALICE, 'ok', '-', 'registration deleted'],
      ['forget', ALICE, ALICE, 'ok', '-', 'nothing to delete'],
    ]);
    // Each at the clock time it happened (one second apart), not the wall clock.
    const start = new Date('2026-11-28T09:00:00.000Z').getTime();
    expect(entries.map((e) => (e.at.getTime() - start) / 1000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);

    // No secret anywhere in the audit table (passwords, usernames, phone addresses), nor in the logs.
    const db = new Database(sqlitePath(w.dataDir), { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM audit_log').all());
    db.close();
    expect(dump).toContain('PhoneAuthFailed'); // the dump is real
    for (const secret of [PHONE_PASSWORD, PHONE_USER, 'not-the-password', '127.0.0.1', `:${mine.port}`, `:${alices.port}`]) expect(dump).not.toContain(secret);
    for (const secret of [PHONE_PASSWORD, 'not-the-password']) expect(w.logs.text()).not.toContain(secret);
  });

  it('a store that cannot write the audit entry does not fail the rescue (logged instead)', async () => {
    world = await startWorld(USE_CASES);
    const w = world;
    await w.register(ME, await w.phone());
    const failing = { ...w.rescue, audit: { ...w.rescue.audit, record: () => Promise.reject(new Error('disk full')) } };
    const outcome = await (await startRescue(failing, { teamId: TEAM, requesterId: ME })).done;
    expect(outcome.ok).toBe(true);
    expect(w.logs.text()).toContain('audit entry could not be written');
  });
});

describe('retention', () => {
  it('the housekeeping job deletes entries older than AUDIT_RETENTION_DAYS and old rate-limit hits, and keeps the rest', async () => {
    world = await startWorld({ ...USE_CASES, env: { AUDIT_RETENTION_DAYS: '30' } });
    const w = world;
    const now = w.time.now;
    const at = async (daysAgo: number, detail: string) => {
      w.time.now = new Date(now.getTime() - daysAgo * DAY);
      await audit(w.rescue, { teamId: TEAM, actorId: ME, targetId: ME, action: 'rescue' }, 'ok', { detail });
    };
    await at(31, 'too old');
    await at(29, 'kept');
    await w.store.limits.take([{ bucket: 'requester:T1:U0ME:minute', windowMs: 60_000, max: 5 }], new Date(now.getTime() - 2 * DAY));
    await w.store.limits.take([{ bucket: 'requester:T1:U0ME:minute', windowMs: 60_000, max: 5 }], now);
    w.time.now = now;

    const db = new Database(sqlitePath(w.dataDir), { readonly: true });
    const hits = () => (db.prepare('SELECT COUNT(*) AS n FROM rate_hits').get() as { n: number }).n;
    expect(hits()).toBe(2);
    const stop = startHousekeeping(w.rescue, { intervalMs: 3_600_000 });
    try {
      await vi.waitFor(async () => expect((await w.store.audit.query({})).map((e) => e.detail)).toEqual(['kept']), { timeout: 5_000, interval: 20 });
      await vi.waitFor(() => expect(hits()).toBe(1), { timeout: 5_000, interval: 20 });
    } finally {
      stop();
      db.close();
    }
  });
});

describe('App Home history', () => {
  it('given and received rescues, newest first, with rings; test rings and refusals left out', async () => {
    world = await startWorld({ ...USE_CASES, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '0' } });
    const w = world;
    for (const u of [ME, ALICE, BOB]) await w.register(u, await w.phone({ name: u }), u === ALICE ? { permission: 'only_me' } : {});
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: BOB, targetId: ME })).done;
    w.advance(1_000);
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME, targetId: BOB })).done;
    w.advance(1_000);
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME })).done;
    w.advance(1_000);
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME, test: true })).done;
    await expect(startRescue(w.rescue, { teamId: TEAM, requesterId: ME, targetId: ALICE })).rejects.toMatchObject({ code: 'NotAllowed' });

    const page = await recentRescues(w.rescue, { teamId: TEAM, userId: ME }, 5);
    const t = (s: number) => new Date(new Date('2026-11-28T09:00:00.000Z').getTime() + s * 1000);
    expect(page).toEqual({
      given: [
        { at: t(2), requesterId: ME, targetId: ME, outcome: 'ok', rings: 1 },
        { at: t(1), requesterId: ME, targetId: BOB, outcome: 'ok', rings: 1 },
      ],
      received: [{ at: t(0), requesterId: BOB, targetId: ME, outcome: 'ok', rings: 1 }],
    });
    expect((await recentRescues(w.rescue, { teamId: TEAM, userId: ME }, 1)).given).toHaveLength(1);
    expect(await recentRescues(w.rescue, { teamId: 'T2', userId: ME }, 5)).toEqual({ given: [], received: [] });
  });
});
