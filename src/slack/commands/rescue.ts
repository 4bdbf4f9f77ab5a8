/**
 * `/rescue [@colleague] [in 10m | at 14:30] ["cover story"] | list | cancel | stop | help`.
 * With a time it is scheduled (flows/scheduled.ts); without, it rings now.
 */
import type { App } from '@slack/bolt';
import { stopMyRescues } from '../../rescue/index.js';
import { errorMessage } from '../blocks/errors.js';
import { helpMessage } from '../blocks/messages.js';
import { checkingMessage, stoppedMessage } from '../blocks/rescue.js';
import type { SlackDeps } from '../context.js';
import { ackInTime } from '../flows/ack.js';
import { rescueOnSurface, rescueWithAck } from '../flows/rescue.js';
import { cancelMessageFor, listMessageFor, scheduleOnSurface } from '../flows/scheduled.js';
import { schedulingMessage } from '../blocks/scheduled.js';
import { COMMANDS } from '../ids.js';
import type { Registry } from '../registry.js';
import { parseRescueText } from '../rescue-text.js';
import { DmSurface, ephemeral, ResponseUrlSurface } from '../surface.js';

export function registerRescueCommand(app: App, reg: Registry, deps: SlackDeps): void {
  app.command(reg.command(COMMANDS.rescue), async ({ ack, command, client }) => {
    const teamId = command.team_id;
    const requesterId = command.user_id;
    const replies = () => new ResponseUrlSurface(command.response_url, deps).withFallback(new DmSurface(client, command.user_id, deps.logger));
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
      // Store reads and writes: answered in the ack unless the store is slow (then on the response_url).
      case 'list':
        await ackInTime(deps, 'rescue list', listMessageFor(deps, teamId, requesterId), (m) => ack(ephemeral(m)), replies());
        return;
      case 'cancel':
        await ackInTime(deps, 'rescue cancel', cancelMessageFor(deps, teamId, requesterId).then((r) => r.message), (m) => ack(ephemeral(m)), replies());
        return;
      case 'user':
      case 'self': {
        const story = parsed.coverStory !== undefined ? { coverStory: parsed.coverStory } : {};
        if (parsed.when) {
          // Reading the requester's time zone (and checking a colleague) are Slack calls: ack first.
          await ack(ephemeral(schedulingMessage()));
          const surface = replies();
          const ask = { teamId, requesterId, ...(parsed.kind === 'user' ? { targetId: parsed.userId } : {}), when: parsed.when, ...story };
          deps.tasks.run('schedule rescue', () => scheduleOnSurface(deps, client, ask, surface));
          return;
        }
        if (parsed.kind === 'user' && parsed.userId !== requesterId) {
          // Checking the colleague on Slack (users.info) is a network call: ack first, then report on the response_url.
          await ack(ephemeral(checkingMessage(parsed.userId)));
          const surface = replies();
          const targetId = parsed.userId;
          deps.tasks.run('rescue @user', () => rescueOnSurface(deps, client, { teamId, requesterId, targetId, ...story, triggerId: command.trigger_id }, surface));
          return;
        }
        // Your own phone (`/rescue` or `/rescue @me`).
        // Only local checks run before the ack (directory lookup, consent); the phone is rung after it.
        const surface = replies();
        await rescueWithAck(deps, client, { teamId, requesterId, ...story, triggerId: command.trigger_id }, surface, (m) => ack(ephemeral(m)));
        return;
      }
    }
  });
}
