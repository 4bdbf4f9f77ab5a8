/**
 * What the `rescue-ring phones ...` verbs share: the store and the use cases' deps for the length of
 * one verb, choosing the team, and the password-free view of a registration an administrator may see.
 */
import { AppError } from '../errors.js';
import { readConfig } from '../config/index.js';
import { PhoneClient } from '../phone/index.js';
import { connectCallManager } from '../rescue/call-manager-wiring.js';
import { rescueDeps, type RescueDeps } from '../rescue/deps.js';
import { openOperatorStore, type Store } from '../rescue/operator.js';
import type { RescueSettings } from '../rescue/settings.js';
import type { PhoneDirectory, PublicRegistration, Registration } from '../store/types.js';
import { stderrLogger, UsageError, withStore as withOpenStore } from './io.js';

export class NotInDirectory extends AppError {
  readonly code = 'NotRegistered';
  constructor(userId: string, teamId: string) {
    super(`No phone is registered for user ${userId} in team ${teamId}.`, 'Check the user id with "rescue-ring phones list", or register the phone with "rescue-ring phones add".');
  }
}

/** The configured store for the length of one verb. */
export const withStore = <T>(fn: (store: Store) => Promise<T>): Promise<T> => withOpenStore(openOperatorStore, fn);

/** The use cases' deps on an opened store, for the command line (warnings on stderr). */
export function operatorDeps(store: Store, settings: RescueSettings): RescueDeps {
  const logger = stderrLogger();
  const { phones, callManager: cucm, store: storeConfig } = readConfig(['phones', 'callManager', 'store']);
  // Registering a phone by device name needs a call manager configured, not a connection: this one
  // opens a connection only if a verb asks it something (then that verb closes it).
  const callManager = connectCallManager(cucm, { limits: store.limits, logger, dataDir: storeConfig.dataDir });
  return rescueDeps(store, { phones: new PhoneClient({ networkPolicy: phones.networkPolicy, logger }), settings, logger, ...(callManager ? { callManager } : {}) });
}

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
