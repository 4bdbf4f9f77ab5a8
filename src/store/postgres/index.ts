/**
 * The Postgres engine (DATABASE_URL=postgres://...): one pool, migrations under an advisory lock,
 * the same EncryptedDirectory as SQLite over PgRows, the shared state tables and the cross-replica
 * phone lock.
 */
import type { Keyring } from '../keyring.js';
import type { Logger } from '../../log.js';
import type { Store } from '../state-types.js';
import { openDirectory } from '../directory.js';
import { PgDatabase, type PgOptions } from './database.js';
import { migratePg } from './migrations.js';
import { PgRows } from './rows.js';
import { PgAudit, PgRateLimiter, PgSchedules, PgTones } from './state.js';
import { PgPhoneLock, type PgPhoneLockOptions } from './phone-lock.js';
import { pgHealth } from './health.js';

export { PgDatabase, describeDatabaseUrl } from './database.js';
export { migratePg, PG_MIGRATIONS } from './migrations.js';
export { PgRows } from './rows.js';
export { PgPhoneLock } from './phone-lock.js';

export interface PostgresStoreOptions extends PgOptions {
  logger?: Logger;
  phoneLock?: PgPhoneLockOptions;
}

export async function openPostgresStore(url: string, keyring: Keyring, options: PostgresStoreOptions = {}): Promise<Store> {
  const db = new PgDatabase(url, options);
  try {
    await migratePg(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const directory = await openDirectory(new PgRows(db), keyring);
  return {
    engine: 'postgres',
    directory,
    audit: new PgAudit(db),
    limits: new PgRateLimiter(db),
    schedules: new PgSchedules(db),
    tones: new PgTones(db),
    phoneLock: new PgPhoneLock(db, options.phoneLock),
    health: () => pgHealth(db),
    close: () => db.close(),
  };
}
