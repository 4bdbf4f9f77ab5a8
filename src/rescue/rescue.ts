/**
 * The rescue: ring a registered phone (yours, or a colleague's who allows it).
 * `startRescue` does every check that needs no phone (lookup, consent, one ring per phone) and
 * returns at once; the ringing goes on in the background and `done` settles with the outcome.
 */
import { isAppError, type AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RescueKind } from '../metrics/index.js';
import { ring, validateCoverStory } from '../phone/index.js';
import type { CoverStory, CoverStoryOutcome, RingProgress, RingResult } from '../phone/types.js';
import type { RescueDeps } from './deps.js';
import { audit, auditError, outcomeOf, ringDetail, type AuditFacts } from './audit.js';
import { assertMayRing } from './consent.js';
import { RescueInProgress, UnexpectedFailure } from './errors.js';
import { withPhoneAddress } from './device-address.js';
import { claimOnce, takeRescueSlot } from './limits.js';
import { requireRegistration } from './lookup.js';
import { phoneFor, ringPlanFor } from './phone-for.js';
import { explainCertificate, rememberCertificate } from './pin.js';

export interface RescueRequest {
  teamId: string;
  requesterId: string;
  /** Whose phone to ring; the requester's own when absent. */
  targetId?: string;
  /** A test ring: one ring, no interval. */
  test?: boolean;
  /**
   * Text for the phone's screen after the first ring (Slack's &amp; &lt; &gt; already decoded).
   * Absent: the target's default cover story from their settings, if any. Never on a test ring.
   */
  coverStory?: string | CoverStory;
  onProgress?: (p: RingProgress) => void;
  /** Ring at most once under this id, across replicas (a scheduled rescue's id); claimed right before the first Play. */
  once?: string;
  /** Where the request came from, for the rescue's first log line (e.g. Slack's trigger id); never a secret. */
  trace?: Record<string, string>;
  /**
   * A scheduled rescue taken over from a runner that stopped while firing it (requires `once`): the
   * limits were taken when it first fired, so they are not taken again (the target's cooldown would
   * otherwise refuse the very rescue it counted). `once` still rings it at most once.
   */
  takenOver?: boolean;
}

/** What else happened during the ring, for the message that reports it. */
export interface RingNotes {
  /** A call started between rings: the remaining rings were not sent. */
  interruptedByCall?: true;
  /** 'unsupported' / 'inconclusive': rung without knowing whether the phone was in a call. */
  callCheck?: RingResult['callCheck'];
  /** Present when a cover story was asked for: shown, rejected by the model, failed, or not sent. */
  coverStory?: CoverStoryOutcome;
}

export type RescueOutcome =
  | ({ ok: true; completed: number; requested: number; stopped: boolean } & RingNotes)
  | { ok: false; completed: number; requested: number; error: AppError };

export interface RescueHandle {
  id: string;
  targetId: string;
  self: boolean;
  rings: number;
  /** The use cases' logger with this rescue's id: every line about it carries `rescueId`. */
  logger: Logger;
  /** Cancel the remaining rings. */
  stop(): void;
  /** Always resolves (never rejects). */
  done: Promise<RescueOutcome>;
}

