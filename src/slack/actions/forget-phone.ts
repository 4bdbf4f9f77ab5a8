/** Forget: removes the clicker's registration, says so, and refreshes App Home. */
import { forgetPhone } from '../../rescue/index.js';
import { errorMessage } from '../blocks/errors.js';
import { forgottenMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../context.js';
import { publishHome } from '../flows/home.js';
import { surfaceFor, type ButtonListener } from './button.js';

export function forgetPhoneCallback(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, client }) => {
    await ack();
    const teamId = body.team?.id ?? '';
    const userId = body.user.id;
    const surface = await surfaceFor(deps, body, client);
    try {
      const removed = await forgetPhone(deps.rescue, { teamId, userId });
      await surface.show(forgottenMessage(removed), 'final');
    } catch (err) {
      await surface.show(errorMessage(err), 'final');
    }
    await publishHome(deps, client, teamId, userId);
  };
}
