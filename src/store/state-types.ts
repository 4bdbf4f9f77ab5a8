/**
 * Operational state kept beside the phone directory, in the same engine (SQLite file or Postgres),
 * so that it survives restarts and, on Postgres, holds across replicas:
 * the audit log, rate-limit counters, scheduled rescues and the tone list.
 * None of it is secret; nothing here may ever hold a password, token or key.
 */
import type { PhoneDirectory } from './types.js';
import type { PhoneLock } from '../phone/queue.js';

export type AuditAction = 'rescue' | 'test_ring' | 'screenshot' | 'scheduled_rescue' | 'register' | 'forget' | 'status';
export type AuditOutcome = 'ok' | 'stopped' | 'skipped' | 'refused' | 'failed' | 'missed';

export interface AuditEntry {
  at: Date;
  teamId: string;
  /** Who asked. */
  actorId: string;
  /** Whose phone (absent when not about a phone). */
  targetId?: string;
  action: AuditAction;
  outcome: AuditOutcome;
  /** Error class (AppError.code) when outcome is refused/failed. */
  errorClass?: string;
  /** Short, secret-free detail, e.g. "2 of 3 rings". */
  detail?: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first. `userId` matches the actor or the target. */
  query(filter: { teamId?: string; userId?: string; since?: Date; limit?: number }): Promise<AuditEntry[]>;
  /** Deletes entries older than `before`; returns how many. */
  prune(before: Date): Promise<number>;
}

export interface RateRule {
  /** e.g. `target:T1:U2:cooldown`, `requester:T1:U1:minute`. */
  bucket: string;
  windowMs: number;
  /** Most hits allowed inside the window. */
  max: number;
}

export type RateDecision = { ok: true } | { ok: false; bucket: string; retryAfterMs: number };

export interface RateLimiter {
  /**
   * Atomically (across processes and replicas): when every rule allows one more hit at `now`,
   * records the hit in every bucket and returns ok; otherwise records nothing and returns the
   * first refusing bucket with the time until it allows again.
   */
  take(rules: readonly RateRule[], now: Date): Promise<RateDecision>;
  /** Drops hits older than `before` (housekeeping). */
  prune(before: Date): Promise<number>;
}

export type ScheduleStatus = 'pending' | 'fired' | 'cancelled' | 'missed';

export interface ScheduledRescue {
  id: string;
  teamId: string;
  requesterId: string;
  targetId: string;
  dueAt: Date;
  /** Optional text pushed to the phone's screen after the first ring. Not secret. */
  coverStory?: string;
  /** Where to report the outcome (Slack channel or DM id), when known. */
  replyTo?: string;
  status: ScheduleStatus;
  createdAt: Date;
  /**
   * Set by claimDueLeased when the entry had been claimed before and never settled: the runner that
   * held it stopped (or lost its lease) in the middle, and may have rung it.
   */
  takenOver?: boolean;
}

export interface ScheduleStore {
  add(entry: Omit<ScheduledRescue, 'id' | 'status' | 'createdAt'>): Promise<ScheduledRescue>;
  /** Pending entries, soonest first; filter by requester or target. */
  pending(filter: { teamId?: string; requesterId?: string; targetId?: string }): Promise<ScheduledRescue[]>;
  /** Cancels a pending entry of this requester; false when none matched. */
  cancel(teamId: string, requesterId: string, id: string): Promise<boolean>;
  /**
   * Claims up to `limit` pending entries due at or before `now`, marking each with its final status
   * in the same transaction, so that exactly one caller (one replica) ever gets each entry:
   * entries later than `now - maxLatenessMs` become 'fired', older ones 'missed'.
   */
  claimDue(now: Date, maxLatenessMs: number, limit: number): Promise<ScheduledRescue[]>;
  /**
   * Two-phase variant for runners that may die between claiming and firing (a replica killed
   * mid-round): claims up to `limit` due entries for `leaseMs` WITHOUT finishing them. Each returned
   * entry's `status` says what to do ('fired': ring it; 'missed': report it), but it stays pending
   * until `settle(id, status)`; if the runner dies first, the lease runs out and another runner
   * claims it (the entry then comes back with `takenOver`). Entries under a live lease are claimed by
   * no one and cannot be cancelled (they are being fired).
   */
  claimDueLeased?(now: Date, maxLatenessMs: number, limit: number, leaseMs: number): Promise<ScheduledRescue[]>;
  /** Extends the leases of these still-pending entries to `now + leaseMs` (a runner still firing them). */
  renew?(ids: readonly string[], now: Date, leaseMs: number): Promise<void>;
  /** Finishes a leased entry with its final status; false when it was no longer pending (cancelled, settled). */
  settle?(id: string, status: 'fired' | 'missed'): Promise<boolean>;
}

export interface ToneList {
  /** The tones imported with `rescue-ring tones import`; undefined when none were imported. */
  get(): Promise<string[] | undefined>;
  set(tones: readonly string[]): Promise<void>;
}

/**
 * Whether the store can answer right now (for /readyz). `reason` is a short sentence for an operator
 * naming what is wrong (the SQLite file gone, Postgres not answering), never a password or URL.
 */
export type StoreHealth = { ok: true } | { ok: false; reason: string };

/** Everything an engine provides. */
export interface Store {
  readonly engine: string;
  readonly directory: PhoneDirectory;
  readonly audit: AuditLog;
  readonly limits: RateLimiter;
  readonly schedules: ScheduleStore;
  readonly tones: ToneList;
  /**
   * One request per phone across processes, for PhoneClientOptions.phoneLock. Present on engines
   * shared by several replicas (Postgres); absent on SQLite (one bot process: the in-process queue suffices).
   */
  readonly phoneLock?: PhoneLock;
  /**
   * Asks the engine whether it can answer now: SQLite checks its file is still there, the same file,
   * readable and writable, and reads the schema version; Postgres runs SELECT 1 within 2 s. Never
   * throws; a closed store is not ok.
   */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
