/** Run a check: checks the clicker's phone step by step and shows the result. */
import { phoneStatus } from '../../rescue/index.js';
import { errorMessage } from '../blocks/errors.js';
import { statusMessage, workingMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../context.js';
import { surfaceFor, type ButtonListener } from './button.js';

export function phoneStatusCallback(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, client }) => {
    await ack();
    const teamId = body.team?.id ?? '';
    deps.tasks.run('phone status (button)', async () => {
      const surface = await surfaceFor(deps, body, client);
      await surface.show(workingMessage('Checking your phone, step by step...'), 'progress');
      try {
        await surface.show(statusMessage(await phoneStatus(deps.rescue, { teamId, userId: body.user.id })), 'final');
      } catch (err) {
        await surface.show(errorMessage(err), 'final');
      }
    });
  };
}
