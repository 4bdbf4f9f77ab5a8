/** Test ring: rings the clicker's own phone once through the rescue flow, reporting where the button was. */
import type { SlackDeps } from '../context.js';
import { rescueOnSurface } from '../flows/rescue.js';
import { surfaceFor, type ButtonListener } from './button.js';

export function testRingCallback(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, client }) => {
    await ack();
    const teamId = body.team?.id ?? '';
    deps.tasks.run('test ring (button)', async () => {
      const surface = await surfaceFor(deps, body, client);
      await rescueOnSurface(deps, client, { teamId, requesterId: body.user.id, test: true }, surface);
    });
  };
}
