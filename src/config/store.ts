/**
 * Settings of the encrypted phone directory. Key lists are checked here (syntax, 32 bytes, current id)
 * so start-up reports every problem at once; the key material itself never appears in a message.
 */
import { EnvReader, type Env } from './env.js';
import { parseKeyList, pickCurrent } from '../store/keyring.js';

export interface StoreConfig {
  /** DATA_DIR, default ./data: the SQLite file and the development key live here. */
  dataDir: string;
  /** STORE_KEYS raw (`id:base64key,...`). Secret; field name is on the log redaction list. */
  keys?: string;
  /** STORE_KEY_ID: the key new rows are sealed with. */
  keyId?: string;
  /** STORE_KEY_FILE: a file of `id:base64key` lines. */
  keyFile?: string;
  /** NODE_ENV === 'production': no key means no start. */
  production: boolean;
  /** DATABASE_URL: selects the Postgres engine when set. Secret (may hold a password). */
  databaseUrl?: string;
  /** DATABASE_POOL_MAX: most Postgres connections this process opens (default 10). */
  databasePoolMax?: number;
}

export function readStoreConfig(reader: EnvReader): StoreConfig {
  const config: StoreConfig = {
    dataDir: reader.string('DATA_DIR') ?? './data',
    keys: reader.string('STORE_KEYS'),
    keyId: reader.string('STORE_KEY_ID'),
    keyFile: reader.string('STORE_KEY_FILE'),
    production: reader.string('NODE_ENV') === 'production',
    databaseUrl: reader.string('DATABASE_URL'),
  };
  if (config.databaseUrl !== undefined) {
    // Never echo the URL: it may hold the database password.
    if (!/^postgres(ql)?:\/\/[^/]/i.test(config.databaseUrl)) reader.problem('DATABASE_URL must be a Postgres URL such as postgres://USER:PASSWORD@HOST:5432/DATABASE (or unset it to use SQLite in DATA_DIR)');
    config.databasePoolMax = reader.int('DATABASE_POOL_MAX', 10, { min: 1, max: 1000 });
  }
  if (config.keys !== undefined && config.keyFile !== undefined) {
    reader.problem('STORE_KEYS and STORE_KEY_FILE are both set; keep one of them');
  } else if (config.keys !== undefined) {
    const parsed = parseKeyList(config.keys, 'STORE_KEYS');
    parsed.problems.forEach((p) => reader.problem(p));
    if (parsed.problems.length === 0) pickCurrent(parsed.keys, config.keyId, 'STORE_KEYS').problems.forEach((p) => reader.problem(p));
  } else if (config.keyId !== undefined && config.keyFile === undefined) {
    reader.problem('STORE_KEY_ID is set but no keys are: set STORE_KEYS or STORE_KEY_FILE as well');
  }
  if (config.production && config.keys === undefined && config.keyFile === undefined) {
    reader.problem('NODE_ENV is production but no store key is set: set STORE_KEYS and STORE_KEY_ID (make a key with: rescue-ring keys generate)');
  }
  return config;
}

/** Reads and checks the store settings alone; throws ConfigError naming every problem. */
export function storeConfigFromEnv(env: Env = process.env): StoreConfig {
  const reader = new EnvReader(env);
  const config = readStoreConfig(reader);
  reader.finish();
  return config;
}
