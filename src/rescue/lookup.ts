/** Finding a user's registration, for use cases that act on the caller's own phone. */
import type { Registration, UserKey } from '../store/types.js';
import type { RescueDeps } from './deps.js';
import { NotRegistered } from './errors.js';

export async function requireRegistration(deps: RescueDeps, key: UserKey, requesterId: string = key.userId): Promise<Registration> {
  const reg = await deps.directory.get(key);
  if (!reg) throw new NotRegistered({ userId: key.userId, self: requesterId === key.userId });
  return reg;
}
