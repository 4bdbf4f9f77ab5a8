/**
 * `migrate-store --from sqlite --to postgres`: copies a SQLite store into Postgres as it is. The
 * directory stays sealed (key ids and sealed bytes copied byte for byte; no key is needed or used),
 * the state tables come along, and everything lands in ONE Postgres transaction that ends with a
 * verification: every source row must be present in the target, or nothing is committed.
 *
 * Re-runnable: registrations, key checks, schedules and the tone list are upserted (the SQLite file
 * is the source of truth while migrating); audit entries and rate-limit hits are added only when an
 * identical one is not already there, so a second run adds nothing.
 */
import type { Database } from 'better-sqlite3';
import type pg from 'pg';
import { AppError } from '../../errors.js';
import { REGISTRATION_COLUMN_LIST, REGISTRATION_COLUMNS, REGISTRATION_UPSERT_SET, type RegistrationColumn } from '../columns.js';
import type { PgDatabase } from './database.js';

export interface TableCopy {
  table: string;
  /** Rows in the SQLite file. */
  source: number;
  /** Rows in Postgres after the copy (may exceed `source` when Postgres already had rows). */
  target: number;
  /** Source rows that were not in Postgres before this run. */
  added: number;
}

export interface CopyReport {
  tables: TableCopy[];
}

export class StoreCopyMismatch extends AppError {
  readonly code = 'StoreCopyMismatch';
}

interface Spec {
  table: string;
  /** Temp table columns (SQLite values are bound as arrays and unnested). */
  columns: { name: string; pgType: string; from: (row: Record<string, unknown>) => unknown }[];
  /** Statement that moves tmp rows into the real table. */
  merge: string;
  /** How many tmp rows are now present in the real table (must equal the source count). */
  present: string;
  /** Source rows not yet in the target (counted before the merge). */
  missing: string;
}

const ms = (v: unknown): string => String(v); // bound as bigint text; exact
const ts = (col: string): string => `timestamptz 'epoch' + ${col} * interval '1 millisecond'`;
const same = (a: string, b: string): string => `${a} IS NOT DISTINCT FROM ${b}`;

/**
 * How each registration column travels: its temp-table type (SQLite values as they are stored: buddies
 * as JSON text, times as epoch milliseconds) and how the merge turns it into the Postgres column.
 */
const REGISTRATION_COPY: Record<RegistrationColumn, { pgType: string; select?: string }> = {
  team_id: { pgType: 'text' },
  user_id: { pgType: 'text' },
  key_id: { pgType: 'text' },
  sealed: { pgType: 'bytea' },
  tone: { pgType: 'text' },
  rings: { pgType: 'integer' },
  interval_seconds: { pgType: 'double precision' },
  permission: { pgType: 'text' },
  buddies: { pgType: 'text', select: 'ARRAY(SELECT jsonb_array_elements_text(buddies::jsonb))' },
  created_at: { pgType: 'bigint', select: ts('created_at') },
  updated_at: { pgType: 'bigint', select: ts('updated_at') },
};

