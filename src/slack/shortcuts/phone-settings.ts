/** The global shortcut "Phone settings": opens the settings modal; when Slack refuses, says so in the DM. */
import type { GlobalShortcut, Middleware, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { errorMessage } from '../blocks/errors.js';
import type { SlackDeps } from '../context.js';
import { openSettings } from '../flows/settings.js';
import { DmSurface } from '../surface.js';

export function phoneSettingsCallback(deps: SlackDeps): Middleware<SlackShortcutMiddlewareArgs<GlobalShortcut>> {
  return async ({ ack, shortcut, client }) => {
    await ack();
    const teamId = shortcut.team?.id ?? '';
    try {
      await openSettings(deps, client, shortcut.trigger_id, teamId, shortcut.user.id, { from: 'shortcut' });
    } catch (err) {
      await new DmSurface(client, shortcut.user.id, deps.logger).show(errorMessage(err), 'final');
    }
  };
}
