/**
 * Registers users' phones in the bot's store before the bot starts: the same DATA_DIR and key the
 * bot will be given, opened the way the bot opens it (storeConfigFromEnv + openFullStore), one
 * transaction (putMany, as `rescue-ring phones import` does).
 */
import { storeConfigFromEnv } from '../../src/config/store.js';
import { openFullStore } from '../../src/store/index.js';
import type { RegistrationInput } from '../../src/store/types.js';

export async function seedPhones(storeEnv: Record<string, string>, registrations: readonly RegistrationInput[]): Promise<void> {
  const store = await openFullStore(storeConfigFromEnv(storeEnv));
  try {
    await store.directory.putMany(registrations);
  } finally {
    await store.close();
  }
}
