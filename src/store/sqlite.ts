/**
 * The embedded engine: better-sqlite3 on DATA_DIR/rescue-ring.db, WAL mode and a busy timeout so the
 * bot and the CLI share the file. Statements are prepared once. The driver is synchronous; the
 * RowStore interface is async so the Postgres engine fits behind the same contract.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { guardConflicts, type RowStore, type SealSwap, type StoredRow } from './rows.js';
import type { UserKey } from './types.js';
import {
  buddyList,
  REGISTRATION_COLUMN_LIST as COLUMNS,
  REGISTRATION_COLUMNS,
  REGISTRATION_UPSERT_SET,
  registrationFrom,
  registrationValues,
  type RegistrationCodecs,
  type StoredColumns,
} from './columns.js';
import { migrate, SQLITE_MIGRATIONS, type SqliteMigration } from './migrations.js';
import { StoreDatabaseEmpty, StoreUnavailable, StoreWriteConflict } from './errors.js';

export const SQLITE_FILE_NAME = 'rescue-ring.db';
export const BUSY_TIMEOUT_MS = 5_000;

export function sqlitePath(dataDir: string): string {
  return join(dataDir, SQLITE_FILE_NAME);
}

/**
 * Makes a new database file that is never seen empty: written under a temporary name (owner-only;
 * SQLite gives the -wal and -shm files the same mode) until SQLite has written its header, then linked
 * into place. If another process made the file meanwhile, that one is kept. So a 0-byte file at
 * `file` is always a file whose contents were lost, never one being created.
 */
function createDatabaseFile(file: string): void {
  const draft = `${file}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    closeSync(openSync(draft, 'wx', 0o600));
    const db = new BetterSqlite3(draft);
    try {
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
    try {
      linkSync(draft, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      // A file system without hard links (some network shares): a rename, unless the file appeared meanwhile.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
      if (!existsSync(file)) renameSync(draft, file);
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Creates the file when there is none; refuses one that exists with 0 bytes (StoreDatabaseEmpty). */
function ensureDatabaseFile(file: string): void {
  const size = statSync(file, { throwIfNoEntry: false })?.size;
  if (size === 0) throw new StoreDatabaseEmpty(file);
  if (size === undefined) createDatabaseFile(file);
}

/** Opens (creating if needed) and migrates the database file. Shared by every SQLite-backed table. */
export function openSqliteDatabase(file: string, migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS, busyTimeoutMs = BUSY_TIMEOUT_MS): Database {
  let db: Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    ensureDatabaseFile(file);
    db = new BetterSqlite3(file, { fileMustExist: true });
  } catch (err) {
    if (err instanceof StoreDatabaseEmpty) throw err;
    throw new StoreUnavailable(
      `The database file ${file} cannot be opened (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
      'Check that DATA_DIR points to a folder rescue-ring may write to, and that the disk is not full.',
      { cause: err },
    );
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Where a SQLite failure happened, for the operator's message: the file and its busy timeout. */
export interface SqliteSite {
  file: string;
  busyMs: number;
}

export function sqliteSite(db: Database): SqliteSite {
  return { file: db.name, busyMs: Number(db.pragma('busy_timeout', { simple: true })) };
}

/**
 * Turns the driver's operational failures (locked, disk full, read-only, I/O) into StoreUnavailable
 * an operator can act on; anything else passes through. Every SQLite-backed table goes through it.
 */
export function guard<T>(where: SqliteSite, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new StoreUnavailable(
        `The database ${where.file} stayed locked by another process for more than ${where.busyMs} ms.`,
        'Another rescue-ring process (the bot or a CLI command) is holding the database. Try again in a moment; if it persists, check for a stuck process.',
        { cause: err },
      );
    }
    if (code === 'SQLITE_FULL' || code === 'SQLITE_READONLY' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR'))) {
      throw new StoreUnavailable(`The database ${where.file} cannot be written (${code}).`, 'Check that the disk is not full and that rescue-ring may write to DATA_DIR.', { cause: err });
    }
    throw err;
  }
}

