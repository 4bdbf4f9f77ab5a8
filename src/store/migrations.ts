/**
 * Versioned SQLite schema. Applied at start-up, in order, each in its own transaction, recorded in
 * `schema_migrations`. Two processes starting together are safe: each migration runs under SQLite's
 * write lock (BEGIN IMMEDIATE) and re-checks whether it was applied meanwhile.
 *
 * To add a migration (audit log, rate limits, scheduled rescues...): APPEND an entry with the next
 * version number and a short name. Never edit or reorder a released entry; a database is never
 * migrated down. Example:
 *
 *   { version: 2, name: 'audit log', up: (db) => db.exec(`CREATE TABLE audit_log (...) STRICT`) },
 */
import type { Database } from 'better-sqlite3';
import { StoreSchemaTooNew } from './errors.js';

export interface SqliteMigration {
  version: number;
  name: string;
  up: (db: Database) => void;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'phone directory',
    up: (db) =>
      db.exec(`
        CREATE TABLE phone_registrations (
          team_id          TEXT    NOT NULL,
          user_id          TEXT    NOT NULL,
          key_id           TEXT    NOT NULL,
          sealed           BLOB    NOT NULL,
          tone             TEXT,
          rings            INTEGER,
          interval_seconds REAL,
          permission       TEXT    NOT NULL DEFAULT 'anyone' CHECK (permission IN ('anyone', 'buddies', 'only_me')),
          buddies          TEXT    NOT NULL DEFAULT '[]',
          created_at       INTEGER NOT NULL,
          updated_at       INTEGER NOT NULL,
          PRIMARY KEY (team_id, user_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX phone_registrations_key_id ON phone_registrations (key_id, team_id, user_id);
      `),
  },
  {
    version: 2,
    name: 'key checks',
    // One keyed fingerprint per key id (HMAC, reveals nothing), so a key replaced under the same id is
    // caught at start-up instead of as a wall of unreadable rows.
    up: (db) =>
      db.exec(`
        CREATE TABLE store_key_checks (
          key_id      TEXT    PRIMARY KEY,
          check_value BLOB    NOT NULL,
          created_at  INTEGER NOT NULL
        ) STRICT;
      `),
  },
  {
    version: 3,
    name: 'audit log',
    // Who did what to whose phone, when, and how it ended; never a secret. Pruned by retention.
    up: (db) =>
      db.exec(`
        CREATE TABLE audit_log (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          at          INTEGER NOT NULL,
          team_id     TEXT    NOT NULL,
          actor_id    TEXT    NOT NULL,
          target_id   TEXT,
          action      TEXT    NOT NULL,
          outcome     TEXT    NOT NULL,
          error_class TEXT,
          detail      TEXT
        ) STRICT;
        CREATE INDEX audit_log_at ON audit_log (at);
        CREATE INDEX audit_log_actor ON audit_log (team_id, actor_id, at);
        CREATE INDEX audit_log_target ON audit_log (team_id, target_id, at);
      `),
  },
  {
    version: 4,
    name: 'rate limit hits',
    // A sliding-window log: one row per allowed hit per bucket.
    up: (db) =>
      db.exec(`
        CREATE TABLE rate_hits (
          bucket TEXT    NOT NULL,
          at     INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX rate_hits_bucket_at ON rate_hits (bucket, at);
        CREATE INDEX rate_hits_at ON rate_hits (at);
      `),
  },
  {
    version: 5,
    name: 'scheduled rescues',
    up: (db) =>
      db.exec(`
        CREATE TABLE scheduled_rescues (
          id           TEXT    PRIMARY KEY,
          team_id      TEXT    NOT NULL,
          requester_id TEXT    NOT NULL,
          target_id    TEXT    NOT NULL,
          due_at       INTEGER NOT NULL,
          cover_story  TEXT,
          reply_to     TEXT,
          status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled', 'missed')),
          created_at   INTEGER NOT NULL,
          claimed_at   INTEGER
        ) STRICT;
        CREATE INDEX scheduled_rescues_due ON scheduled_rescues (status, due_at);
        CREATE INDEX scheduled_rescues_requester ON scheduled_rescues (team_id, requester_id, status);
      `),
  },
  {
    version: 6,
    name: 'tone list',
    // One row: the tones imported from the call manager's ring list (JSON array of names).
    up: (db) =>
      db.exec(`
        CREATE TABLE tone_list (
          id         INTEGER PRIMARY KEY CHECK (id = 1),
          tones      TEXT    NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
      `),
  },
  {
    version: 7,
    name: 'schedule leases',
    // Two-phase firing (claimDueLeased/settle): an entry held by a runner until lease_until (ms);
    // a runner that dies before settling lets the lease run out and another one fires it.
    up: (db) => db.exec('ALTER TABLE scheduled_rescues ADD COLUMN lease_until INTEGER'),
  },
];

/** Throws when versions are not strictly increasing from 1: caught by tests, before any database sees it. */
export function checkMigrationList(list: readonly SqliteMigration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration "${m.name}" has version ${m.version}; expected ${i + 1} (append, never reorder)`);
  });
}

/** Applies every pending migration; returns the versions applied by this call. */
export function migrate(db: Database, where: string, list: readonly SqliteMigration[] = SQLITE_MIGRATIONS): number[] {
  checkMigrationList(list);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const latest = db.prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  const found = latest.get()?.v ?? 0;
  if (found > list.length) throw new StoreSchemaTooNew(where, found, list.length);
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of list) {
    const run = db.transaction(() => {
      if ((latest.get()?.v ?? 0) >= m.version) return false;
      m.up(db);
      record.run(m.version, m.name, Date.now());
      return true;
    });
    if (run.immediate()) applied.push(m.version);
  }
  return applied;
}
