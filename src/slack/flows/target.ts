/** Before ringing a colleague: are they a person with an active account? (users.info, users:read) */
import type { webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { TargetDeactivated, TargetIsBot, TargetNotFound } from '../errors.js';
import { slackErrorCode } from '../slack-errors.js';

/** Throws TargetIsBot / TargetDeactivated / TargetNotFound. When Slack cannot answer, logs and lets the use case decide. */
export async function checkTarget(client: webApi.WebClient, logger: Logger, userId: string): Promise<void> {
  let user: { is_bot?: boolean; deleted?: boolean; id?: string } | undefined;
  try {
    const res = await client.users.info({ user: userId });
    user = res.user;
  } catch (err) {
    const code = slackErrorCode(err);
    if (code === 'user_not_found') throw new TargetNotFound(userId);
    logger.warn({ slackError: code, targetId: userId }, 'slack: users.info failed; relying on the phone directory');
    return;
  }
  if (!user) return;
  if (user.is_bot || userId === 'USLACKBOT') throw new TargetIsBot(userId);
  if (user.deleted) throw new TargetDeactivated(userId);
}
