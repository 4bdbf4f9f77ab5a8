/**
 * The Postgres RowStore: the same sealed rows as SQLite (sealing happens in EncryptedDirectory, in
 * this process; Postgres only ever sees key ids and sealed bytes).
 */
import { StoreWriteConflict } from '../errors.js';
import { guardConflicts, type RowStore, type SealSwap, type StoredRow } from '../rows.js';
import type { UserKey } from '../types.js';
import {
  buddyList,
  REGISTRATION_COLUMN_LIST as COLUMNS,
  REGISTRATION_COLUMNS,
  REGISTRATION_UPSERT_SET,
  registrationFrom,
  registrationValues,
  type RegistrationCodecs,
  type RegistrationColumn,
  type StoredColumns,
} from '../columns.js';
import type { PgDatabase } from './database.js';
import { ROW_LOCK_SPACE } from './locks.js';

/** Rows per INSERT statement (one array parameter per column). */
const UPSERT_CHUNK = 1_000;

/**
 * Postgres stores every field natively but buddies, which go through unnest as JSON text (unnest
 * cannot take an array of arrays) and come back as text[].
 */
const PG_CODECS: RegistrationCodecs = {
  buddies: { write: (b) => JSON.stringify(b), read: buddyList, whenDamaged: [] },
};

/** How each column is bound as an array for unnest, and read back from it. */
const PG_UNNEST: Record<RegistrationColumn, { arrayType: string; select?: string }> = {
  team_id: { arrayType: 'text[]' },
  user_id: { arrayType: 'text[]' },
  key_id: { arrayType: 'text[]' },
  sealed: { arrayType: 'bytea[]' },
  tone: { arrayType: 'text[]' },
  rings: { arrayType: 'int[]' },
  interval_seconds: { arrayType: 'float8[]' },
  permission: { arrayType: 'text[]' },
  buddies: { arrayType: 'text[]', select: 'ARRAY(SELECT jsonb_array_elements_text(buddies::jsonb))' },
  created_at: { arrayType: 'timestamptz[]' },
  updated_at: { arrayType: 'timestamptz[]' },
};

const UPSERT = `INSERT INTO phone_registrations (${COLUMNS})
  SELECT ${REGISTRATION_COLUMNS.map(({ column }) => PG_UNNEST[column].select ?? column).join(', ')}
  FROM unnest(${REGISTRATION_COLUMNS.map(({ column }, i) => `$${i + 1}::${PG_UNNEST[column].arrayType}`).join(', ')}) AS x(${COLUMNS})
  ON CONFLICT (team_id, user_id) DO UPDATE SET ${REGISTRATION_UPSERT_SET}
  RETURNING team_id, user_id, created_at`;

const fromRow = (r: StoredColumns): StoredRow => registrationFrom(r, PG_CODECS);

/** The rows' values as one array per column, in column order (the unnest parameters). */
function columnArrays(rows: readonly StoredRow[]): unknown[][] {
  const arrays: unknown[][] = REGISTRATION_COLUMNS.map(() => []);
  for (const row of rows) registrationValues(row, PG_CODECS).forEach((v, i) => arrays[i]?.push(v));
  return arrays;
}

export class PgRows implements RowStore {
  readonly engine = 'postgres';

  constructor(readonly db: PgDatabase) {}

  async get(key: UserKey): Promise<StoredRow | undefined> {
    const r = await this.db.query<StoredColumns>(`SELECT ${COLUMNS} FROM phone_registrations WHERE team_id = $1 AND user_id = $2`, [key.teamId, key.userId]);
    const row = r.rows[0];
    return row === undefined ? undefined : fromRow(row);
  }