/** How SQLite stores what it has no type for: buddies as JSON text, times as epoch milliseconds. */
const SQLITE_CODECS: RegistrationCodecs = {
  buddies: { write: (b) => JSON.stringify(b), read: (v) => (typeof v === 'string' ? buddyList(parseJson(v)) : undefined), whenDamaged: [] },
  createdAt: { write: (d) => d.getTime(), read: (v) => (typeof v === 'number' ? new Date(v) : undefined), whenDamaged: new Date(0) },
  updatedAt: { write: (d) => d.getTime(), read: (v) => (typeof v === 'number' ? new Date(v) : undefined), whenDamaged: new Date(0) },
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const fromRow = (r: StoredColumns): StoredRow => registrationFrom(r, SQLITE_CODECS);

export class SqliteRows implements RowStore {
  readonly engine = 'sqlite';
  private readonly stmt: {
    get: Statement<[string, string], StoredColumns>;
    updatedAt: Statement<[string, string], { updated_at: number }>;
    upsert: Statement<unknown[], { created_at: number }>;
    remove: Statement<[string, string]>;
    listAll: Statement<[], StoredColumns>;
    listTeam: Statement<[string], StoredColumns>;
    teams: Statement<[], { team_id: string }>;
    count: Statement<[], { n: number }>;
    countKey: Statement<[string], { n: number }>;
    notUnderFirst: Statement<[string, number], StoredColumns>;
    notUnderAfter: Statement<[string, string, string, string, number], StoredColumns>;
    swap: Statement<[string, Buffer, number, string, string, string, Buffer]>;
    keyChecks: Statement<[], { key_id: string; check_value: Buffer }>;
    recordKeyCheck: Statement<[string, Buffer, number]>;
  };

  private readonly where: SqliteSite;

  constructor(readonly db: Database) {
    this.where = sqliteSite(db);
    this.stmt = {
      get: db.prepare(`SELECT ${COLUMNS} FROM phone_registrations WHERE team_id = ? AND user_id = ?`),
      updatedAt: db.prepare('SELECT updated_at FROM phone_registrations WHERE team_id = ? AND user_id = ?'),
      upsert: db.prepare(
        `INSERT INTO phone_registrations (${COLUMNS}) VALUES (${REGISTRATION_COLUMNS.map(() => '?').join(', ')})
         ON CONFLICT (team_id, user_id) DO UPDATE SET ${REGISTRATION_UPSERT_SET}
         RETURNING created_at`,
      ),
      remove: db.prepare('DELETE FROM phone_registrations WHERE team_id = ? AND user_id = ?'),
      listAll: db.prepare(`SELECT ${COLUMNS} FROM phone_registrations ORDER BY team_id, user_id`),
      listTeam: db.prepare(`SELECT ${COLUMNS} FROM phone_registrations WHERE team_id = ? ORDER BY user_id`),
      teams: db.prepare('SELECT DISTINCT team_id FROM phone_registrations ORDER BY team_id'),
      count: db.prepare('SELECT COUNT(*) AS n FROM phone_registrations'),
      countKey: db.prepare('SELECT COUNT(*) AS n FROM phone_registrations WHERE key_id = ?'),
      notUnderFirst: db.prepare(`SELECT ${COLUMNS} FROM phone_registrations WHERE key_id <> ? ORDER BY team_id, user_id LIMIT ?`),
      notUnderAfter: db.prepare(
        `SELECT ${COLUMNS} FROM phone_registrations
         WHERE key_id <> ? AND (team_id > ? OR (team_id = ? AND user_id > ?))
         ORDER BY team_id, user_id LIMIT ?`,
      ),
      swap: db.prepare(
        `UPDATE phone_registrations SET key_id = ?, sealed = ?, updated_at = ?
         WHERE team_id = ? AND user_id = ? AND key_id = ? AND sealed = ?`,
      ),
      keyChecks: db.prepare('SELECT key_id, check_value FROM store_key_checks'),
      recordKeyCheck: db.prepare('INSERT INTO store_key_checks (key_id, check_value, created_at) VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING'),
    };
  }

  async get(key: UserKey): Promise<StoredRow | undefined> {
    const r = guard(this.where, () => this.stmt.get.get(key.teamId, key.userId));
    return r === undefined ? undefined : fromRow(r);
  }

  async upsert(rows: readonly StoredRow[], guards: readonly (Date | null | undefined)[] = []): Promise<StoredRow[]> {
    const write = this.db.transaction((all: readonly StoredRow[]) => {
      // Inside the IMMEDIATE transaction: no other writer can change a row between this check and the write.
      const conflicts = guardConflicts(all, guards, (k) => {
        const at = this.stmt.updatedAt.get(k.teamId, k.userId)?.updated_at;
        return at === undefined ? undefined : new Date(at);
      });
      if (conflicts.length > 0) throw new StoreWriteConflict(conflicts);
      return all.map((r) => {
        const out = this.stmt.upsert.get(...registrationValues(r, SQLITE_CODECS));
        return { ...r, createdAt: new Date(out?.created_at ?? r.createdAt.getTime()) };
      });
    });
    return guard(this.where, () => write.immediate(rows));
  }

  async remove(key: UserKey): Promise<boolean> {
    return guard(this.where, () => this.stmt.remove.run(key.teamId, key.userId).changes > 0);
  }

  async list(filter: { teamId?: string } = {}): Promise<StoredRow[]> {
    const rows = guard(this.where, () => (filter.teamId === undefined ? this.stmt.listAll.all() : this.stmt.listTeam.all(filter.teamId)));
    return rows.map(fromRow);
  }

  async teams(): Promise<string[]> {
    return guard(this.where, () => this.stmt.teams.all()).map((r) => r.team_id);
  }

  async count(filter: { keyId?: string } = {}): Promise<number> {
    return guard(this.where, () => (filter.keyId === undefined ? this.stmt.count.get() : this.stmt.countKey.get(filter.keyId)))?.n ?? 0;
  }

  async rowsNotUnderKey(keyId: string, after: UserKey | undefined, limit: number): Promise<StoredRow[]> {
    const rows = guard(this.where, () =>
      after === undefined
        ? this.stmt.notUnderFirst.all(keyId, limit)
        : this.stmt.notUnderAfter.all(keyId, after.teamId, after.teamId, after.userId, limit),
    );
    return rows.map(fromRow);
  }

  async swapSeals(swaps: readonly SealSwap[]): Promise<number> {
    const now = Date.now();
    const apply = this.db.transaction((all: readonly SealSwap[]) =>
      all.reduce((n, s) => n + this.stmt.swap.run(s.keyId, s.sealed, now, s.teamId, s.userId, s.fromKeyId, s.fromSealed).changes, 0),
    );
    return guard(this.where, () => apply.immediate(swaps));
  }

  async keyChecks(): Promise<Map<string, Buffer>> {
    return new Map(guard(this.where, () => this.stmt.keyChecks.all()).map((r) => [r.key_id, r.check_value]));
  }

  async recordKeyCheck(keyId: string, check: Buffer): Promise<void> {
    guard(this.where, () => this.stmt.recordKeyCheck.run(keyId, check, Date.now()));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
