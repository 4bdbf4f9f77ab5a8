/**
 * The store's settings from the environment. Key lists are checked here (syntax, 32 bytes, current
 * id) so start-up reports every problem at once; the key material itself never appears in a message.
 */
import { parseKeyList, pickCurrent } from '../store/keyring.js';
import type { StoreConfig } from '../store/settings.js';
import type { Env } from './env.js';
import { part, readParts } from './read.js';

export const storePart = part(
  ['DATA_DIR', 'STORE_KEYS', 'STORE_KEY_ID', 'STORE_KEY_FILE', 'NODE_ENV', 'DATABASE_URL', 'DATABASE_POOL_MAX'],
  ({ values: v, problem }): StoreConfig => {
    const config: StoreConfig = {
      dataDir: v.DATA_DIR,
      keys: v.STORE_KEYS,
      keyId: v.STORE_KEY_ID,
      keyFile: v.STORE_KEY_FILE,
      production: v.NODE_ENV === 'production',
      databaseUrl: v.DATABASE_URL,
    };
    if (config.databaseUrl !== undefined) config.databasePoolMax = v.DATABASE_POOL_MAX;
    if (config.keys !== undefined && config.keyFile !== undefined) {
      problem('STORE_KEYS and STORE_KEY_FILE are both set; keep one of them');
    } else if (config.keys !== undefined) {
      const parsed = parseKeyList(config.keys, 'STORE_KEYS');
      parsed.problems.forEach(problem);
      if (parsed.problems.length === 0) pickCurrent(parsed.keys, config.keyId, 'STORE_KEYS').problems.forEach(problem);
    } else if (config.keyId !== undefined && config.keyFile === undefined) {
      problem('STORE_KEY_ID is set but no keys are: set STORE_KEYS or STORE_KEY_FILE as well');
    }
    if (config.production && config.keys === undefined && config.keyFile === undefined) {
      problem('NODE_ENV is production but no store key is set: set STORE_KEYS and STORE_KEY_ID (make a key with: rescue-ring keys generate)');
    }
    return config;
  },
);

/** Reads and checks the store settings alone; throws ConfigError naming every problem. */
export function storeConfigFromEnv(env: Env = process.env): StoreConfig {
  return readParts({ store: storePart }, env).store;
}
