/**
 * Scheduled rescues as use cases on the real thing (SQLite file, simulated phones) with a controlled
 * clock: nothing sleeps on real minutes; the scheduler's rounds are run by hand with `tick()`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.js';
import { cancelScheduled, listScheduled, MAX_PENDING_PER_USER, scheduleRescue } from '../../src/rescue/schedule.js';
import { CLAIM_LEASE_MS, Scheduler, type ScheduleReporter } from '../../src/rescue/scheduler.js';
import { claimOnce, takeRescueSlot } from '../../src/rescue/limits.js';
import { MAX_LATENESS_MS } from '../../src/rescue/schedule.js';
import { parseWhen } from '../../src/rescue/when.js';
import type { RescueHandle, RescueOutcome } from '../../src/rescue/index.js';
import { startRescue, stopMyRescues } from '../../src/rescue/index.js';
import type { ScheduledRescue } from '../../src/store/state-types.js';
import { ALICE, BOB, ME, startWorld, TEAM, type World, USE_CASES } from '../support/world.js';

const MIN = 60_000;

interface Reports {
  finished: { entry: ScheduledRescue; outcome: RescueOutcome; handle: RescueHandle }[];
  refused: { entry: ScheduledRescue; error: AppError }[];
  missed: ScheduledRescue[];
  interrupted: { entry: ScheduledRescue; late: boolean }[];
}

function recorder(): { reports: Reports; reporter: ScheduleReporter } {
  const reports: Reports = { finished: [], refused: [], missed: [], interrupted: [] };
  return {
    reports,
    reporter: {
      finished: async (entry, handle, outcome) => void reports.finished.push({ entry, handle, outcome }),
      refused: async (entry, error) => void reports.refused.push({ entry, error }),
      missed: async (entry) => void reports.missed.push(entry),
      interrupted: async (entry, late) => void reports.interrupted.push({ entry, late }),
    },
  };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as AppError).code;
  }
  return undefined;
}

let w: World;
let scheduler: Scheduler;
let reports: Reports;
beforeEach(async () => {
  w = await startWorld({ ...USE_CASES, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '0' } });
  const r = recorder();
  reports = r.reports;
  // A timer that never fires by itself: the tests run each round with tick().
  scheduler = new Scheduler(w.rescue, { report: r.reporter, timer: { set: () => 0, clear: () => undefined } });
});
afterEach(async () => {
  await scheduler.stop();
  await w.close();
});

async function round(): Promise<number> {
  const n = await scheduler.tick();
  await scheduler.idle();
  return n;
}

describe('scheduling', () => {
  it('rings once at the due time, not before, and never again', async () => {
    const phone = await w.phone();
    await w.register(ME, phone);
    const { entry, self } = await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 10m') });
    expect(self).toBe(true);
    expect(entry.dueAt.toISOString()).toBe('2026-11-28T09:10:00.000Z');
    expect((await listScheduled(w.rescue, TEAM, ME)).mine.map((e) => e.id)).toEqual([entry.id]);

    w.advance(9 * MIN + 59_000);
    expect(await round()).toBe(0);
    expect(phone.played).toEqual([]);

    w.advance(1_000);
    expect(await round()).toBe(1);
    expect(reports.finished).toHaveLength(1);
    expect(reports.finished[0]?.outcome).toMatchObject({ ok: true, completed: 1 });
    expect(phone.played).toEqual(['Classic1.raw']);
    expect((await listScheduled(w.rescue, TEAM, ME)).mine).toEqual([]);

    w.advance(MIN);
    expect(await round()).toBe(0);
    expect(phone.played).toHaveLength(1);
    const audit = await w.store.audit.query({ teamId: TEAM });
    expect(audit.filter((a) => a.action !== 'register').map((a) => `${a.action}:${a.outcome}`)).toEqual(['rescue:ok', 'scheduled_rescue:ok']);
  });

  it('stays claimed (pending, leased) until the phone answers the first ring, so a replica dying before it rings loses nothing', async () => {
    const phone = await w.phone({ faults: { hang: true } });
    await w.register(ME, phone);
    const { entry } = await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 10m') });
    w.advance(10 * MIN);
    expect(await scheduler.tick()).toBe(1);
    // Started, but the phone has not answered the first Play: not settled yet, and no other round claims it.
    expect(w.rescue.active.size).toBe(1);
    expect((await w.store.schedules.pending({ teamId: TEAM })).map((e) => e.id)).toEqual([entry.id]);
    expect(await scheduler.tick()).toBe(0);
    // Still not answered after the claim's first lease would have run out: every round renewed it,
    // so no other runner on the store takes it over, and this one does not fire it twice.
    const other = new Scheduler(w.rescue, { report: recorder().reporter, timer: { set: () => 0, clear: () => undefined } });
    for (let s = 0; s < 4; s++) {
      w.advance(10_000);
      expect(await other.tick()).toBe(0);
      await scheduler.tick();
    }
    expect(reports.refused).toEqual([]);
    expect(w.rescue.active.size).toBe(1);
    stopMyRescues(w.rescue, TEAM, ME);
    await scheduler.idle();
    expect(await w.store.schedules.pending({ teamId: TEAM })).toEqual([]);
    expect(reports.finished).toHaveLength(1);
  });

  it('rings a colleague at a wall-clock time in the requester\'s zone, with the cover story on the screen', async () => {
    const phone = await w.phone();
    await w.register(ALICE, phone);
    // 09:00 UTC is 10:00 in Paris.
    const { entry } = await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, targetId: ALICE, when: parseWhen('at 10:05'), timeZone: 'Europe/Paris', coverStory: 'Facilities: your car is blocking the gate' });
    expect(entry.dueAt.toISOString()).toBe('2026-11-28T09:05:00.000Z');
    expect((await listScheduled(w.rescue, TEAM, ALICE)).forMe.map((e) => e.id)).toEqual([entry.id]);
    w.advance(5 * MIN);
    await round();
    expect(reports.finished[0]?.outcome).toMatchObject({ ok: true, completed: 1, coverStory: 'shown' });
    expect(phone.display.lines.join(' ')).toContain('Facilities: your car is blocking the gate');
  });

  it('checks consent, registration, the cover story and the limits when scheduling; nothing is stored on a refusal', async () => {
    const phone = await w.phone();
    await w.register(ALICE, phone, { permission: 'only_me' });
    await w.register(ME, phone);
    expect(await codeOf(scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, targetId: ALICE, when: parseWhen('in 5m') }))).toBe('NotAllowed');
    expect(await codeOf(scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, targetId: BOB, when: parseWhen('in 5m') }))).toBe('NotRegistered');
    expect(await codeOf(scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('at 08:00'), timeZone: 'UTC' }))).toBe('InvalidWhen');
    expect(await codeOf(scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 5m'), coverStory: 'x'.repeat(600) }))).toBe('InvalidPhoneText');
    expect(await codeOf(scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 5m'), coverStory: 'Call me 📞' }))).toBe('InvalidPhoneText');
    expect((await listScheduled(w.rescue, TEAM, ME)).mine).toEqual([]);

    for (let i = 1; i <= MAX_PENDING_PER_USER; i++) await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen(`in ${i}m`) });
    const err = (await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 9m') }).then(
      () => undefined,
      (e: unknown) => e,
    )) as AppError;
    expect(err.code).toBe('TooManyScheduled');
    expect(err.hint).toContain('/rescue list');
    expect((await listScheduled(w.rescue, TEAM, ME)).mine).toHaveLength(MAX_PENDING_PER_USER);
  });

  it('checks consent again at firing time: a colleague who changed their mind is not rung', async () => {
    const phone = await w.phone();
    await w.register(ALICE, phone);
    await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, targetId: ALICE, when: parseWhen('in 5m') });
    await w.register(ALICE, phone, { permission: 'only_me' });
    w.advance(5 * MIN);
    await round();
    expect(reports.refused.map((r) => r.error.code)).toEqual(['NotAllowed']);
    expect(phone.played).toEqual([]);
  });

  it('applies the rate limits at firing time', async () => {
    await w.close();
    w = await startWorld({ ...USE_CASES, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '600' } });
    const r = recorder();
    reports = r.reports;
    scheduler = new Scheduler(w.rescue, { report: r.reporter, timer: { set: () => 0, clear: () => undefined } });
    const phone = await w.phone();
    await w.register(ME, phone);
    await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 2m') });
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME })).done;
    w.advance(2 * MIN);
    await round();
    expect(reports.refused.map((x) => x.error.code)).toEqual(['RateLimited']);
    expect(reports.refused[0]?.error.hint).toMatch(/Your phone rang less than 10 min ago/);
    expect(phone.played).toHaveLength(1);
  });

  it('a rescue due more than 2 minutes ago is reported missed and not rung; less than 2 minutes late still rings', async () => {
    const phone = await w.phone();
    await w.register(ME, phone);
    await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 1m') });
    await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 4m') });
    w.advance(5 * MIN + 30_000); // 4m30s late and 1m30s late
    expect(await round()).toBe(2);
    expect(reports.missed.map((e) => e.dueAt.toISOString())).toEqual(['2026-11-28T09:01:00.000Z']);
    expect(reports.finished.map((f) => f.entry.dueAt.toISOString())).toEqual(['2026-11-28T09:04:00.000Z']);
    expect(phone.played).toHaveLength(1);
    const missed = await w.store.audit.query({ teamId: TEAM });
    expect(missed.some((a) => a.action === 'scheduled_rescue' && a.outcome === 'missed')).toBe(true);
  });

  it('cancels: all of yours, or one by id (yours, or one planned for your phone), never someone else\'s', async () => {
    const phone = await w.phone();
    await w.register(ME, phone);
    await w.register(ALICE, phone);
    const a = await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 5m') });
    const b = await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, targetId: ALICE, when: parseWhen('in 6m') });
    const c = await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: BOB, targetId: ALICE, when: parseWhen('in 7m') });

    expect(await cancelScheduled(w.rescue, TEAM, BOB, a.entry.id)).toEqual([]);
    expect((await cancelScheduled(w.rescue, TEAM, ALICE, b.entry.id)).map((e) => e.id)).toEqual([b.entry.id]);
    expect((await cancelScheduled(w.rescue, TEAM, ME)).map((e) => e.id)).toEqual([a.entry.id]);
    expect(await cancelScheduled(w.rescue, TEAM, ME)).toEqual([]);
    expect((await listScheduled(w.rescue, TEAM, ALICE)).forMe.map((e) => e.id)).toEqual([c.entry.id]);

    w.advance(7 * MIN);
    await round();
    expect(reports.finished.map((f) => f.entry.id)).toEqual([c.entry.id]);
  });

  it('the scheduler\'s own timer runs rounds until stopped', async () => {
    const phone = await w.phone();
    await w.register(ME, phone);
    await scheduleRescue(w.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 1m') });
    const pending: (() => void)[] = [];
    const r = recorder();
    const s = new Scheduler(w.rescue, { report: r.reporter, timer: { set: (fn) => pending.push(fn), clear: () => undefined } });
    s.start();
    expect(pending).toHaveLength(1);
    pending.shift()!();
    await s.idle();
    expect(r.reports.finished).toHaveLength(0);
    w.advance(MIN);
    // The next round was armed when the first finished.
    await until(() => pending.length === 1);
    pending.shift()!();
    await s.idle();
    expect(r.reports.finished).toHaveLength(1);
    await s.stop();
  });
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

/**
 * A runner (replica or bot) that stopped while firing a scheduled rescue: what it left in the store is
 * made by hand here, exactly as firing leaves it (leased claim, the limits' slot, and the ring's
 * once-claim when it got that far), with the default rescue limits (a 2-minute cooldown per phone).
 */
