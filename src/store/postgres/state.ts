/**
 * The operational state on Postgres, shared by every replica:
 * - rate limits: one transaction per take that first takes a transaction-scoped advisory lock per
 *   bucket (in hash order, so two takes never deadlock), then counts and records: atomic across replicas;
 * - scheduled rescues: claimed in ONE statement with FOR UPDATE SKIP LOCKED, so each due entry goes
 *   to exactly one replica and claimers never wait on each other;
 * - audit and rate-hit pruning: under pg_try_advisory_xact_lock, so one replica prunes at a time
 *   (the others skip that round and return 0).
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry, AuditLog, RateDecision, RateLimiter, RateRule, ScheduledRescue, ScheduleStore, ToneList } from '../state-types.js';
import { auditLimit, checkAuditEntry, checkRules, checkSchedule, compact, retryAfterMs } from '../state/checks.js';
import { WhereBuilder } from '../state/where.js';
import { fromScheduleRow, pendingQuery, SCHEDULE_COLUMNS, type ScheduleRow } from '../state/schedule-row.js';
import type { PgDatabase } from './database.js';
import { LOCK, LOCK_SPACE, RATE_LOCK_SPACE } from './locks.js';

/** Longest a rate-limit take waits for the takes ahead of it on the same bucket. */
const RATE_LOCK_TIMEOUT_MS = 5_000;

/** Deletes under a try-lock: returns 0 at once when another replica holds it. */
async function pruneOnce(db: PgDatabase, lock: number, sql: string, before: Date): Promise<number> {
  return db.transaction(async (client) => {
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [LOCK_SPACE, lock]);
    if (got.rows[0]?.ok !== true) return 0;
    return (await client.query(sql, [before])).rowCount ?? 0;
  });
}

interface AuditRow {
  at: Date;
  team_id: string;
  actor_id: string;
  target_id: string | null;
  action: string;
  outcome: string;
  error_class: string | null;
  detail: string | null;
}

export class PgAudit implements AuditLog {
  constructor(private readonly db: PgDatabase) {}

  async record(e: AuditEntry): Promise<void> {
    checkAuditEntry(e);
    await this.db.query('INSERT INTO audit_log (at, team_id, actor_id, target_id, action, outcome, error_class, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      e.at,
      e.teamId,
      e.actorId,
      e.targetId ?? null,
      e.action,
      e.outcome,
      e.errorClass ?? null,
      e.detail ?? null,
    ]);
  }

  async query(filter: { teamId?: string; userId?: string; since?: Date; limit?: number }): Promise<AuditEntry[]> {
    const where = new WhereBuilder(true);
    if (filter.teamId !== undefined) where.add('team_id = ?', filter.teamId);
    if (filter.userId !== undefined) where.add('(actor_id = ? OR target_id = ?)', filter.userId, filter.userId);
    if (filter.since !== undefined) where.add('at >= ?', filter.since);
    const sql = `SELECT at, team_id, actor_id, target_id, action, outcome, error_class, detail FROM audit_log
      ${where.sql} ORDER BY at DESC, id DESC LIMIT ${where.next(auditLimit(filter.limit))}`;
    const r = await this.db.query<AuditRow>(sql, where.values);
    return r.rows.map((row) =>
      compact<AuditEntry>({
        at: row.at,
        teamId: row.team_id,
        actorId: row.actor_id,
        targetId: row.target_id ?? undefined,
        action: row.action as AuditEntry['action'],
        outcome: row.outcome as AuditEntry['outcome'],
        errorClass: row.error_class ?? undefined,
        detail: row.detail ?? undefined,
      }),
    );
  }

  prune(before: Date): Promise<number> {
    return pruneOnce(this.db, LOCK.auditPrune, 'DELETE FROM audit_log WHERE at < $1', before);
  }
}

export class PgRateLimiter implements RateLimiter {
  constructor(
    private readonly db: PgDatabase,
    private readonly options: { lockTimeoutMs?: number } = {},
  ) {}

