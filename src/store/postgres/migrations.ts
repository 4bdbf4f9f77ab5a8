/**
 * Versioned Postgres schema, applied at start-up under a session advisory lock, so replicas starting
 * together migrate one after the other (the second finds nothing left to do). Each migration runs in
 * its own transaction (Postgres DDL is transactional) and is recorded in `schema_migrations`.
 *
 * Mirrors the SQLite list (src/store/migrations.ts) table for table; APPEND only, never edit a
 * released entry. Identifiers use COLLATE "C" so ordering matches SQLite's byte order.
 */
import type pg from 'pg';
import { StoreSchemaTooNew } from '../errors.js';
import type { PgDatabase } from './database.js';
import { LOCK, LOCK_SPACE } from './locks.js';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'phone directory',
    sql: `
      CREATE TABLE phone_registrations (
        team_id          text COLLATE "C" NOT NULL,
        user_id          text COLLATE "C" NOT NULL,
        key_id           text NOT NULL,
        sealed           bytea NOT NULL,
        tone             text,
        rings            integer,
        interval_seconds double precision,
        permission       text NOT NULL DEFAULT 'anyone' CHECK (permission IN ('anyone', 'buddies', 'only_me')),
        buddies          text[] NOT NULL DEFAULT '{}',
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL,
        PRIMARY KEY (team_id, user_id)
      );
      CREATE INDEX phone_registrations_key_id ON phone_registrations (key_id, team_id, user_id);`,
  },
  {
    version: 2,
    name: 'key checks',
    sql: `
      CREATE TABLE store_key_checks (
        key_id      text PRIMARY KEY,
        check_value bytea NOT NULL,
        created_at  timestamptz NOT NULL
      );`,
  },
  {
    version: 3,
    name: 'audit log',
    sql: `
      CREATE TABLE audit_log (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at          timestamptz NOT NULL,
        team_id     text NOT NULL,
        actor_id    text NOT NULL,
        target_id   text,
        action      text NOT NULL,
        outcome     text NOT NULL,
        error_class text,
        detail      text
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_actor ON audit_log (team_id, actor_id, at);
      CREATE INDEX audit_log_target ON audit_log (team_id, target_id, at);`,
  },
  {
    version: 4,
    name: 'rate limit hits',
    sql: `
      CREATE TABLE rate_hits (
        bucket text NOT NULL,
        at     timestamptz NOT NULL
      );
      CREATE INDEX rate_hits_bucket_at ON rate_hits (bucket, at);
      CREATE INDEX rate_hits_at ON rate_hits (at);`,
  },
  {
    version: 5,
    name: 'scheduled rescues',
    sql: `
      CREATE TABLE scheduled_rescues (
        id           text COLLATE "C" PRIMARY KEY,
        team_id      text NOT NULL,
        requester_id text NOT NULL,
        target_id    text NOT NULL,
        due_at       timestamptz NOT NULL,
        cover_story  text,
        reply_to     text,
        status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled', 'missed')),
        created_at   timestamptz NOT NULL,
        claimed_at   timestamptz
      );
      CREATE INDEX scheduled_rescues_pending_due ON scheduled_rescues (due_at) WHERE status = 'pending';
      CREATE INDEX scheduled_rescues_requester ON scheduled_rescues (team_id, requester_id, status);`,
  },
  {
    version: 6,
    name: 'tone list',
    sql: `
      CREATE TABLE tone_list (
        id         integer PRIMARY KEY CHECK (id = 1),
        tones      text[] NOT NULL,
        updated_at timestamptz NOT NULL
      );`,
  },
  {
    version: 7,
    name: 'phone leases',
    // One request per phone across replicas: a lease with an expiry (database clock), renewed while
    // held, so a replica that dies never blocks a phone for longer than one lease.
    sql: `
      CREATE TABLE phone_leases (
        phone_key  text PRIMARY KEY,
        holder     text NOT NULL,
        expires_at timestamptz NOT NULL
      );`,
  },
  {
    version: 8,
    name: 'schedule leases',
    sql: 'ALTER TABLE scheduled_rescues ADD COLUMN lease_until timestamptz',
  },
];

export function checkPgMigrationList(list: readonly PgMigration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Postgres migration "${m.name}" has version ${m.version}; expected ${i + 1} (append, never reorder)`);
  });
}

async function latest(client: pg.PoolClient): Promise<number> {
  const r = await client.query<{ v: number | null }>('SELECT MAX(version)::int AS v FROM schema_migrations');
  return r.rows[0]?.v ?? 0;
}

/** Applies every pending migration under the migrations advisory lock; returns the versions this call applied. */
export async function migratePg(db: PgDatabase, list: readonly PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  checkPgMigrationList(list);
  return db.withClient(async (client) => {
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_SPACE, LOCK.migrations]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const found = await latest(client);
      if (found > list.length) throw new StoreSchemaTooNew(db.where, found, list.length);
      const applied: number[] = [];
      for (const m of list) {
        if (m.version <= found) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_SPACE, LOCK.migrations]).catch(() => undefined);
    }
  });
}
