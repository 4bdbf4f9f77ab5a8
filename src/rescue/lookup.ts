/** Finding a user's registration, for use cases that act on a phone. */
import { StoreRowUnreadable } from '../store/errors.js';
import type { Registration, UserKey } from '../store/types.js';
import type { RescueDeps } from './deps.js';
import { NotRegistered, RegistrationUnreadable } from './errors.js';

/**
 * The registration, or undefined. A row that no longer opens becomes RegistrationUnreadable (the way
 * back for the person: register again); the store's operator detail goes to the log.
 */
export async function findRegistration(deps: Pick<RescueDeps, 'directory' | 'logger'>, key: UserKey, requesterId: string = key.userId): Promise<Registration | undefined> {
  try {
    return await deps.directory.get(key);
  } catch (err) {
    if (!(err instanceof StoreRowUnreadable)) throw err;
    deps.logger.warn({ err, teamId: key.teamId, userId: key.userId }, 'registration cannot be opened; the user has to register again (or restore the key)');
    throw new RegistrationUnreadable({ userId: key.userId, self: requesterId === key.userId }, { cause: err });
  }
}

export async function requireRegistration(deps: RescueDeps, key: UserKey, requesterId: string = key.userId): Promise<Registration> {
  const reg = await findRegistration(deps, key, requesterId);
  // A phone an operator found in the call manager (phones sync) is not rung by a colleague before its owner confirmed it.
  if (!reg || (reg.source === 'callmanager-unconfirmed' && requesterId !== key.userId)) throw new NotRegistered({ userId: key.userId, self: requesterId === key.userId });
  return reg;
}
