/** Stop: stops the rescue named by the button; when it had already finished, says so on the message. */
import { stopRescue } from '../../rescue/index.js';
import { alreadyFinishedMessage } from '../blocks/rescue.js';
import type { SlackDeps } from '../context.js';
import { responsePoster } from '../respond.js';
import { trySlack } from '../slack-errors.js';
import type { ButtonListener } from './button.js';

export function stopRescueCallback(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, action }) => {
    await ack();
    const stopped = stopRescue(deps.rescue, body.team?.id ?? '', body.user.id, action.value ?? '');
    deps.logger.info({ rescueId: action.value, userId: body.user.id, stopped }, 'stop button');
    // When it stopped, the rescue itself posts "Stopped..." on its own message.
    if (!stopped) {
      const m = alreadyFinishedMessage();
      if (body.response_url) await trySlack(deps.logger, 'respond (stop)', () => responsePoster(body.response_url!, { observe: deps.rescue.metrics })({ response_type: 'ephemeral', replace_original: false, text: m.text }));
    }
  };
}