export async function startRescue(deps: RescueDeps, req: RescueRequest): Promise<RescueHandle> {
  const targetId = req.targetId ?? req.requesterId;
  const self = targetId === req.requesterId;
  const facts: AuditFacts = { teamId: req.teamId, actorId: req.requesterId, targetId, action: req.test ? 'test_ring' : 'rescue' };
  const kind: RescueKind = req.test ? 'test' : req.once !== undefined ? 'scheduled' : self ? 'own' : 'colleague';
  const refuse = async (err: unknown): Promise<never> => {
    deps.metrics?.rescue(kind, 'refused', isAppError(err) ? err.code : 'Unexpected');
    await auditError(deps, facts, err);
    throw err;
  };

  // Every check that needs no phone, in order: registered, consent, credentials, not ringing now,
  // then the limits (last, so a refused request never uses up anyone's quota).
  let reg;
  let phone;
  let plan;
  let cover: CoverStory | undefined;
  try {
    reg = await requireRegistration(deps, { teamId: req.teamId, userId: targetId }, req.requesterId);
    assertMayRing(deps.settings, reg, req.requesterId);
    phone = phoneFor(reg, deps.settings.defaults, req.requesterId);
    plan = ringPlanFor(reg, deps.settings.defaults);
    cover = req.test ? undefined : coverFor(deps, req, reg.coverStory, phone.modern);
    if (deps.active.forTarget(req.teamId, targetId)) throw new RescueInProgress(targetId, self);
    if (!(req.takenOver === true && req.once !== undefined)) {
      await takeRescueSlot(deps, { teamId: req.teamId, requesterId: req.requesterId, targetId, test: req.test === true });
    }
  } catch (err) {
    return refuse(err);
  }
  const rings = req.test ? 1 : plan.rings;
  const used = reg;

  let completed = 0;
  const active = deps.active.begin(req.teamId, req.requesterId, targetId, async (signal, rescueId): Promise<RescueOutcome> => {
    // Every line about this rescue carries its id: the call check, each Play, the cover story, the audit row.
    const log = deps.logger.child({ rescueId });
    const logged = { ...deps, logger: log };
    const outcome = await (async (): Promise<RescueOutcome> => {
      try {
        // The claim is taken once connected, right before the first Play is written: once taken, the
        // Play may have left, so the ring is not started again at a phone's new address.
        let claimed = false;
        const claimRing =
          req.once !== undefined
            ? async () => {
                claimed = true;
                await claimOnce(deps, req.teamId, req.once!);
              }
            : undefined;
        const ringAt = (at: typeof phone) =>
          ring(deps.phones, at, {
            tone: plan.tone,
            rings,
            intervalMs: plan.intervalMs,
            signal,
            ...(deps.ringPause ? { pause: deps.ringPause } : {}),
            logger: log,
            callCheck: deps.settings.callCheck !== false,
            ...(claimRing ? { beforeFirstPlay: claimRing } : {}),
            ...(cover ? { coverStory: cover } : {}),
            onProgress: (p) => {
              completed = p.ring;
              req.onProgress?.(p);
            },
          });
        const result = await withPhoneAddress(logged, phone, ringAt, { mayRetry: () => completed === 0 && !claimed && !signal.aborted });
        await rememberCertificate(logged, used, result.certificateSha256);
        if (result.coverStory === 'rejected' || result.coverStory === 'failed') {
          log.info({ teamId: req.teamId, targetId, outcome: result.coverStory, code: result.coverStoryError?.code }, 'cover story not shown');
        }
        return {
          ok: true,
          completed: result.completed,
          requested: rings,
          stopped: result.aborted,
          ...(result.interruptedByCall ? { interruptedByCall: true as const } : {}),
          ...(result.callCheck ? { callCheck: result.callCheck } : {}),
          ...(result.coverStory ? { coverStory: result.coverStory } : {}),
        };
      } catch (raw) {
        const err = explainCertificate(raw, targetId, req.requesterId);
        if (isAppError(err)) return { ok: false, completed, requested: rings, error: err };
        log.error({ err, teamId: req.teamId, targetId }, 'rescue failed unexpectedly');
        return { ok: false, completed, requested: rings, error: new UnexpectedFailure(err) };
      }
    })();
    const notes = outcome.ok ? [outcome.interruptedByCall ? 'a call started' : '', outcome.coverStory ? `cover story ${outcome.coverStory}` : ''].filter(Boolean).join('; ') : '';
    const detail = ringDetail(outcome.completed, outcome.requested, notes || undefined);
    // Not rung because the phone was on a call (or already rung for this id): not a failure of anything.
    const failed = !outcome.ok && outcomeOf(outcome.error).outcome === 'failed';
    deps.metrics?.rescue(kind, outcome.ok ? 'rang' : failed ? 'failed' : 'refused', outcome.ok ? undefined : outcome.error.code);
    if (outcome.ok) await audit(logged, facts, outcome.stopped ? 'stopped' : 'ok', { detail });
    else await audit(logged, facts, outcomeOf(outcome.error).outcome, { errorClass: outcome.error.code, detail });
    if (outcome.ok) log.info({ completed: outcome.completed, requested: outcome.requested, stopped: outcome.stopped }, 'rescue finished');
    else log[failed ? 'warn' : 'info']({ completed: outcome.completed, requested: outcome.requested, code: outcome.error.code }, failed ? 'rescue failed' : 'rescue not rung');
    return outcome;
  });
  // Another request for this phone began while the limits were checked (same process).
  if (!active) return refuse(new RescueInProgress(targetId, self));
  const logger = deps.logger.child({ rescueId: active.id });
  logger.info({ teamId: req.teamId, requesterId: req.requesterId, targetId, kind, rings, ...req.trace }, 'rescue started');
  return {
    id: active.id,
    logger,
    targetId,
    self,
    rings,
    stop: () => active.controller.abort(new Error('stopped by user')),
    done: active.done as Promise<RescueOutcome>,
  };
}

/**
 * The cover story to push: the one asked for (refused up front with its hint when the phone cannot
 * show it), else the target's saved default (skipped, not refused, when it does not fit: their
 * settings must never stop a rescue).
 */
function coverFor(deps: RescueDeps, req: RescueRequest, saved: string | undefined, modern: boolean | undefined): CoverStory | undefined {
  if (req.coverStory !== undefined) return validateCoverStory(req.coverStory, { modern });
  if (saved === undefined) return undefined;
  try {
    return validateCoverStory(saved, { modern });
  } catch (err) {
    deps.logger.warn({ teamId: req.teamId, code: isAppError(err) ? err.code : 'Unexpected' }, 'saved default cover story does not fit the phone; ringing without it');
    return undefined;
  }
}

/** Stop a rescue by id; only its requester, its target, or an admin may. Returns false when none. */
export function stopRescue(deps: RescueDeps, teamId: string, userId: string, rescueId: string): boolean {
  const r = deps.active.get(rescueId);
  if (!r || r.teamId !== teamId) return false;
  if (r.requesterId !== userId && r.targetId !== userId && !deps.settings.adminUserIds.includes(userId)) return false;
  r.controller.abort(new Error('stopped by user'));
  return true;
}

/** `/rescue stop`: stops every rescue the user started, and any ringing their own phone. */
export function stopMyRescues(deps: RescueDeps, teamId: string, userId: string): number {
  const mine = deps.active.byRequester(teamId, userId);
  const ownPhone = deps.active.forTarget(teamId, userId);
  const all = new Set([...mine, ...(ownPhone ? [ownPhone] : [])]);
  for (const r of all) r.controller.abort(new Error('stopped by user'));
  return all.size;
}
