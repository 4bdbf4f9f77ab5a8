/** `/phone-screenshot`: the screen goes to your DM with the app, never to the channel. */
import type { App } from '@slack/bolt';
import { errorMessage } from '../blocks/errors.js';
import { screenshotSentMessage, workingMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../context.js';
import { sendScreenshotToDm } from '../flows/screenshot.js';
import { COMMANDS } from '../ids.js';
import type { Registry } from '../registry.js';
import { DmSurface, ephemeral, ResponseUrlSurface } from '../surface.js';

export function registerScreenshotCommand(app: App, reg: Registry, deps: SlackDeps): void {
  app.command(reg.command(COMMANDS.screenshot), async ({ ack, command, client }) => {
    await ack(ephemeral(workingMessage('Taking a screenshot of your phone...')));
    const surface = new ResponseUrlSurface(command.response_url, deps).withFallback(new DmSurface(client, command.user_id, deps.logger));
    deps.tasks.run('screenshot', async () => {
      try {
        await sendScreenshotToDm(deps, client, command.team_id, command.user_id);
        await surface.show(screenshotSentMessage(), 'final');
      } catch (err) {
        await surface.show(errorMessage(err), 'final');
      }
    });
  });
}
