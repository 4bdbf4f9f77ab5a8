/** Screenshot: the phone's screen goes to the clicker's DM; a message button also says it was sent. */
import { errorMessage } from '../blocks/errors.js';
import { screenshotSentMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../context.js';
import { sendScreenshotToDm } from '../flows/screenshot.js';
import { surfaceFor, where, type ButtonListener } from './button.js';

export function screenshotCallback(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, client }) => {
    await ack();
    const teamId = body.team?.id ?? '';
    deps.tasks.run('screenshot (button)', async () => {
      const surface = await surfaceFor(deps, body, client);
      try {
        await sendScreenshotToDm(deps, client, teamId, body.user.id);
        if (where(body) === 'message') await surface.show(screenshotSentMessage(), 'final');
      } catch (err) {
        await surface.show(errorMessage(err), 'final');
      }
    });
  };
}
