/** `/phone-screenshot`: the caller's own phone screen, uploaded to their DM with the app (never the channel). */
import type { webApi } from '@slack/bolt';
import { takeScreenshot } from '../../rescue/index.js';
import type { SlackDeps } from '../context.js';
import { ScreenshotNotDelivered } from '../errors.js';
import { logSlackFailure } from '../slack-errors.js';

/** Throws the use case's AppErrors, or ScreenshotNotDelivered when Slack refuses the upload. */
export async function sendScreenshotToDm(deps: SlackDeps, client: webApi.WebClient, teamId: string, userId: string): Promise<void> {
  const shot = await takeScreenshot(deps.rescue, { teamId, userId });
  try {
    const dm = await client.conversations.open({ users: userId });
    const channel = dm.channel?.id;
    if (!channel) throw new ScreenshotNotDelivered('conversations.open returned no channel');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await client.files.uploadV2({
      channel_id: channel,
      file: shot.png,
      filename: `phone-screen-${stamp}.png`,
      title: 'Your desk phone screen',
      initial_comment: `Here is your desk phone's screen (${shot.width}×${shot.height}).`,
    });
    deps.logger.info({ teamId, userId, bytes: shot.png.length }, 'screenshot delivered');
  } catch (err) {
    if (err instanceof ScreenshotNotDelivered) throw err;
    throw new ScreenshotNotDelivered(logSlackFailure(deps.logger, 'screenshot upload', err, { teamId, userId }));
  }
}
