/** The global shortcut "Phone screenshot": the screen goes to the requester's DM with the app. */
import type { GlobalShortcut, Middleware, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { errorMessage } from '../blocks/errors.js';
import type { SlackDeps } from '../context.js';
import { sendScreenshotToDm } from '../flows/screenshot.js';
import { DmSurface } from '../surface.js';

export function screenshotCallback(deps: SlackDeps): Middleware<SlackShortcutMiddlewareArgs<GlobalShortcut>> {
  return async ({ ack, shortcut, client }) => {
    await ack();
    const teamId = shortcut.team?.id ?? '';
    const userId = shortcut.user.id;
    deps.tasks.run('screenshot (shortcut)', async () => {
      try {
        await sendScreenshotToDm(deps, client, teamId, userId);
      } catch (err) {
        await new DmSurface(client, userId, deps.logger).show(errorMessage(err), 'final');
      }
    });
  };
}
