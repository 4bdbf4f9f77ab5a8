/** The global shortcut "Rescue me": rings the requester's own phone; no channel, so replies go to their DM with the app. */
import type { GlobalShortcut, Middleware, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../context.js';
import { rescueOnSurface } from '../flows/rescue.js';
import { DmSurface } from '../surface.js';

export function rescueMeCallback(deps: SlackDeps): Middleware<SlackShortcutMiddlewareArgs<GlobalShortcut>> {
  return async ({ ack, shortcut, client }) => {
    await ack();
    const teamId = shortcut.team?.id ?? '';
    const surface = new DmSurface(client, shortcut.user.id, deps.logger);
    deps.tasks.run('rescue (shortcut)', () => rescueOnSurface(deps, client, { teamId, requesterId: shortcut.user.id, triggerId: shortcut.trigger_id }, surface));
  };
}
