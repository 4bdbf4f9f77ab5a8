/** `/phone forget`: delete the caller's registration (address and credentials). */
import type { UserKey } from '../store/types.js';
import type { RescueDeps } from './deps.js';

/** True when there was a registration to delete. */
export async function forgetPhone(deps: RescueDeps, key: UserKey): Promise<boolean> {
  const removed = await deps.directory.remove(key);
  if (removed) deps.logger.info({ teamId: key.teamId, userId: key.userId }, 'registration deleted');
  return removed;
}