const SPECS: Spec[] = [
  {
    table: 'phone_registrations',
    columns: REGISTRATION_COLUMNS.map(({ column }) => {
      const copy = REGISTRATION_COPY[column];
      return { name: column, pgType: copy.pgType, from: (r) => (copy.pgType === 'bigint' ? ms(r[column]) : r[column]) };
    }),
    // A copy replaces created_at too: the SQLite file is the source of truth while migrating.
    merge: `INSERT INTO phone_registrations (${REGISTRATION_COLUMN_LIST})
      SELECT ${REGISTRATION_COLUMNS.map(({ column }) => REGISTRATION_COPY[column].select ?? column).join(', ')} FROM tmp_copy
      ON CONFLICT (team_id, user_id) DO UPDATE SET ${REGISTRATION_UPSERT_SET}, created_at = excluded.created_at`,
    present: `SELECT COUNT(*)::int AS n FROM tmp_copy t JOIN phone_registrations p ON p.team_id = t.team_id AND p.user_id = t.user_id
      WHERE p.key_id = t.key_id AND p.sealed = t.sealed`,
    missing: `SELECT COUNT(*)::int AS n FROM tmp_copy t WHERE NOT EXISTS (SELECT 1 FROM phone_registrations p WHERE p.team_id = t.team_id AND p.user_id = t.user_id)`,
  },
  {
    table: 'store_key_checks',
    columns: [
      { name: 'key_id', pgType: 'text', from: (r) => r.key_id },
      { name: 'check_value', pgType: 'bytea', from: (r) => r.check_value },
      { name: 'created_at', pgType: 'bigint', from: (r) => ms(r.created_at) },
    ],
    merge: `INSERT INTO store_key_checks (key_id, check_value, created_at) SELECT key_id, check_value, ${ts('created_at')} FROM tmp_copy ON CONFLICT (key_id) DO NOTHING`,
    present: 'SELECT COUNT(*)::int AS n FROM tmp_copy t JOIN store_key_checks k ON k.key_id = t.key_id AND k.check_value = t.check_value',
    missing: 'SELECT COUNT(*)::int AS n FROM tmp_copy t WHERE NOT EXISTS (SELECT 1 FROM store_key_checks k WHERE k.key_id = t.key_id)',
  },
  {
    table: 'audit_log',
    columns: [
      { name: 'at', pgType: 'bigint', from: (r) => ms(r.at) },
      { name: 'team_id', pgType: 'text', from: (r) => r.team_id },
      { name: 'actor_id', pgType: 'text', from: (r) => r.actor_id },
      { name: 'target_id', pgType: 'text', from: (r) => r.target_id },
      { name: 'action', pgType: 'text', from: (r) => r.action },
      { name: 'outcome', pgType: 'text', from: (r) => r.outcome },
      { name: 'error_class', pgType: 'text', from: (r) => r.error_class },
      { name: 'detail', pgType: 'text', from: (r) => r.detail },
    ],
    merge: `INSERT INTO audit_log (at, team_id, actor_id, target_id, action, outcome, error_class, detail)
      SELECT ${ts('at')}, team_id, actor_id, target_id, action, outcome, error_class, detail FROM tmp_copy t
      WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.at = ${ts('t.at')} AND a.team_id = t.team_id AND a.actor_id = t.actor_id
        AND ${same('a.target_id', 't.target_id')} AND a.action = t.action AND a.outcome = t.outcome
        AND ${same('a.error_class', 't.error_class')} AND ${same('a.detail', 't.detail')})
      ORDER BY t.at`,
    present: `SELECT COUNT(*)::int AS n FROM tmp_copy t WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.at = ${ts('t.at')} AND a.team_id = t.team_id
      AND a.actor_id = t.actor_id AND ${same('a.target_id', 't.target_id')} AND a.action = t.action AND a.outcome = t.outcome
      AND ${same('a.error_class', 't.error_class')} AND ${same('a.detail', 't.detail')})`,
    missing: `SELECT COUNT(*)::int AS n FROM tmp_copy t WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.at = ${ts('t.at')} AND a.team_id = t.team_id
      AND a.actor_id = t.actor_id AND ${same('a.target_id', 't.target_id')} AND a.action = t.action AND a.outcome = t.outcome
      AND ${same('a.error_class', 't.error_class')} AND ${same('a.detail', 't.detail')})`,
  },
  {
    table: 'rate_hits',
    columns: [
      { name: 'bucket', pgType: 'text', from: (r) => r.bucket },
      { name: 'at', pgType: 'bigint', from: (r) => ms(r.at) },
    ],
    merge: `INSERT INTO rate_hits (bucket, at) SELECT bucket, ${ts('at')} FROM tmp_copy t
      WHERE NOT EXISTS (SELECT 1 FROM rate_hits h WHERE h.bucket = t.bucket AND h.at = ${ts('t.at')})`,
    present: `SELECT COUNT(*)::int AS n FROM tmp_copy t WHERE EXISTS (SELECT 1 FROM rate_hits h WHERE h.bucket = t.bucket AND h.at = ${ts('t.at')})`,
    missing: `SELECT COUNT(*)::int AS n FROM tmp_copy t WHERE NOT EXISTS (SELECT 1 FROM rate_hits h WHERE h.bucket = t.bucket AND h.at = ${ts('t.at')})`,
  },
  {
    table: 'scheduled_rescues',
    columns: [
      { name: 'id', pgType: 'text', from: (r) => r.id },
      { name: 'team_id', pgType: 'text', from: (r) => r.team_id },
      { name: 'requester_id', pgType: 'text', from: (r) => r.requester_id },
      { name: 'target_id', pgType: 'text', from: (r) => r.target_id },
      { name: 'due_at', pgType: 'bigint', from: (r) => ms(r.due_at) },
      { name: 'cover_story', pgType: 'text', from: (r) => r.cover_story },
      { name: 'reply_to', pgType: 'text', from: (r) => r.reply_to },
      { name: 'status', pgType: 'text', from: (r) => r.status },
      { name: 'created_at', pgType: 'bigint', from: (r) => ms(r.created_at) },
      { name: 'claimed_at', pgType: 'bigint', from: (r) => (r.claimed_at === null ? null : ms(r.claimed_at)) },
    ],
    merge: `INSERT INTO scheduled_rescues (id, team_id, requester_id, target_id, due_at, cover_story, reply_to, status, created_at, claimed_at)
      SELECT id, team_id, requester_id, target_id, ${ts('due_at')}, cover_story, reply_to, status, ${ts('created_at')},
             CASE WHEN claimed_at IS NULL THEN NULL ELSE ${ts('claimed_at')} END FROM tmp_copy
      ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id, requester_id = excluded.requester_id, target_id = excluded.target_id,
        due_at = excluded.due_at, cover_story = excluded.cover_story, reply_to = excluded.reply_to, status = excluded.status,
        created_at = excluded.created_at, claimed_at = excluded.claimed_at`,
    present: 'SELECT COUNT(*)::int AS n FROM tmp_copy t JOIN scheduled_rescues s ON s.id = t.id AND s.status = t.status',
    missing: 'SELECT COUNT(*)::int AS n FROM tmp_copy t WHERE NOT EXISTS (SELECT 1 FROM scheduled_rescues s WHERE s.id = t.id)',
  },
  {
    table: 'tone_list',
    columns: [
      { name: 'id', pgType: 'integer', from: (r) => r.id },
      { name: 'tones', pgType: 'text', from: (r) => r.tones },
      { name: 'updated_at', pgType: 'bigint', from: (r) => ms(r.updated_at) },
    ],
    merge: `INSERT INTO tone_list (id, tones, updated_at) SELECT id, ARRAY(SELECT jsonb_array_elements_text(tones::jsonb)), ${ts('updated_at')} FROM tmp_copy
      ON CONFLICT (id) DO UPDATE SET tones = excluded.tones, updated_at = excluded.updated_at`,
    present: 'SELECT COUNT(*)::int AS n FROM tmp_copy t JOIN tone_list l ON l.id = t.id AND l.tones = ARRAY(SELECT jsonb_array_elements_text(t.tones::jsonb))',
    missing: 'SELECT COUNT(*)::int AS n FROM tmp_copy t WHERE NOT EXISTS (SELECT 1 FROM tone_list l WHERE l.id = t.id)',
  },
];

