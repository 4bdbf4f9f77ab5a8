/** Events: App Home. (Bolt acks events before listeners run.) */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../context.js';
import { publishHome } from '../flows/home.js';
import { EVENTS } from '../ids.js';
import type { Registry } from '../registry.js';

export function registerEvents(app: App, reg: Registry, deps: SlackDeps): void {
  app.event(reg.event(EVENTS.appHome), async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const teamId = (body as { team_id?: string }).team_id ?? '';
    await publishHome(deps, client, teamId, event.user);
  });
}
