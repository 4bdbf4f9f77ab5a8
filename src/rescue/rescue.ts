/**
 * The rescue: ring a registered phone (yours, or a colleague's who allows it).
 * `startRescue` does every check that needs no phone (lookup, consent, one ring per phone) and
 * returns at once; the ringing goes on in the background and `done` settles with the outcome.
 */
import { isAppError, type AppError } from '../errors.js';
import { ring } from '../phone/index.js';
import type { RingProgress } from '../phone/types.js';
import type { RescueDeps } from './deps.js';
import { assertMayRing } from './consent.js';
import { NotRegistered, RescueInProgress, UnexpectedFailure } from './errors.js';
import { phoneFor, ringPlanFor } from './phone-for.js';

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
  const reg = await deps.directory.get({ teamId: req.teamId, userId: targetId });
  if (!reg) throw new NotRegistered({ userId: targetId, self });
  assertMayRing(deps.settings, reg, req.requesterId);
  const phone = phoneFor(reg, deps.settings.defaults, req.requesterId);
  const plan = ringPlanFor(reg, deps.settings.defaults);
  const rings = req.test ? 1 : plan.rings;

  let completed = 0;
  const active = deps.active.begin(req.teamId, req.requesterId, targetId, async (signal): Promise<RescueOutcome> => {
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
      return { ok: true, completed: result.completed, requested: rings, stopped: result.aborted };
    } catch (err) {
      if (isAppError(err)) return { ok: false, completed, requested: rings, error: err };
      deps.logger.error({ err, teamId: req.teamId, targetId }, 'rescue failed unexpectedly');
      return { ok: false, completed, requested: rings, error: new UnexpectedFailure(err) };
    }
  });
  if (!active) throw new RescueInProgress(targetId, self);
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
