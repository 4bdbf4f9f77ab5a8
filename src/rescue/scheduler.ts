/**
 * The runner that fires scheduled rescues. Every `pollMs` (1 s by default) it claims the due entries
 * (`ScheduleStore.claimDue`: exactly once, across processes and replicas) and, for each:
 * - due less than MAX_LATENESS_MS ago: rings through startRescue, so registration, consent and the rate
 *   limits are checked again at firing time, and reports the outcome (or the refusal);
 * - due longer ago (the bot was down): reports it as missed, rings nothing.
 * Reporting (a Slack DM, in the bot) is the caller's: see ScheduleReporter.
 *
 * The clock and the timer are injectable so tests move time instead of sleeping; `tick()` runs one
 * round by hand. A tick never overlaps the previous one.
 */
import { isAppError, type AppError } from '../errors.js';
import type { ScheduledRescue } from '../store/state-types.js';
import { audit } from './audit.js';
import { now, type RescueDeps } from './deps.js';
import { UnexpectedFailure } from './errors.js';
import { startRescue, type RescueHandle, type RescueOutcome } from './rescue.js';
import { MAX_LATENESS_MS } from './schedule.js';

/** How long a claimed entry is ours before another runner may take it (when the engine leases claims). */
export const CLAIM_LEASE_MS = 30_000;

export interface ScheduleReporter {
  /** The phone is being rung (the handle's `done` settles with the outcome, reported next). */
  started?(entry: ScheduledRescue, handle: RescueHandle): Promise<void>;
  /** The rescue ran: rang, was stopped, or failed at the phone. */
  finished(entry: ScheduledRescue, handle: RescueHandle, outcome: RescueOutcome): Promise<void>;
  /** Refused at firing time (consent withdrawn, rate limit, registration gone, already ringing...). */
  refused(entry: ScheduledRescue, error: AppError): Promise<void>;
  /** Not rung: it was due while rescue-ring was not running. */
  missed(entry: ScheduledRescue): Promise<void>;
  /**
   * Taken over from a runner that stopped (crash, SIGKILL) while firing it: it may or may not have
   * reached the phone, and it is not rung again. `late`: by now it is past the time it could still ring.
   */
  interrupted(entry: ScheduledRescue, late: boolean): Promise<void>;
}

export interface SchedulerTimer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimer: SchedulerTimer = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SchedulerOptions {
  report: ScheduleReporter;
  /** Default: the deps' clock, else the system clock. */
  clock?: () => Date;
  timer?: SchedulerTimer;
  /** Pause between rounds; default 1000 ms. */
  pollMs?: number;
  /** Most entries claimed per round; default 20 (the rest are claimed on the next round). */
  batch?: number;
}

export class Scheduler {
  private readonly inflight = new Set<Promise<void>>();
  /** Entries this runner fired and has not settled yet (their phone has not answered the first ring): their leases are renewed every round. */
  private readonly unsettled = new Set<string>();
  /** Settles that failed (database unreachable), retried every round; their entries stay unsettled meanwhile. */
  private readonly settleRetries = new Map<string, 'fired' | 'missed'>();
  private handle: unknown;
  private running = false;
  private stopped = true;
  private current: Promise<number> | undefined;

  constructor(
    private readonly deps: RescueDeps,
    private readonly options: SchedulerOptions,
  ) {}

  private now(): Date {
    return this.options.clock ? this.options.clock() : now(this.deps);
  }

  /** Starts polling; the first round runs at once (rescues due while the bot was down). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the rounds and reports in progress (not for rings: see ActiveRescues.drain). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle !== undefined) (this.options.timer ?? realTimer).clear(this.handle);
    this.handle = undefined;
    await this.current;
  }

  /** Waits until every report of the rescues fired so far has been sent (tests, shutdown). */
  async idle(): Promise<void> {
    await this.current;
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    const timer = this.options.timer ?? realTimer;
    this.handle = timer.set(() => {
      this.handle = undefined;
      void this.tick()
        .catch((err: unknown) => this.deps.logger.error({ err }, 'scheduled rescues: a round failed; trying again on the next one'))
        .finally(() => this.schedule(this.options.pollMs ?? 1_000));
    }, ms);
  }

  /** One round: claims what is due and fires or reports each. Resolves with how many were claimed. */
  tick(): Promise<number> {
    if (this.running && this.current) return this.current;
    this.running = true;
    this.current = this.round().finally(() => {
      this.running = false;
    });
    return this.current;
  }

  private async round(): Promise<number> {
    const schedules = this.deps.schedules;
    if (!schedules) return 0;
    await this.keepLeases();
    let claimed: ScheduledRescue[];
    try {
      // A leased claim survives this process dying between the claim and the ring: the entry stays
      // pending until settled, and another runner takes it once the lease runs out.
      const batch = this.options.batch ?? 20;
      claimed = schedules.claimDueLeased
        ? await schedules.claimDueLeased(this.now(), MAX_LATENESS_MS, batch, CLAIM_LEASE_MS)
        : await schedules.claimDue(this.now(), MAX_LATENESS_MS, batch);
    } catch (err) {
      this.deps.logger.error({ err }, 'scheduled rescues could not be read; trying again on the next round');
      return 0;
    }
    for (const entry of claimed) {
      // Ours, still being fired (its lease lapsed while renewals failed): never fire it twice.
      if (this.unsettled.has(entry.id)) continue;
      if (entry.status === 'missed') {
        // Too late to ring. If a runner was firing it when it stopped, it may have rung: say so rather than "missed".
        if (entry.takenOver) await this.interrupted(entry, true);
        else await this.missed(entry);
        await this.settle(entry.id, 'missed');
      } else await this.fire(entry);
    }
    return claimed.length;
  }

