/**
 * The operational state (audit log, rate limits, scheduled rescues, tone list) on the SQLite file,
 * sharing the directory's connection. Every read-decide-write runs in one IMMEDIATE transaction, so
 * it is atomic across the processes sharing the file (the bot and the CLI).
 */
import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { AuditEntry, AuditLog, RateDecision, RateLimiter, RateRule, ScheduledRescue, ScheduleStore, Store, ToneList } from './state-types.js';
import type { Keyring } from './keyring.js';
import { openDirectory } from './directory.js';
import { guard, openSqliteDatabase, sqliteSite, SqliteRows, type SqliteSite } from './sqlite.js';
import { sqliteHealth } from './sqlite-health.js';
import { auditLimit, checkAuditEntry, checkRules, checkSchedule, claimedStatus, compact, retryAfterMs } from './state/checks.js';
import { WhereBuilder } from './state/where.js';
import { fromScheduleRow, pendingQuery, SCHEDULE_COLUMNS, type ScheduleRow } from './state/schedule-row.js';

interface AuditRow {
  at: number;
  team_id: string;
  actor_id: string;
  target_id: string | null;
  action: string;
  outcome: string;
  error_class: string | null;
  detail: string | null;
}

export class SqliteAudit implements AuditLog {
  private readonly insert: Statement<unknown[]>;
  private readonly del: Statement<[number]>;
  private readonly site: SqliteSite;
  constructor(private readonly db: Database) {
    this.site = sqliteSite(db);
    this.insert = db.prepare('INSERT INTO audit_log (at, team_id, actor_id, target_id, action, outcome, error_class, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.del = db.prepare('DELETE FROM audit_log WHERE at < ?');
  }

  async record(e: AuditEntry): Promise<void> {
    checkAuditEntry(e);
    guard(this.site, () => this.insert.run(e.at.getTime(), e.teamId, e.actorId, e.targetId ?? null, e.action, e.outcome, e.errorClass ?? null, e.detail ?? null));
  }

  async query(filter: { teamId?: string; userId?: string; since?: Date; limit?: number }): Promise<AuditEntry[]> {
    const where = new WhereBuilder(false);
    if (filter.teamId !== undefined) where.add('team_id = ?', filter.teamId);
    if (filter.userId !== undefined) where.add('(actor_id = ? OR target_id = ?)', filter.userId, filter.userId);
    if (filter.since !== undefined) where.add('at >= ?', filter.since.getTime());
    const sql = `SELECT at, team_id, actor_id, target_id, action, outcome, error_class, detail FROM audit_log
      ${where.sql} ORDER BY at DESC, id DESC LIMIT ${where.next(auditLimit(filter.limit))}`;
    const rows = guard(this.site, () => this.db.prepare<unknown[], AuditRow>(sql).all(...where.values));
    return rows.map((r) =>
      compact<AuditEntry>({
        at: new Date(r.at),
        teamId: r.team_id,
        actorId: r.actor_id,
        targetId: r.target_id ?? undefined,
        action: r.action as AuditEntry['action'],
        outcome: r.outcome as AuditEntry['outcome'],
        errorClass: r.error_class ?? undefined,
        detail: r.detail ?? undefined,
      }),
    );
  }

  async prune(before: Date): Promise<number> {
    return guard(this.site, () => this.del.run(before.getTime()).changes);
  }
}

export class SqliteRateLimiter implements RateLimiter {
  private readonly count: Statement<[string, number], { n: number }>;
  private readonly pivot: Statement<[string, number, number], { at: number }>;
  private readonly hit: Statement<[string, number]>;
  private readonly del: Statement<[number]>;
  private readonly takeTx: (rules: readonly RateRule[], now: number) => RateDecision;

  private readonly site: SqliteSite;

  constructor(private readonly db: Database) {
    this.site = sqliteSite(db);
    this.count = db.prepare('SELECT COUNT(*) AS n FROM rate_hits WHERE bucket = ? AND at > ?');
    this.pivot = db.prepare('SELECT at FROM rate_hits WHERE bucket = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?');
    this.hit = db.prepare('INSERT INTO rate_hits (bucket, at) VALUES (?, ?)');
    this.del = db.prepare('DELETE FROM rate_hits WHERE at < ?');
    const tx = db.transaction((rules: readonly RateRule[], now: number): RateDecision => {
      for (const rule of rules) {
        const since = now - rule.windowMs;
        const n = this.count.get(rule.bucket, since)?.n ?? 0;
        if (n >= rule.max) {
          const at = this.pivot.get(rule.bucket, since, n - rule.max)?.at ?? now;
          return { ok: false, bucket: rule.bucket, retryAfterMs: retryAfterMs(at, rule, new Date(now)) };
        }
      }
      for (const rule of rules) this.hit.run(rule.bucket, now);
      return { ok: true };
    });
    this.takeTx = (rules, now) => tx.immediate(rules, now);
  }

  async take(rules: readonly RateRule[], now: Date): Promise<RateDecision> {
    checkRules(rules);
    return guard(this.site, () => this.takeTx(rules, now.getTime()));
  }

  async prune(before: Date): Promise<number> {
    return guard(this.site, () => this.del.run(before.getTime()).changes);
  }
}

export class SqliteSchedules implements ScheduleStore {
  private readonly insert: Statement<unknown[]>;
  private readonly cancelStmt: Statement<[string, string, string, number]>;
  private readonly settleStmt: Statement<[string, string]>;
  private readonly renewStmt: Statement<[number, string]>;
  private readonly claimTx: (now: number, maxLatenessMs: number, limit: number, leaseMs: number | undefined) => ScheduledRescue[];
  private readonly site: SqliteSite;

