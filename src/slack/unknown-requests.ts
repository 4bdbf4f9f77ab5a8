/**
 * Requests no listener knows: a button on a message sent before an upgrade renamed its action, a
 * shortcut or modal the app retired, a slash command still in an old manifest. Unanswered, Bolt would
 * wait 3 s for an ack and answer 404, and Slack would show the person an error. Instead each is
 * acknowledged at once and the person is told it is out of date and what to type: on the
 * response_url when the payload has one (ephemeral, the old message stays), else in the DM; a form is
 * replaced by a modal saying so; a slash command gets it in its ack.
 *
 * Register last: "known" is what `reg` holds (every listener registers through it). The catch-alls
 * match every id but act only on unknown ones, so nothing is acked twice.
 */
import type { App, webApi } from '@slack/bolt';
import type { SlackMessage } from './blocks/message.js';
import { outOfDateMessage, outOfDateModal, unknownCommandMessage } from './blocks/out-of-date.js';
import type { SlackDeps } from './context.js';
import type { Registry } from './registry.js';
import { DmSurface, ephemeral, ResponseUrlSurface, type Surface } from './surface.js';

const ANY = /.*/;

export function registerUnknownRequests(app: App, reg: Registry, deps: SlackDeps): void {
  const known = reg.registered;
  const noted = (what: string, id: string): void => deps.logger.info({ what, id }, 'slack: acknowledged a request no listener knows; told the person it is out of date');
  const tell = (what: string, id: string, surface: Surface, message: SlackMessage): void => {
    noted(what, id);
    deps.tasks.run(`out of date (${what})`, async () => void (await surface.show(message, 'final')));
  };

  app.action(ANY, async ({ ack, body, payload, client }) => {
    const id = 'action_id' in payload ? payload.action_id : 'callback_id' in body ? body.callback_id : '';
    if (known.actions.includes(id)) return;
    await ack();
    const responseUrl = 'response_url' in body ? body.response_url : undefined;
    tell('button', id, surfaceOf(responseUrl, client, body.user.id, deps), outOfDateMessage('button'));
  });

  app.shortcut(ANY, async ({ ack, shortcut, client }) => {
    if (known.shortcuts.includes(shortcut.callback_id)) return;
    await ack();
    const responseUrl = shortcut.type === 'message_action' ? shortcut.response_url : undefined;
    tell('shortcut', shortcut.callback_id, surfaceOf(responseUrl, client, shortcut.user.id, deps), outOfDateMessage('shortcut'));
  });

  app.view(ANY, async ({ ack, view }) => {
    if (known.views.includes(view.callback_id)) return;
    noted('form', view.callback_id);
    await ack({ response_action: 'update', view: outOfDateModal() });
  });

  // Closing a modal only notifies the app when it asked to be (notify_on_close); no current view does.
  app.view({ type: 'view_closed', callback_id: ANY }, async ({ ack, view }) => {
    if (!known.views.includes(view.callback_id)) await ack();
  });

  app.command(ANY, async ({ ack, command }) => {
    if (known.commands.includes(command.command)) return;
    noted('command', command.command);
    await ack(ephemeral(unknownCommandMessage(command.command)));
  });
}

/** The response_url when there is one (a new ephemeral message; the DM when it fails), else the DM. */
function surfaceOf(responseUrl: string | undefined, client: webApi.WebClient, userId: string, deps: SlackDeps): Surface {
  const dm = new DmSurface(client, userId, deps.logger);
  return responseUrl ? new ResponseUrlSurface(responseUrl, deps, false).withFallback(dm) : dm;
}
