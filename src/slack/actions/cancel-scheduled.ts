/**
 * The Cancel button of a scheduled rescue (in the confirmation and in `/rescue list`): cancels that
 * one if the clicker scheduled it or it is planned for their phone, and says what happened in place.
 */
import { cancelNotFoundMessage } from '../blocks/scheduled.js';
import type { SlackDeps } from '../context.js';
import { cancelMessageFor } from '../flows/scheduled.js';
import { DmSurface, ResponseUrlSurface, type Surface } from '../surface.js';
import type { ButtonListener } from './button.js';

export function cancelScheduledCallback(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, action, client }) => {
    await ack();
    const teamId = body.team?.id ?? '';
    const userId = body.user.id;
    const id = action.value ?? '';
    const surface: Surface = body.response_url ? new ResponseUrlSurface(body.response_url, deps) : new DmSurface(client, userId, deps.logger);
    deps.tasks.run('cancel scheduled rescue (button)', async () => {
      const { message, count } = id === '' ? { message: cancelNotFoundMessage(), count: 0 } : await cancelMessageFor(deps, teamId, userId, id);
      deps.logger.info({ teamId, userId, scheduleId: id, cancelled: count }, 'cancel scheduled rescue button');
      await surface.show(count === 0 && !message.blocks ? cancelNotFoundMessage() : message, 'final');
    });
  };
}
