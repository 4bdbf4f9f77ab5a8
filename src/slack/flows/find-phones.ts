/**
 * The desk phones the call manager lists for a Slack user (issue 14): their e-mail from users.info
 * (profile.email, scope users:read.email), then the use case. Bounded in time: /phone and App Home
 * must not wait on a slow call manager (trigger ids expire after 3 s).
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { deskPhonesFor, prepareOwnPhone, type FoundPhones, type OwnPhoneNote } from '../../rescue/index.js';
import type { SlackDeps } from '../context.js';
import { withinDeadline } from './ack.js';

/** How long /phone and App Home wait for the call manager before showing today's form. */
export const FIND_PHONES_DEADLINE_MS = 1_500;

/** The Slack profile e-mail, or undefined (no scope, no e-mail, Slack unavailable: logged). */
export async function emailOf(client: webApi.WebClient, logger: Logger, userId: string): Promise<string | undefined> {
  try {
    const res = await client.users.info({ user: userId });
    const email = res.user?.profile?.email;
    return typeof email === 'string' && email !== '' ? email : undefined;
  } catch (err) {
    logger.warn({ userId, err: err instanceof Error ? err.message : String(err) }, 'slack: users.info failed; cannot look the phone up in the call manager');
    return undefined;
  }
}

/** Undefined without a call manager; a reason when it is slow (the form opens anyway). */
export async function foundPhones(deps: SlackDeps, client: webApi.WebClient, teamId: string, userId: string): Promise<FoundPhones | undefined> {
  if (!deps.rescue.callManager) return undefined;
  const work = (async () => deskPhonesFor(deps.rescue, { teamId, userId, ...(await emailOf(client, deps.logger, userId).then((email) => (email ? { email } : {}))) }))();
  work.catch(() => undefined);
  const result = await withinDeadline(work, FIND_PHONES_DEADLINE_MS);
  if (result === 'late') return { found: false, reason: 'call-manager-error', message: 'The call manager did not answer in time; open /phone again in a moment.', devices: [] };
  return result;
}

/** Before a person's own /rescue with a call manager: register their one desk phone, or confirm one an operator found. */
export async function ownPhoneNote(deps: SlackDeps, client: webApi.WebClient, teamId: string, userId: string): Promise<OwnPhoneNote> {
  if (!deps.rescue.callManager) return { kind: 'none' };
  const existing = await deps.rescue.directory.get({ teamId, userId }).catch(() => undefined);
  if (existing && existing.source !== 'callmanager-unconfirmed') return { kind: 'none' };
  const email = existing ? undefined : await emailOf(client, deps.logger, userId);
  return prepareOwnPhone(deps.rescue, { teamId, userId, ...(email ? { email } : {}) });
}
