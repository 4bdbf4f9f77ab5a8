/**
 * The audit trail of the use cases: every rescue, test ring, screenshot, status check, registration
 * and forget, with who, whose phone, when, how it ended (ok / stopped / skipped / refused / failed),
 * the error class (AppError.code) and a short detail built here from counts and field NAMES only.
 * Never a message, address, username or password: phone addresses are secret at rest, and an error's
 * message may name one.
 *
 * Writing the trail never fails the action it describes: a store failure is logged and the user's
 * request goes on (the operator sees the warning).
 */
import { errorClass } from '../errors.js';
import type { AuditAction, AuditOutcome } from '../store/state-types.js';
import type { RescueDeps } from './deps.js';
import { now } from './deps.js';

export interface AuditFacts {
  teamId: string;
  actorId: string;
  targetId?: string;
  action: AuditAction;
}

/** Refusals by our own rules (nothing was sent to a phone); every other error is a failure. */
const REFUSALS = new Set(['NotAllowed', 'RateLimited', 'NotRegistered', 'RescueInProgress', 'InvalidSettings', 'MissingPhoneCredentials']);
/** The phone was busy with a real call, so nothing was played: not a failure of anything. */
const SKIPS = new Set(['PhoneInCall', 'AlreadyRung']);

export function outcomeOf(err: unknown): { outcome: AuditOutcome; errorClass: string } {
  const code = errorClass(err);
  return { outcome: REFUSALS.has(code) ? 'refused' : SKIPS.has(code) ? 'skipped' : 'failed', errorClass: code };
}

/** "2 of 3 rings": the detail of every ring entry (history.ts reads the counts back). */
export function ringDetail(completed: number, requested: number, extra?: string): string {
  return `${completed} of ${requested} ring${requested === 1 ? '' : 's'}${extra ? `; ${extra}` : ''}`;
}

export function ringsFromDetail(detail: string | undefined): { completed: number; requested: number } | undefined {
  const m = /^(\d+) of (\d+) rings?\b/.exec(detail ?? '');
  return m ? { completed: Number(m[1]), requested: Number(m[2]) } : undefined;
}

/** Records one entry; never throws. */
export async function audit(deps: Pick<RescueDeps, 'audit' | 'logger' | 'clock'>, facts: AuditFacts, outcome: AuditOutcome, more: { errorClass?: string; detail?: string } = {}): Promise<void> {
  try {
    await deps.audit.record({
      at: now(deps),
      teamId: facts.teamId,
      actorId: facts.actorId,
      ...(facts.targetId !== undefined ? { targetId: facts.targetId } : {}),
      action: facts.action,
      outcome,
      ...(more.errorClass !== undefined ? { errorClass: more.errorClass } : {}),
      ...(more.detail !== undefined ? { detail: more.detail } : {}),
    });
    deps.logger.debug({ action: facts.action, outcome, ...(more.errorClass !== undefined ? { errorClass: more.errorClass } : {}) }, 'audit entry written');
  } catch (err) {
    deps.logger.warn({ err, teamId: facts.teamId, action: facts.action, outcome }, 'audit entry could not be written');
  }
}

/** Records a refusal or failure of `err`, for the use cases' catch blocks. */
export function auditError(deps: Pick<RescueDeps, 'audit' | 'logger' | 'clock'>, facts: AuditFacts, err: unknown, detail?: string): Promise<void> {
  const { outcome, errorClass: cls } = outcomeOf(err);
  return audit(deps, facts, outcome, { errorClass: cls, ...(detail !== undefined ? { detail } : {}) });
}

/** Runs a phone action and records how it ended (ok, or its error); rethrows the error. */
export async function audited<T>(deps: Pick<RescueDeps, 'audit' | 'logger' | 'clock'>, facts: AuditFacts, run: () => Promise<T>, detail?: (result: T) => string | undefined): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (err) {
    await auditError(deps, facts, err);
    throw err;
  }
  const d = detail?.(result);
  await audit(deps, facts, 'ok', d !== undefined ? { detail: d } : {});
  return result;
}
