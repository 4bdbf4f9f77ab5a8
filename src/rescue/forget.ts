/** `/phone forget`: delete the caller's registration (address and credentials). Audited. */
import type { UserKey } from '../store/types.js';
import { audited } from './audit.js';
import type { RescueDeps } from './deps.js';

/** True when there was a registration to delete. */
export async function forgetPhone(deps: RescueDeps, key: UserKey): Promise<boolean> {
  const removed = await audited(
    deps,
    { teamId: key.teamId, actorId: key.userId, targetId: key.userId, action: 'forget' },
    () => deps.directory.remove(key),
    (r) => (r ? 'registration deleted' : 'nothing to delete'),
  );
  if (removed) deps.logger.info({ teamId: key.teamId, userId: key.userId }, 'registration deleted');
  return removed;
}
