/**
 * The store as the operator's command line (src/cli) reaches it: opened for one command, a new key
 * line, and the move of a SQLite store into Postgres. The command line acts through the use cases
 * and these few functions only, never through src/store itself.
 */
import { existsSync } from 'node:fs';
import { generateKeyLine, openFullStore, type OpenStoreOptions, type Store, type StoreConfig } from '../store/index.js';
import { openSqliteDatabase, sqlitePath } from '../store/sqlite.js';
import type { CopyReport } from '../store/postgres/copy-from-sqlite.js';

export type { CopyReport } from '../store/postgres/copy-from-sqlite.js';
export type { OpenStoreOptions, Store } from '../store/index.js';

/** The whole store on the configured engine (SQLite in DATA_DIR, or DATABASE_URL's Postgres); close it after use. */
export function openOperatorStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  return openFullStore(config, options);
}

/** A new random store key as `id:base64`, for STORE_KEYS. */
export function newStoreKey(): { id: string; line: string } {
  return generateKeyLine();
}

/** Why a store move cannot start (no Postgres URL, no SQLite file): the operator's mistake, nothing was touched. */
export class StoreMoveImpossible extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreMoveImpossible';
  }
}

/**
 * Copies the SQLite store of `config.dataDir` into `config.databaseUrl`'s Postgres (migrated first),
 * still sealed (no key is read), verified row for row, in one transaction; safe to run again.
 */
export async function moveSqliteStoreToPostgres(
  config: StoreConfig,
  options: { batchSize: number; onStart?: (from: string, to: string) => void; onTable?: (t: CopyReport['tables'][number]) => void },
): Promise<CopyReport> {
  if (config.databaseUrl === undefined) throw new StoreMoveImpossible('DATABASE_URL is not set: set it to the Postgres database to copy into (postgres://USER:PASSWORD@HOST:5432/DB).');
  if (!/^postgres(ql)?:\/\//i.test(config.databaseUrl)) throw new StoreMoveImpossible('DATABASE_URL must start with postgres:// or postgresql://.');
  const file = sqlitePath(config.dataDir);
  if (!existsSync(file)) throw new StoreMoveImpossible(`There is no SQLite store at ${file}. Set DATA_DIR to the folder that holds rescue-ring.db.`);
  // Loaded on demand: the other verbs of a SQLite deployment never load the Postgres driver.
  const { describeDatabaseUrl, migratePg, PgDatabase } = await import('../store/postgres/index.js');
  const { copySqliteToPostgres } = await import('../store/postgres/copy-from-sqlite.js');
  const sqlite = openSqliteDatabase(file);
  const target = new PgDatabase(config.databaseUrl, { poolMax: 2 });
  try {
    await migratePg(target);
    options.onStart?.(file, describeDatabaseUrl(config.databaseUrl));
    return await copySqliteToPostgres(sqlite, target, { batchSize: options.batchSize, ...(options.onTable ? { onTable: options.onTable } : {}) });
  } finally {
    sqlite.close();
    await target.close();
  }
}
