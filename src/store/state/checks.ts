/**
 * Checks shared by every engine's state tables: what a caller may pass in, and how a refusal's
 * "try again in" is computed. Engines store; these decide.
 */
import type { AuditEntry, RateRule, ScheduledRescue } from '../state-types.js';
import { StoreInputInvalid } from '../errors.js';

/** Most entries one audit query returns (the CLI pages with `since`). */
export const MAX_AUDIT_QUERY = 10_000;
export const DEFAULT_AUDIT_QUERY = 100;
/** Audit details and cover stories are short, by design. */
export const MAX_TEXT = 1_000;

export function auditLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_AUDIT_QUERY;
  return Math.max(1, Math.min(MAX_AUDIT_QUERY, Math.floor(limit)));
}

function nonEmpty(value: string | undefined, field: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new StoreInputInvalid(`The ${field} is empty.`, 'This is a bug in the caller: every audit entry and scheduled rescue names its team and users.');
  }
}

function validDate(value: Date, field: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new StoreInputInvalid(`The ${field} is not a valid time.`, 'Give the time as a date and time, for example "in 10m" or "at 14:30".');
  }
}

function shortText(value: string | undefined, field: string): void {
  if (value !== undefined && value.length > MAX_TEXT) {
    throw new StoreInputInvalid(`The ${field} is longer than ${MAX_TEXT} characters.`, `Shorten the ${field}.`);
  }
}

export function checkAuditEntry(e: AuditEntry): void {
  nonEmpty(e.teamId, 'team id');
  nonEmpty(e.actorId, 'actor id');
  validDate(e.at, 'audit time');
  shortText(e.detail, 'audit detail');
}

export function checkSchedule(e: Omit<ScheduledRescue, 'id' | 'status' | 'createdAt'>): void {
  nonEmpty(e.teamId, 'team id');
  nonEmpty(e.requesterId, 'requester id');
  nonEmpty(e.targetId, 'target id');
  validDate(e.dueAt, 'due time');
  shortText(e.coverStory, 'cover story');
}

/** A rule that can never allow anything is a programming error, not a refusal. */
export function checkRules(rules: readonly RateRule[]): void {
  for (const r of rules) {
    if (r.bucket === '' || !Number.isInteger(r.max) || r.max < 1 || !Number.isFinite(r.windowMs) || r.windowMs <= 0) {
      throw new TypeError(`Rate rule "${r.bucket}" needs a bucket name, a whole max of at least 1 and a positive window`);
    }
  }
}

/**
 * Sliding window: a hit counts while `at > now - windowMs`. With `count >= max` hits in the window,
 * the bucket allows again when the hit at position `count - max` (oldest first) leaves the window.
 */
export function retryAfterMs(pivotHitAtMs: number, rule: RateRule, now: Date): number {
  return Math.max(1, pivotHitAtMs + rule.windowMs - now.getTime());
}

/** The status a claimed entry gets: fired when at most `maxLatenessMs` late, else missed. */
export function claimedStatus(dueAt: Date, now: Date, maxLatenessMs: number): 'fired' | 'missed' {
  return dueAt.getTime() >= now.getTime() - maxLatenessMs ? 'fired' : 'missed';
}

/** Drops undefined optional fields so entries compare equal across engines. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}
