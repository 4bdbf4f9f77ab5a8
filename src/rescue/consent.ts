/** Who may ring whom. Enforced here, in the use cases, whatever surface the request came from. */
import type { Registration } from '../store/types.js';
import { NotAllowed } from './errors.js';
import type { RescueSettings } from './settings.js';

export function isAdmin(settings: RescueSettings, userId: string): boolean {
  return settings.adminUserIds.includes(userId);
}

/**
 * Throws NotAllowed unless `requesterId` may ring the phone of `target`.
 * Order: your own phone always; admins always (tests and support); the workspace switch; the target's choice.
 */
export function assertMayRing(settings: RescueSettings, target: Registration, requesterId: string): void {
  if (requesterId === target.userId) return;
  if (isAdmin(settings, requesterId)) return;
  if (!settings.allowTeammateRescue) throw new NotAllowed(target.userId, 'teammate_rescue_off');
  if (target.permission === 'only_me') throw new NotAllowed(target.userId, 'only_me');
  if (target.permission === 'buddies' && !target.buddies.includes(requesterId)) throw new NotAllowed(target.userId, 'buddies');
}