  async take(rules: readonly RateRule[], now: Date): Promise<RateDecision> {
    checkRules(rules);
    if (rules.length === 0) return { ok: true };
    const buckets = rules.map((r) => r.bucket);
    // Hits are cheap to lose (a crashed server forgets at most the last moments of them), so these
    // commits do not wait for the WAL flush; the advisory locks keep every take atomic regardless.
    return this.db.transaction(
      async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock($1, h) FROM (SELECT DISTINCT hashtext(b) AS h FROM unnest($2::text[]) AS b ORDER BY 1) AS locks`, [RATE_LOCK_SPACE, buckets]);
        // Every rule in one round trip: the hit count in its window, and the hit whose expiry frees a slot.
        const r = await client.query<{ ord: string; n: number | null; pivot: Date | null }>(
          `SELECT r.ord, h.n, h.pivot
           FROM unnest($1::text[], $2::float8[], $3::int[]) WITH ORDINALITY AS r(bucket, window_ms, max, ord)
           LEFT JOIN LATERAL (
             SELECT w.n::int AS n, w.at AS pivot FROM (
               SELECT at, COUNT(*) OVER () AS n, ROW_NUMBER() OVER (ORDER BY at) AS rn
               FROM rate_hits WHERE bucket = r.bucket AND at > $4::timestamptz - r.window_ms * interval '1 millisecond'
             ) AS w
             WHERE w.rn = GREATEST(w.n - r.max, 0) + 1
           ) AS h ON true
           ORDER BY r.ord`,
          [buckets, rules.map((x) => x.windowMs), rules.map((x) => x.max), now],
        );
        for (const [i, rule] of rules.entries()) {
          const row = r.rows[i];
          if ((row?.n ?? 0) >= rule.max) {
            return { ok: false, bucket: rule.bucket, retryAfterMs: retryAfterMs(row?.pivot?.getTime() ?? now.getTime(), rule, now) } as const;
          }
        }
        await client.query('INSERT INTO rate_hits (bucket, at) SELECT b, $2 FROM unnest($1::text[]) AS b', [buckets, now]);
        return { ok: true } as const;
      },
      // A take never waits long for another's: a stuck peer makes this request fail (StoreUnavailable), not hang.
      { asyncCommit: true, lockTimeoutMs: this.options.lockTimeoutMs ?? RATE_LOCK_TIMEOUT_MS },
    );
  }

  prune(before: Date): Promise<number> {
    return pruneOnce(this.db, LOCK.ratePrune, 'DELETE FROM rate_hits WHERE at < $1', before);
  }
}

export class PgSchedules implements ScheduleStore {
  constructor(
    private readonly db: PgDatabase,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async add(entry: Omit<ScheduledRescue, 'id' | 'status' | 'createdAt'>): Promise<ScheduledRescue> {
    checkSchedule(entry);
    const stored: ScheduledRescue = compact({ ...entry, id: randomUUID(), status: 'pending' as const, createdAt: this.clock() });
    await this.db.query(`INSERT INTO scheduled_rescues (${SCHEDULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)`, [
      stored.id,
      stored.teamId,
      stored.requesterId,
      stored.targetId,
      stored.dueAt,
      stored.coverStory ?? null,
      stored.replyTo ?? null,
      stored.createdAt,
    ]);
    return stored;
  }

  async pending(filter: { teamId?: string; requesterId?: string; targetId?: string }): Promise<ScheduledRescue[]> {
    const { sql, values } = pendingQuery(filter, true);
    const r = await this.db.query<ScheduleRow>(sql, values);
    return r.rows.map(fromScheduleRow);
  }

  async cancel(teamId: string, requesterId: string, id: string): Promise<boolean> {
    const r = await this.db.query(
      "UPDATE scheduled_rescues SET status = 'cancelled' WHERE team_id = $1 AND requester_id = $2 AND id = $3 AND status = 'pending' AND (lease_until IS NULL OR lease_until < $4)",
      [teamId, requesterId, id, this.clock()],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async claimDue(now: Date, maxLatenessMs: number, limit: number): Promise<ScheduledRescue[]> {
    return this.claim(now, maxLatenessMs, limit, undefined);
  }

  async claimDueLeased(now: Date, maxLatenessMs: number, limit: number, leaseMs: number): Promise<ScheduledRescue[]> {
    return this.claim(now, maxLatenessMs, limit, Math.max(1, leaseMs));
  }

  async settle(id: string, status: 'fired' | 'missed'): Promise<boolean> {
    const r = await this.db.query("UPDATE scheduled_rescues SET status = $2, lease_until = NULL WHERE id = $1 AND status = 'pending'", [id, status]);
    return (r.rowCount ?? 0) > 0;
  }

  async renew(ids: readonly string[], now: Date, leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query("UPDATE scheduled_rescues SET lease_until = $2 WHERE id = ANY($1::text[]) AND status = 'pending' AND lease_until IS NOT NULL", [
      [...ids],
      new Date(now.getTime() + Math.max(1, leaseMs)),
    ]);
  }

  /**
   * One statement: picks due entries nobody holds (SKIP LOCKED: concurrent claimers never wait for
   * or get the same rows), then either finishes them or leases them.
   */
  private async claim(now: Date, maxLatenessMs: number, limit: number, leaseMs: number | undefined): Promise<ScheduledRescue[]> {
    const n = Math.max(0, Math.floor(limit));
    if (n === 0) return [];
    const outcome = "CASE WHEN s.due_at >= $2 THEN 'fired' ELSE 'missed' END";
    const set = leaseMs === undefined ? `status = ${outcome}, claimed_at = $1, lease_until = NULL` : `lease_until = $4, claimed_at = $1`;
    const r = await this.db.query<ScheduleRow & { outcome: string }>(
      `WITH due AS (
         SELECT id, claimed_at AS claimed_before FROM scheduled_rescues
         WHERE status = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
         ORDER BY due_at, id
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       )
       UPDATE scheduled_rescues AS s SET ${set}
       FROM due WHERE s.id = due.id
       RETURNING ${SCHEDULE_COLUMNS.split(', ')
         .map((c) => `s.${c}`)
         .join(', ')}, ${outcome} AS outcome, ${leaseMs === undefined ? 'false' : 'due.claimed_before IS NOT NULL'} AS taken_over`,
      [now, new Date(now.getTime() - maxLatenessMs), n, ...(leaseMs === undefined ? [] : [new Date(now.getTime() + leaseMs)])],
    );
    return r.rows
      .map((row) => fromScheduleRow({ ...row, status: row.outcome }))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

export class PgTones implements ToneList {
  constructor(private readonly db: PgDatabase) {}

  async get(): Promise<string[] | undefined> {
    const r = await this.db.query<{ tones: string[] }>('SELECT tones FROM tone_list WHERE id = 1');
    return r.rows[0]?.tones;
  }

  async set(tones: readonly string[]): Promise<void> {
    await this.db.query('INSERT INTO tone_list (id, tones, updated_at) VALUES (1, $1, now()) ON CONFLICT (id) DO UPDATE SET tones = excluded.tones, updated_at = excluded.updated_at', [
      [...tones],
    ]);
  }
}
