/**
 * The Postgres RowStore: the same sealed rows as SQLite (sealing happens in EncryptedDirectory, in
 * this process; Postgres only ever sees key ids and sealed bytes).
 */
import type { RowStore, SealSwap, StoredRow } from '../rows.js';
import type { RingPermission, UserKey } from '../types.js';
import type { PgDatabase } from './database.js';

interface Row {
  team_id: string;
  user_id: string;
  key_id: string;
  sealed: Buffer;
  tone: string | null;
  rings: number | null;
  interval_seconds: number | null;
  permission: string;
  buddies: string[];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'team_id, user_id, key_id, sealed, tone, rings, interval_seconds, permission, buddies, created_at, updated_at';

function fromRow(r: Row): StoredRow {
  return {
    teamId: r.team_id,
    userId: r.user_id,
    keyId: r.key_id,
    sealed: r.sealed,
    tone: r.tone,
    rings: r.rings,
    intervalSeconds: r.interval_seconds,
    permission: r.permission as RingPermission,
    buddies: r.buddies,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class PgRows implements RowStore {
  readonly engine = 'postgres';

  constructor(readonly db: PgDatabase) {}

  async get(key: UserKey): Promise<StoredRow | undefined> {
    const r = await this.db.query<Row>(`SELECT ${COLUMNS} FROM phone_registrations WHERE team_id = $1 AND user_id = $2`, [key.teamId, key.userId]);
    const row = r.rows[0];
    return row === undefined ? undefined : fromRow(row);
  }

  async upsert(rows: readonly StoredRow[]): Promise<StoredRow[]> {
    if (rows.length === 0) return [];
    return this.db.transaction(async (client) => {
      const out: StoredRow[] = [];
      for (const r of rows) {
        const res = await client.query<{ created_at: Date }>(
          `INSERT INTO phone_registrations (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (team_id, user_id) DO UPDATE SET
             key_id = excluded.key_id, sealed = excluded.sealed, tone = excluded.tone, rings = excluded.rings,
             interval_seconds = excluded.interval_seconds, permission = excluded.permission, buddies = excluded.buddies,
             updated_at = excluded.updated_at
           RETURNING created_at`,
          [r.teamId, r.userId, r.keyId, r.sealed, r.tone, r.rings, r.intervalSeconds, r.permission, r.buddies, r.createdAt, r.updatedAt],
        );
        out.push({ ...r, createdAt: res.rows[0]?.created_at ?? r.createdAt });
      }
      return out;
    });
  }

  async remove(key: UserKey): Promise<boolean> {
    const r = await this.db.query('DELETE FROM phone_registrations WHERE team_id = $1 AND user_id = $2', [key.teamId, key.userId]);
    return (r.rowCount ?? 0) > 0;
  }

  async list(filter: { teamId?: string } = {}): Promise<StoredRow[]> {
    const r =
      filter.teamId === undefined
        ? await this.db.query<Row>(`SELECT ${COLUMNS} FROM phone_registrations ORDER BY team_id, user_id`)
        : await this.db.query<Row>(`SELECT ${COLUMNS} FROM phone_registrations WHERE team_id = $1 ORDER BY user_id`, [filter.teamId]);
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
        ? await this.db.query<Row>(`SELECT ${COLUMNS} FROM phone_registrations WHERE key_id <> $1 ORDER BY team_id, user_id LIMIT $2`, [keyId, limit])
        : await this.db.query<Row>(
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