describe('taking over from a runner that stopped while firing', () => {
  let d: World;
  let survivor: Scheduler;
  let told: Reports;
  beforeEach(async () => {
    d = await startWorld(USE_CASES);
    const r = recorder();
    told = r.reports;
    survivor = new Scheduler(d.rescue, { report: r.reporter, timer: { set: () => 0, clear: () => undefined } });
  });
  afterEach(async () => {
    await survivor.stop();
    await d.close();
  });

  /** The stopped runner's traces: lease, limits, and (`rang`) the ring's once-claim. */
  async function stoppedWhileFiring(rang: boolean): Promise<{ entry: ScheduledRescue; phone: Awaited<ReturnType<World['phone']>> }> {
    const phone = await d.phone();
    await d.register(ME, phone);
    const { entry } = await scheduleRescue(d.rescue, { teamId: TEAM, requesterId: ME, when: parseWhen('in 10m') });
    d.advance(10 * MIN);
    expect(await d.store.schedules.claimDueLeased!(d.time.now, MAX_LATENESS_MS, 20, CLAIM_LEASE_MS)).toHaveLength(1);
    await takeRescueSlot(d.rescue, { teamId: TEAM, requesterId: ME, targetId: ME, test: false });
    if (rang) await claimOnce(d.rescue, TEAM, entry.id);
    expect(await survivor.tick()).toBe(0);
    d.advance(CLAIM_LEASE_MS + 1_000);
    return { entry, phone };
  }

  it('after it claimed the ring: not rung again, the requester is told it may not have rung', async () => {
    const { entry, phone } = await stoppedWhileFiring(true);
    expect(await survivor.tick()).toBe(1);
    await survivor.idle();
    expect(phone.played).toEqual([]);
    expect(told.interrupted.map((r) => [r.entry.id, r.late])).toEqual([[entry.id, false]]);
    expect(told.refused).toEqual([]);
    expect(told.finished).toEqual([]);
    expect(await d.store.schedules.pending({ teamId: TEAM })).toEqual([]);
    expect(d.logs.text()).toContain('claimed by a runner that stopped');
  });

  it('before it claimed the ring: rung once, late, although its cooldown slot is already taken', async () => {
    const { entry, phone } = await stoppedWhileFiring(false);
    expect(await survivor.tick()).toBe(1);
    await survivor.idle();
    expect(phone.played).toEqual(['Classic1.raw']);
    expect(told.finished.map((r) => [r.entry.id, r.outcome.ok])).toEqual([[entry.id, true]]);
    expect(told.interrupted).toEqual([]);
    expect(told.refused).toEqual([]);
    // The slot the stopped runner took still counts: a new rescue of the phone is refused by the cooldown.
    await expect(startRescue(d.rescue, { teamId: TEAM, requesterId: ME })).rejects.toMatchObject({ code: 'RateLimited' });
  });

  it('found only when too late to ring: reported as possibly rung, not as missed', async () => {
    const { entry, phone } = await stoppedWhileFiring(true);
    d.advance(MAX_LATENESS_MS);
    expect(await survivor.tick()).toBe(1);
    await survivor.idle();
    expect(phone.played).toEqual([]);
    expect(told.interrupted.map((r) => [r.entry.id, r.late])).toEqual([[entry.id, true]]);
    expect(told.missed).toEqual([]);
    expect(await d.store.schedules.pending({ teamId: TEAM })).toEqual([]);
  });
});
