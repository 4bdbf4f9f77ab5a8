/**
 * Entry point of the store: `openStore(config)` picks the engine (SQLite by default; Postgres when
 * DATABASE_URL is set) and returns the PhoneDirectory; `openFullStore(config)` returns the whole
 * Store (directory, audit log, rate limits, scheduled rescues, tone list) on one connection or pool.
 */
import type { StoreConfig } from './settings.js';
import type { Logger } from '../log.js';
import type { PhoneDirectory } from './types.js';
import type { Store } from './state-types.js';
import { openDirectory } from './directory.js';
import { loadKeyring, type Keyring } from './keyring.js';
import { openSqliteDatabase, sqlitePath, SqliteRows } from './sqlite.js';
import { openSqliteStore } from './sqlite-state.js';
import { StoreUnavailable } from './errors.js';

export type { PhoneDirectory } from './types.js';
export type { Store, StoreHealth } from './state-types.js';
export type { StoreConfig } from './settings.js';
export * from './errors.js';
export { generateKeyLine } from './keyring.js';

export interface OpenStoreOptions {
  /** Receives start-up warnings (development key generated, key file readable by others). */
  logger?: Logger;
  /** Use this keyring instead of reading one from the configuration (tests, tools). */
  keyring?: Keyring;
  /** Postgres only: most connections this process opens (default: DATABASE_POOL_MAX, else 10). */
  poolMax?: number;
  /**
   * SQLite only: how long a write waits for another process's lock (default BUSY_TIMEOUT_MS, 5 s).
   * The driver waits synchronously, blocking the event loop, so the bot asks for less than Slack's 3 s.
   */
  busyTimeoutMs?: number;
}

export interface OpenedStore extends PhoneDirectory {
  /** "sqlite" or "postgres". */
  readonly engine: string;
}

export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  if (config.databaseUrl !== undefined) {
    // The directory owns the pool: closing it closes the Postgres connections.
    return (await openFullStore(config, options)).directory as OpenedStore;
  }
  const keyring = options.keyring ?? loadKeyring(config, options.logger);
  const db = openSqliteDatabase(sqlitePath(config.dataDir));
  return openDirectory(new SqliteRows(db), keyring);
}

/**
 * The whole store (directory + operational state) on the configured engine, opened once: every part
 * shares one SQLite connection or one Postgres pool; `close()` closes it.
 */
export async function openFullStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  if (config.databaseUrl !== undefined && options.keyring === undefined && config.keys === undefined && config.keyFile === undefined) {
    const { StoreSharedKeyRequired } = await import('./postgres/errors.js');
    throw new StoreSharedKeyRequired();
  }
  const keyring = options.keyring ?? loadKeyring(config, options.logger);
  if (config.databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(config.databaseUrl)) {
      throw new StoreUnavailable(
        'DATABASE_URL is set but does not start with postgres:// or postgresql://.',
        'Set DATABASE_URL to a Postgres URL such as postgres://rescue:PASSWORD@db.example.com:5432/rescue_ring, or unset it to use the built-in SQLite store in DATA_DIR.',
      );
    }
    // Loaded on demand: a SQLite deployment never loads the Postgres driver.
    const { openPostgresStore } = await import('./postgres/index.js');
    return openPostgresStore(config.databaseUrl, keyring, { logger: options.logger, poolMax: options.poolMax ?? config.databasePoolMax });
  }
  return openSqliteStore(sqlitePath(config.dataDir), keyring, options.busyTimeoutMs);
}
