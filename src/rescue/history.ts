/**
 * App Home's "Recent rescues": the rescues a user gave (started, for a colleague or themselves) and
 * received (a colleague rang their phone), read from the audit log. Test rings and refused requests
 * are not rescues and are left out. App Home reads it through the Slack `history` seam (src/slack/context.ts).
 */
import type { AuditEntry } from '../store/state-types.js';
import type { UserKey } from '../store/types.js';
import { ringsFromDetail } from './audit.js';
import type { RescueDeps } from './deps.js';

export interface RescueHistoryEntry {
  at: Date;
  requesterId: string;
  targetId: string;
  /** `ok`, `stopped`, or the error class of a failed rescue. */
  outcome: string;
  /** Rings that rang. */
  rings: number;
}

export interface RescueHistoryPage {
  /** Rescues this user started for others (or themselves). */
  given: RescueHistoryEntry[];
  /** Rescues of this user's phone by others. */
  received: RescueHistoryEntry[];
}

/** Audit entries read to fill a page: enough for `limit` of each kind in any realistic mix. */
const SCAN = 200;

function toEntry(e: AuditEntry): RescueHistoryEntry {
  return {
    at: e.at,
    requesterId: e.actorId,
    targetId: e.targetId ?? e.actorId,
    outcome: e.outcome === 'ok' || e.outcome === 'stopped' ? e.outcome : (e.errorClass ?? e.outcome),
    rings: ringsFromDetail(e.detail)?.completed ?? 0,
  };
}

/** Newest first, at most `limit` of each. */
export async function recentRescues(deps: Pick<RescueDeps, 'audit'>, key: UserKey, limit = 5): Promise<RescueHistoryPage> {
  const entries = await deps.audit.query({ teamId: key.teamId, userId: key.userId, limit: Math.max(SCAN, limit * 4) });
  const rescues = entries.filter((e) => (e.action === 'rescue' || e.action === 'scheduled_rescue') && e.outcome !== 'refused' && e.targetId !== undefined);
  return {
    given: rescues.filter((e) => e.actorId === key.userId).slice(0, limit).map(toEntry),
    received: rescues.filter((e) => e.targetId === key.userId && e.actorId !== key.userId).slice(0, limit).map(toEntry),
  };
}
