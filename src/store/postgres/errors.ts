/** Errors specific to the Postgres engine. */
import { AppError } from '../../errors.js';

/** Postgres is shared by replicas: a key generated on one machine would be unknown to the others. */
export class StoreSharedKeyRequired extends AppError {
  readonly code = 'StoreKeyRequired';
  constructor() {
    super(
      'DATABASE_URL is set but no store key is configured; rescue-ring will not generate a development key for a shared Postgres store.',
      'Make a key with "rescue-ring keys generate", give every replica the same STORE_KEYS and STORE_KEY_ID (or STORE_KEY_FILE), and start again. A key generated on one machine could not be read by the others.',
    );
  }
}
