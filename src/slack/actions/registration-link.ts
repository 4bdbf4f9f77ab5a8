/** Send a registration link: DMs the person named by the button an invitation to register their phone. */
import { registrationInviteDm, registrationLinkSentMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../context.js';
import { trySlack } from '../slack-errors.js';
import { surfaceFor, type ButtonListener } from './button.js';

export function registrationLinkCallback(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, action, client }) => {
    await ack();
    const targetId = action.value ?? '';
    const surface = await surfaceFor(deps, body, client);
    if (!/^[UW][A-Z0-9]{2,}$/.test(targetId)) return;
    const ctx = { requesterId: body.user.id, targetId };
    const dm = await trySlack(deps.logger, 'conversations.open (invite)', () => client.conversations.open({ users: targetId }), ctx);
    const channel = dm?.channel?.id;
    const invite = registrationInviteDm(body.user.id);
    const posted = channel ? await trySlack(deps.logger, 'chat.postMessage (invite)', () => client.chat.postMessage({ channel, text: invite.text, ...(invite.blocks ? { blocks: invite.blocks } : {}) }), ctx) : undefined;
    await surface.show(posted ? registrationLinkSentMessage(targetId) : { text: `I could not send <@${targetId}> a message just now. Try again in a minute, or ask them to run /phone.` }, 'final');
  };
}