  constructor(
    private readonly db: Database,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.site = sqliteSite(db);
    this.insert = db.prepare(`INSERT INTO scheduled_rescues (${SCHEDULE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`);
    this.cancelStmt = db.prepare(
      "UPDATE scheduled_rescues SET status = 'cancelled' WHERE team_id = ? AND requester_id = ? AND id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)",
    );
    const due = db.prepare<[number, number, number], ScheduleRow & { claimed_at: number | null }>(
      `SELECT ${SCHEDULE_COLUMNS}, claimed_at FROM scheduled_rescues WHERE status = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY due_at, id LIMIT ?`,
    );
    const mark = db.prepare<[string, number, string]>("UPDATE scheduled_rescues SET status = ?, claimed_at = ?, lease_until = NULL WHERE id = ? AND status = 'pending'");
    const lease = db.prepare<[number, number, string]>("UPDATE scheduled_rescues SET lease_until = ?, claimed_at = ? WHERE id = ? AND status = 'pending'");
    this.settleStmt = db.prepare("UPDATE scheduled_rescues SET status = ?, lease_until = NULL WHERE id = ? AND status = 'pending'");
    this.renewStmt = db.prepare("UPDATE scheduled_rescues SET lease_until = ? WHERE id = ? AND status = 'pending' AND lease_until IS NOT NULL");
    const tx = db.transaction((now: number, maxLatenessMs: number, limit: number, leaseMs: number | undefined) =>
      due.all(now, now, limit).map((row) => {
        const status = claimedStatus(new Date(row.due_at), new Date(now), maxLatenessMs);
        if (leaseMs === undefined) mark.run(status, now, row.id);
        else lease.run(now + leaseMs, now, row.id);
        // Claimed before and still pending: whoever held it stopped before settling it.
        return fromScheduleRow({ ...row, status, ...(leaseMs !== undefined && row.claimed_at !== null ? { taken_over: true } : {}) });
      }),
    );
    this.claimTx = (now, maxLatenessMs, limit, leaseMs) => tx.immediate(now, maxLatenessMs, limit, leaseMs);
  }

  async add(entry: Omit<ScheduledRescue, 'id' | 'status' | 'createdAt'>): Promise<ScheduledRescue> {
    checkSchedule(entry);
    const stored: ScheduledRescue = compact({ ...entry, id: randomUUID(), status: 'pending' as const, createdAt: this.clock() });
    guard(this.site, () =>
      this.insert.run(stored.id, stored.teamId, stored.requesterId, stored.targetId, stored.dueAt.getTime(), stored.coverStory ?? null, stored.replyTo ?? null, stored.createdAt.getTime()),
    );
    return stored;
  }

  async pending(filter: { teamId?: string; requesterId?: string; targetId?: string }): Promise<ScheduledRescue[]> {
    const { sql, values } = pendingQuery(filter, false);
    return guard(this.site, () => this.db.prepare<unknown[], ScheduleRow>(sql).all(...values)).map(fromScheduleRow);
  }

  async cancel(teamId: string, requesterId: string, id: string): Promise<boolean> {
    return guard(this.site, () => this.cancelStmt.run(teamId, requesterId, id, this.clock().getTime()).changes > 0);
  }

  async claimDue(now: Date, maxLatenessMs: number, limit: number): Promise<ScheduledRescue[]> {
    return guard(this.site, () => this.claimTx(now.getTime(), maxLatenessMs, Math.max(0, Math.floor(limit)), undefined));
  }

  async claimDueLeased(now: Date, maxLatenessMs: number, limit: number, leaseMs: number): Promise<ScheduledRescue[]> {
    return guard(this.site, () => this.claimTx(now.getTime(), maxLatenessMs, Math.max(0, Math.floor(limit)), Math.max(1, leaseMs)));
  }

  async settle(id: string, status: 'fired' | 'missed'): Promise<boolean> {
    return guard(this.site, () => this.settleStmt.run(status, id).changes > 0);
  }

  async renew(ids: readonly string[], now: Date, leaseMs: number): Promise<void> {
    const until = now.getTime() + Math.max(1, leaseMs);
    guard(this.site, () => this.db.transaction(() => ids.forEach((id) => this.renewStmt.run(until, id))).immediate());
  }
}

export class SqliteTones implements ToneList {
  private readonly site: SqliteSite;
  constructor(private readonly db: Database) {
    this.site = sqliteSite(db);
  }

  async get(): Promise<string[] | undefined> {
    const row = guard(this.site, () => this.db.prepare<[], { tones: string }>('SELECT tones FROM tone_list WHERE id = 1').get());
    return row === undefined ? undefined : (JSON.parse(row.tones) as string[]);
  }

  async set(tones: readonly string[]): Promise<void> {
    guard(this.site, () =>
      this.db
        .prepare('INSERT INTO tone_list (id, tones, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tones = excluded.tones, updated_at = excluded.updated_at')
        .run(JSON.stringify([...tones]), Date.now()),
    );
  }
}

/** The whole store on one SQLite file and ONE connection (directory and state share it). */
export async function openSqliteStore(file: string, keyring: Keyring, busyTimeoutMs?: number): Promise<Store> {
  return sqliteStoreOn(openSqliteDatabase(file, undefined, busyTimeoutMs), keyring);
}

/** The whole store on an open, migrated connection (tests hold it to make the file fail). Closing the store closes `db`. */
export async function sqliteStoreOn(db: Database, keyring: Keyring): Promise<Store> {
  const directory = await openDirectory(new SqliteRows(db), keyring);
  const health = sqliteHealth(db);
  return {
    engine: 'sqlite',
    directory,
    audit: new SqliteAudit(db),
    limits: new SqliteRateLimiter(db),
    schedules: new SqliteSchedules(db),
    tones: new SqliteTones(db),
    health,
    close: () => directory.close(),
  };
}
