/** The message shortcut "Rescue the author": same rules as /rescue @user; replies on its response_url. */
import type { MessageShortcut, Middleware, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { errorMessage } from '../blocks/errors.js';
import type { SlackDeps } from '../context.js';
import { NoHumanAuthor } from '../errors.js';
import { rescueOnSurface } from '../flows/rescue.js';
import { DmSurface, ResponseUrlSurface } from '../surface.js';

export function rescueAuthorCallback(deps: SlackDeps): Middleware<SlackShortcutMiddlewareArgs<MessageShortcut>> {
  return async ({ ack, shortcut, client }) => {
    await ack();
    const teamId = shortcut.team?.id ?? '';
    const requesterId = shortcut.user.id;
    // Nothing was shown yet: the first post adds an ephemeral message, later ones replace it.
    const surface = new ResponseUrlSurface(shortcut.response_url, deps, false).withFallback(new DmSurface(client, requesterId, deps.logger));
    const author = shortcut.message.user;
    if (!author || shortcut.message.bot_id) {
      deps.tasks.run('rescue author (no author)', async () => void (await surface.show(errorMessage(new NoHumanAuthor()), 'final')));
      return;
    }
    deps.tasks.run('rescue author', () => rescueOnSurface(deps, client, { teamId, requesterId, targetId: author }, surface));
  };
}
