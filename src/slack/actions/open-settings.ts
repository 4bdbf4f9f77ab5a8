/** Update settings / Register: opens the settings modal (from a message or from App Home). */
import { errorMessage } from '../blocks/errors.js';
import type { SlackDeps } from '../context.js';
import { openSettings } from '../flows/settings.js';
import { surfaceFor, where, type ButtonListener } from './button.js';

export function openSettingsCallback(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, client }) => {
    await ack();
    try {
      await openSettings(deps, client, body.trigger_id, body.team?.id ?? '', body.user.id, { from: where(body) === 'home' ? 'home' : 'message' });
    } catch (err) {
      await (await surfaceFor(deps, body, client)).show(errorMessage(err), 'final');
    }
  };
}