  /**
   * Settles that failed are retried, and the leases of entries still being fired are renewed, so a
   * live runner never loses an entry to another one (only a runner that stopped does).
   */
  private async keepLeases(): Promise<void> {
    for (const [id, status] of [...this.settleRetries]) await this.settle(id, status);
    const schedules = this.deps.schedules;
    if (this.unsettled.size === 0 || !schedules?.renew) return;
    await schedules.renew([...this.unsettled], this.now(), CLAIM_LEASE_MS).catch((err: unknown) => {
      this.deps.logger.warn({ err, entries: this.unsettled.size }, 'could not renew the leases of scheduled rescues being fired; trying again on the next round');
    });
  }

  /** Marks a leased entry done (engines that lease claims); never throws. A failure is retried every round until it works. */
  private async settle(id: string, status: 'fired' | 'missed'): Promise<void> {
    try {
      await this.deps.schedules?.settle?.(id, status);
      this.settleRetries.delete(id);
      this.unsettled.delete(id);
    } catch (err) {
      if (!this.settleRetries.has(id)) this.deps.logger.error({ err, scheduleId: id }, 'could not mark a scheduled rescue as done; trying again every round (it is not fired again meanwhile)');
      this.settleRetries.set(id, status);
      this.unsettled.add(id);
    }
  }

  private track(what: string, work: Promise<void>): void {
    const p = work.catch((err: unknown) => this.deps.logger.error({ err, what }, 'reporting a scheduled rescue failed')).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async missed(entry: ScheduledRescue): Promise<void> {
    const late = this.now().getTime() - entry.dueAt.getTime();
    this.deps.logger.warn({ scheduleId: entry.id, teamId: entry.teamId, requesterId: entry.requesterId, targetId: entry.targetId, lateMs: late }, 'scheduled rescue missed (rescue-ring was not running)');
    this.deps.metrics?.scheduledEnd('missed');
    await audit(this.deps, { teamId: entry.teamId, actorId: entry.requesterId, targetId: entry.targetId, action: 'scheduled_rescue' }, 'missed', {
      detail: `was due ${entry.dueAt.toISOString()}`,
    });
    this.track('missed', this.options.report.missed(entry));
  }

  /** A runner firing this entry stopped; whether it rang cannot be known, and it is not rung again. */
  private async interrupted(entry: ScheduledRescue, late: boolean): Promise<void> {
    this.deps.logger.warn(
      { scheduleId: entry.id, teamId: entry.teamId, requesterId: entry.requesterId, targetId: entry.targetId },
      'scheduled rescue was claimed by a runner that stopped; not rung again, requester told',
    );
    this.deps.metrics?.scheduledEnd('taken_over');
    if (late) {
      await audit(this.deps, { teamId: entry.teamId, actorId: entry.requesterId, targetId: entry.targetId, action: 'scheduled_rescue' }, 'missed', {
        detail: `was due ${entry.dueAt.toISOString()}; the runner firing it stopped, it may have rung`,
      });
    }
    this.track('interrupted', this.options.report.interrupted(entry, late));
  }

  private async fire(entry: ScheduledRescue): Promise<void> {
    const log = { scheduleId: entry.id, teamId: entry.teamId, requesterId: entry.requesterId, targetId: entry.targetId };
    // Settled once the phone has answered the first Play (or the rescue ended without one), not when
    // it starts: a replica killed between the start and the first ring leaves the entry leased, and
    // another fires it when the lease runs out instead of the rescue being lost.
    let settling: Promise<void> | undefined;
    this.unsettled.add(entry.id);
    const settle = () => (settling ??= this.settle(entry.id, 'fired'));
    let handle: RescueHandle;
    try {
      handle = await startRescue(this.deps, {
        teamId: entry.teamId,
        requesterId: entry.requesterId,
        ...(entry.targetId !== entry.requesterId ? { targetId: entry.targetId } : {}),
        ...(entry.coverStory !== undefined ? { coverStory: entry.coverStory } : {}),
        // Exactly once across replicas: a runner that takes over after this one died mid-ring is refused.
        once: entry.id,
        ...(entry.takenOver ? { takenOver: true } : {}),
        onProgress: () => void settle(),
      });
    } catch (err) {
      const error = isAppError(err) ? err : new UnexpectedFailure(err);
      if (!isAppError(err)) this.deps.logger.error({ err, ...log }, 'scheduled rescue failed to start');
      else this.deps.logger.info({ ...log, code: error.code }, 'scheduled rescue refused at firing time');
      await settle();
      this.track('refused', this.options.report.refused(entry, error));
      return;
    }
    this.deps.logger.info({ ...log, rescueId: handle.id }, 'scheduled rescue fired');
    this.deps.metrics?.scheduledFired((this.now().getTime() - entry.dueAt.getTime()) / 1000);
    const report = this.options.report;
    this.track(
      'fired',
      (async () => {
        await report.started?.(entry, handle);
        const outcome = await handle.done;
        await settle();
        if (!outcome.ok && outcome.error.code === 'AlreadyRung') {
          // Leases of entries being fired are renewed every round, so only a runner that stopped lets
          // one come back: it was killed mid-ring (the phone rang) or, rarely, between claiming the ring
          // and the Play leaving (it did not). Nobody can tell which: never ring twice, tell the requester.
          await this.interrupted(entry, false);
          return;
        }
        await report.finished(entry, handle, outcome);
      })(),
    );
  }
}

/** Builds and starts the scheduler; returns it (call `stop()` on shutdown). */
export function startScheduler(deps: RescueDeps, options: SchedulerOptions): Scheduler {
  const s = new Scheduler(deps, options);
  s.start();
  return s;
}