async function count(client: pg.PoolClient, sql: string): Promise<number> {
  return (await client.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
}

/** Refuses to mix two stores sealed with different keys under the same key id. */
async function checkKeysAgree(client: pg.PoolClient, sqlite: Database): Promise<void> {
  const source = sqlite.prepare<[], { key_id: string; check_value: Buffer }>('SELECT key_id, check_value FROM store_key_checks').all();
  const target = new Map((await client.query<{ key_id: string; check_value: Buffer }>('SELECT key_id, check_value FROM store_key_checks')).rows.map((r) => [r.key_id, r.check_value]));
  const clash = source.filter((s) => target.has(s.key_id) && !target.get(s.key_id)?.equals(s.check_value)).map((s) => s.key_id);
  if (clash.length > 0) {
    throw new StoreCopyMismatch(
      `The Postgres database already holds registrations sealed with a different key under the id(s) ${clash.map((c) => `"${c}"`).join(', ')}; copying would mix two stores. Nothing was copied.`,
      'Point DATABASE_URL at a new, empty database (or the one this SQLite store was copied to before), or give the keys distinct ids before merging.',
    );
  }
}

export async function copySqliteToPostgres(sqlite: Database, target: PgDatabase, options: { batchSize?: number; onTable?: (t: TableCopy) => void } = {}): Promise<CopyReport> {
  const batchSize = Math.max(1, options.batchSize ?? 1_000);
  return target.transaction(async (client) => {
    await checkKeysAgree(client, sqlite);
    const tables: TableCopy[] = [];
    for (const spec of SPECS) {
      await client.query(`CREATE TEMP TABLE tmp_copy (${spec.columns.map((c) => `${c.name} ${c.pgType}`).join(', ')}) ON COMMIT DROP`);
      const source = sqlite.prepare<[], Record<string, unknown>>(`SELECT ${spec.columns.map((c) => c.name).join(', ')} FROM ${spec.table}`);
      let batch: Record<string, unknown>[] = [];
      let n = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const arrays = spec.columns.map((c) => batch.map((row) => c.from(row)));
        const unnest = spec.columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(', ');
        await client.query(`INSERT INTO tmp_copy SELECT * FROM unnest(${unnest})`, arrays);
        n += batch.length;
        batch = [];
      };
      for (const row of source.iterate()) {
        batch.push(row);
        if (batch.length >= batchSize) await flush();
      }
      await flush();
      const missing = await count(client, spec.missing);
      await client.query(spec.merge);
      const present = await count(client, spec.present);
      if (present !== n) {
        throw new StoreCopyMismatch(
          `Verification failed for ${spec.table}: ${n} rows in the SQLite store but ${present} of them found in Postgres after the copy. Nothing was copied.`,
          'Run the command again; if it fails the same way, keep using the SQLite store and report the problem.',
        );
      }
      const total = await count(client, `SELECT COUNT(*)::int AS n FROM ${spec.table}`);
      const copy = { table: spec.table, source: n, target: total, added: missing };
      tables.push(copy);
      options.onTable?.(copy);
      await client.query('DROP TABLE tmp_copy');
    }
    return { tables };
  });
}