  /** One statement per chunk of rows (unnest), all in one transaction: a 10,000-row CSV import is a few round trips. */
  async upsert(rows: readonly StoredRow[], guards: readonly (Date | null | undefined)[] = []): Promise<StoredRow[]> {
    if (rows.length === 0) return [];
    const keyOf = (r: UserKey): string => JSON.stringify([r.teamId, r.userId]);
    // The same user twice in one statement is an error in Postgres; such a batch goes row by row (the last one wins, as in SQLite).
    const distinct = new Set(rows.map(keyOf)).size === rows.length;
    const chunks: (readonly StoredRow[])[] = [];
    for (let i = 0; i < rows.length; i += distinct ? UPSERT_CHUNK : 1) chunks.push(rows.slice(i, i + (distinct ? UPSERT_CHUNK : 1)));
    return this.db.transaction(async (client) => {
      const guarded = rows.filter((_, i) => guards[i] !== undefined);
      if (guarded.length > 0) {
        // Guarded writers of the same users wait for each other (a lock per user, taken in one order,
        // so an insert of a row that did not exist cannot race another); existing rows are locked too.
        await client.query(
          `SELECT pg_advisory_xact_lock($1, k) FROM (SELECT DISTINCT hashtext(t || ' ' || u) AS k FROM unnest($2::text[], $3::text[]) AS x(t, u) ORDER BY k) AS keys`,
          [ROW_LOCK_SPACE, guarded.map((r) => r.teamId), guarded.map((r) => r.userId)],
        );
        const stored = await client.query<{ team_id: string; user_id: string; updated_at: Date }>(
          `SELECT team_id, user_id, updated_at FROM phone_registrations
           WHERE (team_id, user_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) FOR UPDATE`,
          [guarded.map((r) => r.teamId), guarded.map((r) => r.userId)],
        );
        const at = new Map(stored.rows.map((r) => [keyOf({ teamId: r.team_id, userId: r.user_id }), r.updated_at]));
        const conflicts = guardConflicts(rows, guards, (k) => at.get(keyOf(k)));
        if (conflicts.length > 0) throw new StoreWriteConflict(conflicts);
      }
      const created = new Map<string, Date>();
      for (const chunk of chunks) {
        const res = await client.query<{ team_id: string; user_id: string; created_at: Date }>(UPSERT, columnArrays(chunk));
        for (const row of res.rows) created.set(keyOf({ teamId: row.team_id, userId: row.user_id }), row.created_at);
      }
      return rows.map((r) => ({ ...r, createdAt: created.get(keyOf(r)) ?? r.createdAt }));
    });
  }

  async remove(key: UserKey): Promise<boolean> {
    const r = await this.db.query('DELETE FROM phone_registrations WHERE team_id = $1 AND user_id = $2', [key.teamId, key.userId]);
    return (r.rowCount ?? 0) > 0;
  }

  async list(filter: { teamId?: string } = {}): Promise<StoredRow[]> {
    const r =
      filter.teamId === undefined
        ? await this.db.query<StoredColumns>(`SELECT ${COLUMNS} FROM phone_registrations ORDER BY team_id, user_id`)
        : await this.db.query<StoredColumns>(`SELECT ${COLUMNS} FROM phone_registrations WHERE team_id = $1 ORDER BY user_id`, [filter.teamId]);
    return r.rows.map(fromRow);
  }

  async teams(): Promise<string[]> {
    return (await this.db.query<{ team_id: string }>('SELECT DISTINCT team_id FROM phone_registrations ORDER BY team_id')).rows.map((r) => r.team_id);
  }

  async count(filter: { keyId?: string } = {}): Promise<number> {
    const r =
      filter.keyId === undefined
        ? await this.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM phone_registrations')
        : await this.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM phone_registrations WHERE key_id = $1', [filter.keyId]);
    return r.rows[0]?.n ?? 0;
  }

  async rowsNotUnderKey(keyId: string, after: UserKey | undefined, limit: number): Promise<StoredRow[]> {
    const r =
      after === undefined
        ? await this.db.query<StoredColumns>(`SELECT ${COLUMNS} FROM phone_registrations WHERE key_id <> $1 ORDER BY team_id, user_id LIMIT $2`, [keyId, limit])
        : await this.db.query<StoredColumns>(
            `SELECT ${COLUMNS} FROM phone_registrations WHERE key_id <> $1 AND (team_id, user_id) > ($2, $3) ORDER BY team_id, user_id LIMIT $4`,
            [keyId, after.teamId, after.userId, limit],
          );
    return r.rows.map(fromRow);
  }

  async swapSeals(swaps: readonly SealSwap[]): Promise<number> {
    if (swaps.length === 0) return 0;
    const now = new Date();
    return this.db.transaction(async (client) => {
      let changed = 0;
      for (const s of swaps) {
        const r = await client.query(
          `UPDATE phone_registrations SET key_id = $1, sealed = $2, updated_at = $3
           WHERE team_id = $4 AND user_id = $5 AND key_id = $6 AND sealed = $7`,
          [s.keyId, s.sealed, now, s.teamId, s.userId, s.fromKeyId, s.fromSealed],
        );
        changed += r.rowCount ?? 0;
      }
      return changed;
    });
  }

  async keyChecks(): Promise<Map<string, Buffer>> {
    const r = await this.db.query<{ key_id: string; check_value: Buffer }>('SELECT key_id, check_value FROM store_key_checks');
    return new Map(r.rows.map((row) => [row.key_id, row.check_value]));
  }

  async recordKeyCheck(keyId: string, check: Buffer): Promise<void> {
    await this.db.query('INSERT INTO store_key_checks (key_id, check_value, created_at) VALUES ($1, $2, now()) ON CONFLICT (key_id) DO NOTHING', [keyId, check]);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
