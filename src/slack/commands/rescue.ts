/** `/rescue`, `/rescue @colleague`, `/rescue help`, `/rescue stop`. */
import type { App } from '@slack/bolt';
import { stopMyRescues } from '../../rescue/index.js';
import { errorMessage } from '../blocks/errors.js';
import { helpMessage } from '../blocks/messages.js';
import { checkingMessage, stoppedMessage } from '../blocks/rescue.js';
import type { SlackDeps } from '../context.js';
import { rescueOnSurface, rescueWithAck } from '../flows/rescue.js';
import { COMMANDS } from '../ids.js';
import type { Registry } from '../registry.js';
import { parseRescueText } from '../rescue-text.js';
import { ephemeral, ResponseUrlSurface } from '../surface.js';

export function registerRescueCommand(app: App, reg: Registry, deps: SlackDeps): void {
  app.command(reg.command(COMMANDS.rescue), async ({ ack, command, client }) => {
    const teamId = command.team_id;
    const requesterId = command.user_id;
    let parsed;
    try {
      parsed = parseRescueText(command.text);
    } catch (err) {
      await ack(ephemeral(errorMessage(err)));
      return;
    }
    switch (parsed.kind) {
      case 'help':
        await ack(ephemeral(helpMessage()));
        return;
      case 'stop':
        await ack(ephemeral(stoppedMessage(stopMyRescues(deps.rescue, teamId, requesterId))));
        return;
      case 'user':
      case 'self': {
        if (parsed.kind === 'user' && parsed.userId !== requesterId) {
          // Checking the colleague on Slack (users.info) is a network call: ack first, then report on the response_url.
          await ack(ephemeral(checkingMessage(parsed.userId)));
          const surface = new ResponseUrlSurface(command.response_url, deps.logger);
          const targetId = parsed.userId;
          deps.tasks.run('rescue @user', () => rescueOnSurface(deps, client, { teamId, requesterId, targetId }, surface));
          return;
        }
        // Your own phone (`/rescue` or `/rescue @me`).
        // Only local checks run before the ack (directory lookup, consent); the phone is rung after it.
        const surface = new ResponseUrlSurface(command.response_url, deps.logger);
        await rescueWithAck(deps, client, { teamId, requesterId }, surface, (m) => ack(ephemeral(m)));
        return;
      }
    }
  });
}
