/** The store's settings: which engine, where, and the keys rows are sealed with. Read from the environment by src/config/store.ts. */
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

/** What the keyring is built from. */
export type KeySettings = Pick<StoreConfig, 'keys' | 'keyId' | 'keyFile' | 'production' | 'dataDir'>;
