/**
 * Scheduled rescues: `/rescue in 10m`, `/rescue @alice at 14:30 "cover story"`. Stored in the same
 * engine as the directory (ScheduleStore), fired once by the scheduler (scheduler.ts).
 *
 * Checked when scheduling: the time (when.ts), the target is registered and lets the requester ring
 * (consent), their phone has credentials, the cover story fits the phone, and the requester has fewer
 * than MAX_PENDING_PER_USER pending. Checked again at firing time (startRescue): registration,
 * consent (the target may have changed their mind) and the rate limits.
 */
import { AppError, isAppError } from '../errors.js';
import { validateCoverStory } from '../phone/cover-story.js';
import type { ScheduledRescue, ScheduleStore } from '../store/state-types.js';
import { audit, auditError, type AuditFacts } from './audit.js';
import { assertMayRing } from './consent.js';
import { now, type RescueDeps } from './deps.js';
import { requireRegistration } from './lookup.js';
import { phoneFor } from './phone-for.js';
import { resolveWhen, type WhenSpec } from './when.js';

/** Most pending scheduled rescues one person may have at a time. */
export const MAX_PENDING_PER_USER = 5;
/** A rescue found due later than this (the bot was down) is reported as missed, not rung. */
export const MAX_LATENESS_MS = 2 * 60_000;

export class TooManyScheduled extends AppError {
  readonly code = 'TooManyScheduled';
  constructor(readonly max: number) {
    super(
      `requester already has ${max} scheduled rescues pending`,
      `You already have ${max} scheduled rescues waiting, the most allowed. See them with \`/rescue list\` and cancel one (or all with \`/rescue cancel\`) before adding another.`,
    );
  }
}

export class SchedulingUnavailable extends AppError {
  readonly code = 'SchedulingUnavailable';
  constructor() {
    super('no schedule store configured', 'Scheduled rescues are not available on this installation. Use `/rescue` without a time to ring now, and tell your IT team.');
  }
}

export interface ScheduleRequest {
  teamId: string;
  requesterId: string;
  /** Whose phone; the requester's own when absent. */
  targetId?: string;
  when: WhenSpec;
  /** The requester's IANA time zone (Slack users.info `tz`); needed for "at 14:30". Default UTC. */
  timeZone?: string;
  /** Text for the phone's screen after the first ring (already decoded from Slack's escaping). */
  coverStory?: string;
  /** Where to report the outcome (a Slack DM or channel id), when known. */
  replyTo?: string;
}

export interface Scheduled {
  entry: ScheduledRescue;
  self: boolean;
  /** The zone the time was read in. */
  timeZone: string;
}

function store(deps: RescueDeps): ScheduleStore {
  if (!deps.schedules) throw new SchedulingUnavailable();
  return deps.schedules;
}

/** Validates and stores a scheduled rescue; every outcome is audited (action `scheduled_rescue`). */
export async function scheduleRescue(deps: RescueDeps, req: ScheduleRequest): Promise<Scheduled> {
  const targetId = req.targetId ?? req.requesterId;
  const self = targetId === req.requesterId;
  const timeZone = req.timeZone ?? 'UTC';
  const facts: AuditFacts = { teamId: req.teamId, actorId: req.requesterId, targetId, action: 'scheduled_rescue' };
  try {
    const schedules = store(deps);
    const at = now(deps);
    const dueAt = resolveWhen(req.when, at, timeZone);
    const reg = await requireRegistration(deps, { teamId: req.teamId, userId: targetId }, req.requesterId);
    assertMayRing(deps.settings, reg, req.requesterId);
    phoneFor(reg, deps.settings.defaults, req.requesterId);
    const coverStory = req.coverStory !== undefined ? validateCoverStory(req.coverStory).text : undefined;
    const pending = await schedules.pending({ teamId: req.teamId, requesterId: req.requesterId });
    if (pending.length >= MAX_PENDING_PER_USER) throw new TooManyScheduled(MAX_PENDING_PER_USER);
    const entry = await schedules.add({
      teamId: req.teamId,
      requesterId: req.requesterId,
      targetId,
      dueAt,
      ...(coverStory !== undefined ? { coverStory } : {}),
      ...(req.replyTo !== undefined ? { replyTo: req.replyTo } : {}),
    });
    deps.logger.info({ scheduleId: entry.id, teamId: req.teamId, requesterId: req.requesterId, targetId, dueAt: dueAt.toISOString() }, 'rescue scheduled');
    await audit(deps, facts, 'ok', { detail: `scheduled for ${dueAt.toISOString()}${coverStory !== undefined ? '; with a cover story' : ''}` });
    return { entry, self, timeZone };
  } catch (err) {
    if (isAppError(err) && REFUSED_HERE.has(err.code)) await audit(deps, facts, 'refused', { errorClass: err.code });
    else await auditError(deps, facts, err);
    throw err;
  }
}

/** Requests this use case turns down by its own rules (audited as refused, not failed). */
const REFUSED_HERE = new Set(['InvalidWhen', 'InvalidPhoneText', 'TooManyScheduled', 'SchedulingUnavailable']);

export interface ScheduledList {
  /** The ones you scheduled (for anyone, yourself included), soonest first. */
  mine: ScheduledRescue[];
  /** The ones colleagues scheduled for your phone, soonest first. */
  forMe: ScheduledRescue[];
}

export async function listScheduled(deps: RescueDeps, teamId: string, userId: string): Promise<ScheduledList> {
  const schedules = store(deps);
  const [mine, targeting] = await Promise.all([schedules.pending({ teamId, requesterId: userId }), schedules.pending({ teamId, targetId: userId })]);
  return { mine, forMe: targeting.filter((e) => e.requesterId !== userId) };
}

/**
 * Cancels pending scheduled rescues. With `id`: that one, if you scheduled it or it is for your phone
 * (you may turn down a rescue planned for you). Without: every one you scheduled. Returns the cancelled entries.
 */
export async function cancelScheduled(deps: RescueDeps, teamId: string, userId: string, id?: string): Promise<ScheduledRescue[]> {
  const schedules = store(deps);
  const { mine, forMe } = await listScheduled(deps, teamId, userId);
  const candidates = id === undefined ? mine : [...mine, ...forMe].filter((e) => e.id === id);
  const cancelled: ScheduledRescue[] = [];
  for (const e of candidates) {
    if (await schedules.cancel(teamId, e.requesterId, e.id)) cancelled.push({ ...e, status: 'cancelled' });
  }
  for (const e of cancelled) {
    const by = e.requesterId === userId ? 'requester' : 'target';
    await audit(deps, { teamId, actorId: userId, targetId: e.targetId, action: 'scheduled_rescue' }, 'stopped', { detail: `cancelled by the ${by}; was due ${e.dueAt.toISOString()}` });
  }
  if (cancelled.length > 0) deps.logger.info({ teamId, userId, cancelled: cancelled.map((e) => e.id) }, 'scheduled rescues cancelled');
  return cancelled;
}

