/**
 * What the `rescue-ring phones ...` verbs share: opening the directory, choosing the team, and the
 * password-free view of a registration an administrator may see.
 */
import { AppError } from '../errors.js';
import { openStore, type OpenedStore } from '../store/index.js';
import type { PhoneDirectory, PublicRegistration, Registration } from '../store/types.js';
import { UsageError, withStore as withOpenStore } from './io.js';

export class NotInDirectory extends AppError {
  readonly code = 'NotRegistered';
  constructor(userId: string, teamId: string) {
    super(`No phone is registered for user ${userId} in team ${teamId}.`, 'Check the user id with "rescue-ring phones list", or register the phone with "rescue-ring phones add".');
  }
}

/** The phone directory (not the whole store) for the length of one verb. */
export const withStore = <T>(fn: (store: OpenedStore) => Promise<T>): Promise<T> => withOpenStore(openStore, fn);

/** The team to act on: --team, or the only team in the directory. */
export async function resolveTeam(store: Pick<PhoneDirectory, 'teams'>, team: string | undefined): Promise<string> {
  if (team !== undefined) return team;
  const teams = await store.teams();
  if (teams.length === 1) return teams[0] as string;
  if (teams.length === 0) throw new UsageError('The directory is empty, so there is no team to choose; add --team T.');
  throw new UsageError(`The directory holds ${teams.length} workspaces (${teams.join(', ')}); add --team with one of them.`);
}

/** A registration without its password (the username stays: admins may see it). */
export function publicView(r: Registration): PublicRegistration & { username?: string } {
  const { password, ...rest } = r;
  return { ...rest, hasOwnUsername: r.username !== undefined, hasOwnPassword: password !== undefined };
}
