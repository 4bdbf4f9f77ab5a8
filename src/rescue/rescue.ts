/**
 * The rescue: ring a registered phone (yours, or a colleague's who allows it).
 * `startRescue` does every check that needs no phone (lookup, consent, one ring per phone) and
 * returns at once; the ringing goes on in the background and `done` settles with the outcome.
 */
import { isAppError, type AppError } from '../errors.js';
import { ring } from '../phone/index.js';
import type { RingProgress } from '../phone/types.js';
import type { RescueDeps } from './deps.js';
import { audit, auditError, outcomeOf, ringDetail, type AuditFacts } from './audit.js';
import { assertMayRing } from './consent.js';
import { RescueInProgress, UnexpectedFailure } from './errors.js';
import { takeRescueSlot } from './limits.js';
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
  onProgress?: (p: RingProgress) => void;
}

export type RescueOutcome =
  | { ok: true; completed: number; requested: number; stopped: boolean }
  | { ok: false; completed: number; requested: number; error: AppError };

export interface RescueHandle {
  id: string;
  targetId: string;
  self: boolean;
  rings: number;
  /** Cancel the remaining rings. */
  stop(): void;
  /** Always resolves (never rejects). */
  done: Promise<RescueOutcome>;
}

export async function startRescue(deps: RescueDeps, req: RescueRequest): Promise<RescueHandle> {
  const targetId = req.targetId ?? req.requesterId;
  const self = targetId === req.requesterId;
  const facts: AuditFacts = { teamId: req.teamId, actorId: req.requesterId, targetId, action: req.test ? 'test_ring' : 'rescue' };
  const refuse = async (err: unknown): Promise<never> => {
    await auditError(deps, facts, err);
    throw err;
  };

  // Every check that needs no phone, in order: registered, consent, credentials, not ringing now,
  // then the limits (last, so a refused request never uses up anyone's quota).
  let reg;
  let phone;
  let plan;
  try {
    reg = await requireRegistration(deps, { teamId: req.teamId, userId: targetId }, req.requesterId);
    assertMayRing(deps.settings, reg, req.requesterId);
    phone = phoneFor(reg, deps.settings.defaults, req.requesterId);
    plan = ringPlanFor(reg, deps.settings.defaults);
    if (deps.active.forTarget(req.teamId, targetId)) throw new RescueInProgress(targetId, self);
    await takeRescueSlot(deps, { teamId: req.teamId, requesterId: req.requesterId, targetId, test: req.test === true });
  } catch (err) {
    return refuse(err);
  }
  const rings = req.test ? 1 : plan.rings;
  const used = reg;

  let completed = 0;
  const active = deps.active.begin(req.teamId, req.requesterId, targetId, async (signal): Promise<RescueOutcome> => {
    const outcome = await (async (): Promise<RescueOutcome> => {
      try {
        const result = await ring(deps.phones, phone, {
          tone: plan.tone,
          rings,
          intervalMs: plan.intervalMs,
          signal,
          onProgress: (p) => {
            completed = p.ring;
            req.onProgress?.(p);
          },
        });
        await rememberCertificate(deps, used, result.certificateSha256);
        return { ok: true, completed: result.completed, requested: rings, stopped: result.aborted };
      } catch (raw) {
        const err = explainCertificate(raw, targetId, req.requesterId);
        if (isAppError(err)) return { ok: false, completed, requested: rings, error: err };
        deps.logger.error({ err, teamId: req.teamId, targetId }, 'rescue failed unexpectedly');
        return { ok: false, completed, requested: rings, error: new UnexpectedFailure(err) };
      }
    })();
    const detail = ringDetail(outcome.completed, outcome.requested);
    if (outcome.ok) await audit(deps, facts, outcome.stopped ? 'stopped' : 'ok', { detail });
    else await audit(deps, facts, outcomeOf(outcome.error).outcome, { errorClass: outcome.error.code, detail });
    return outcome;
  });
  // Another request for this phone began while the limits were checked (same process).
  if (!active) return refuse(new RescueInProgress(targetId, self));
  deps.logger.info({ rescueId: active.id, teamId: req.teamId, requesterId: req.requesterId, targetId, rings }, 'rescue started');
  return {
    id: active.id,
    targetId,
    self,
    rings,
    stop: () => active.controller.abort(new Error('stopped by user')),
    done: active.done as Promise<RescueOutcome>,
  };
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
