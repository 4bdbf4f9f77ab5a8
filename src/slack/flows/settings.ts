/** Opening the settings modal (trigger ids expire after 3 s: call right after the ack). */
import type { webApi } from '@slack/bolt';
import { settingsModal, type SettingsMetadata } from '../blocks/settings-modal.js';
import type { SlackDeps } from '../context.js';
import { SlackUnavailable } from '../errors.js';
import { logSlackFailure } from '../slack-errors.js';
import type { Registration } from '../../store/types.js';
import { findRegistration } from '../../rescue/lookup.js';
import { effectiveTones } from '../../rescue/tones.js';
import { foundPhones } from './find-phones.js';

/** Throws SlackUnavailable when Slack refuses (expired_trigger_id...); the caller tells the user. */
export async function openSettings(deps: SlackDeps, client: webApi.WebClient, triggerId: string, teamId: string, userId: string, meta: SettingsMetadata): Promise<void> {
  let reg: Registration | undefined;
  try {
    reg = await findRegistration(deps.rescue, { teamId, userId });
  } catch (err) {
    // An unreadable row must not lock the user out of re-registering: open a blank form.
    deps.logger.warn({ err, teamId, userId }, 'registration unreadable; opening a blank settings form');
  }
  try {
    const [{ tones }, found] = await Promise.all([effectiveTones(deps.rescue), foundPhones(deps, client, teamId, userId)]);
    await client.views.open({ trigger_id: triggerId, view: settingsModal(deps.rescue.settings, reg, meta, tones, found) });
  } catch (err) {
    throw new SlackUnavailable('views.open', logSlackFailure(deps.logger, 'views.open (settings)', err, { teamId, userId }));
  }
}
