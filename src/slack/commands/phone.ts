/** `/phone` (settings modal), `/phone test`, `/phone status`, `/phone forget`. */
import type { App } from '@slack/bolt';
import { phoneStatus } from '../../rescue/index.js';
import { errorMessage } from '../blocks/errors.js';
import { forgetConfirmMessage, helpMessage, phoneUsageMessage, statusMessage, workingMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../context.js';
import { rescueWithAck } from '../flows/rescue.js';
import { openSettings } from '../flows/settings.js';
import { COMMANDS } from '../ids.js';
import type { Registry } from '../registry.js';
import { DmSurface, ephemeral, ResponseUrlSurface } from '../surface.js';

export function registerPhoneCommand(app: App, reg: Registry, deps: SlackDeps): void {
  app.command(reg.command(COMMANDS.phone), async ({ ack, command, client }) => {
    const teamId = command.team_id;
    const userId = command.user_id;
    const sub = command.text.trim().toLowerCase();
    const surface = new ResponseUrlSurface(command.response_url, deps).withFallback(new DmSurface(client, command.user_id, deps.logger));

    switch (sub) {
      case '':
      case 'settings':
      case 'register':
        await ack();
        try {
          await openSettings(deps, client, command.trigger_id, teamId, userId, { from: 'command' });
        } catch (err) {
          await surface.show(errorMessage(err), 'final');
        }
        return;
      case 'test':
        await rescueWithAck(deps, client, { teamId, requesterId: userId, test: true }, surface, (m) => ack(ephemeral(m)));
        return;
      case 'status':
        await ack(ephemeral(workingMessage('Checking your phone, step by step...')));
        deps.tasks.run('phone status', async () => {
          try {
            const diagnosis = await phoneStatus(deps.rescue, { teamId, userId });
            await surface.show(statusMessage(diagnosis), 'final');
          } catch (err) {
            await surface.show(errorMessage(err), 'final');
          }
        });
        return;
      case 'forget':
        await ack(ephemeral(forgetConfirmMessage()));
        return;
      case 'help':
        await ack(ephemeral(helpMessage()));
        return;
      default:
        await ack(ephemeral(phoneUsageMessage(command.text.trim())));
    }
  });
}
