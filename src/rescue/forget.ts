/** `/phone forget` and `rescue-ring phones remove`: delete a registration (address and credentials). Audited. */
import type { UserKey } from '../store/types.js';
import { audited } from './audit.js';
import type { RescueDeps } from './deps.js';

/** True when there was a registration to delete. `actorId`: who asked (the owner, or "cli" for `rescue-ring phones remove`). */
export async function forgetPhone(deps: RescueDeps, key: UserKey, actorId: string = key.userId): Promise<boolean> {
  const removed = await audited(
    deps,
    { teamId: key.teamId, actorId, targetId: key.userId, action: 'forget' },
    () => deps.directory.remove(key),
    (r) => (r ? 'registration deleted' : 'nothing to delete'),
  );
  if (removed) deps.logger.info({ teamId: key.teamId, userId: key.userId }, 'registration deleted');
  return removed;
}
