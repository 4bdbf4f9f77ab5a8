/** Use this phone: registers the desk phone the call manager lists for the clicker (the button's value), then says so where it was clicked. */
import { registerFoundPhone } from '../../rescue/index.js';
import { errorMessage } from '../blocks/errors.js';
import { esc } from '../blocks/kit.js';
import type { SlackDeps } from '../context.js';
import { emailOf } from '../flows/find-phones.js';
import { publishHome } from '../flows/home.js';
import { surfaceFor, type ButtonListener } from './button.js';

export function registerFoundPhoneCallback(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, client }) => {
    await ack();
    const teamId = body.team?.id ?? '';
    const userId = body.user.id;
    const device = body.actions[0]?.value ?? '';
    let text: string;
    try {
      const email = await emailOf(client, deps.logger, userId);
      const saved = await registerFoundPhone(deps.rescue, { teamId, userId, device, ...(email ? { email } : {}) });
      text = `:white_check_mark: rescue-ring will ring your desk phone *${esc(saved.address)}*. Ring it once with Test ring to check.`;
    } catch (err) {
      await (await surfaceFor(deps, body, client)).show(errorMessage(err), 'final');
      return;
    }
    await (await surfaceFor(deps, body, client)).show({ text }, 'final');
    await publishHome(deps, client, teamId, userId);
  };
}
