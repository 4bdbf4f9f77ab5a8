/**
 * Global shortcuts (no channel: replies go to the user's DM with the app) and the message
 * shortcut "Rescue the author" (same rules as /rescue @user; replies on its response_url).
 */
import type { App, MessageShortcut } from '@slack/bolt';
import { errorMessage } from '../blocks/errors.js';
import type { SlackDeps } from '../context.js';
import { NoHumanAuthor } from '../errors.js';
import { rescueOnSurface } from '../flows/rescue.js';
import { sendScreenshotToDm } from '../flows/screenshot.js';
import { openSettings } from '../flows/settings.js';
import { SHORTCUTS } from '../ids.js';
import type { Registry } from '../registry.js';
import { DmSurface, ResponseUrlSurface } from '../surface.js';

export function registerShortcuts(app: App, reg: Registry, deps: SlackDeps): void {
  app.shortcut(reg.shortcut(SHORTCUTS.rescueMe), async ({ ack, shortcut, client }) => {
    await ack();
    const teamId = shortcut.team?.id ?? '';
    const surface = new DmSurface(client, shortcut.user.id, deps.logger);
    deps.tasks.run('rescue (shortcut)', () => rescueOnSurface(deps, client, { teamId, requesterId: shortcut.user.id }, surface));
  });

  app.shortcut(reg.shortcut(SHORTCUTS.settings), async ({ ack, shortcut, client }) => {
    await ack();
    const teamId = shortcut.team?.id ?? '';
    try {
      await openSettings(deps, client, shortcut.trigger_id, teamId, shortcut.user.id, { from: 'shortcut' });
    } catch (err) {
      await new DmSurface(client, shortcut.user.id, deps.logger).show(errorMessage(err), 'final');
    }
  });

  app.shortcut(reg.shortcut(SHORTCUTS.screenshot), async ({ ack, shortcut, client }) => {
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
  });

  app.shortcut<MessageShortcut>(reg.shortcut(SHORTCUTS.rescueAuthor), async ({ ack, shortcut, client }) => {
    await ack();
    const teamId = shortcut.team?.id ?? '';
    const requesterId = shortcut.user.id;
    // Nothing was shown yet: the first post adds an ephemeral message, later ones replace it.
    const surface = new ResponseUrlSurface(shortcut.response_url, deps.logger, false).withFallback(new DmSurface(client, requesterId, deps.logger));
    const author = shortcut.message.user;
    if (!author || shortcut.message.bot_id) {
      deps.tasks.run('rescue author (no author)', async () => void (await surface.show(errorMessage(new NoHumanAuthor()), 'final')));
      return;
    }
    deps.tasks.run('rescue author', () => rescueOnSurface(deps, client, { teamId, requesterId, targetId: author }, surface));
  });
}
