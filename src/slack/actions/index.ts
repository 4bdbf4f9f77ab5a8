/**
 * Buttons: Stop, Update settings / Register, Test ring, Screenshot, Run a check, Forget,
 * Send a registration link. A button in a message answers on its response_url; a button in App
 * Home answers in the DM; the Test ring button in the saved-settings modal updates the modal.
 */
import type { App, BlockAction, ButtonAction, webApi } from '@slack/bolt';
import { findRegistration, forgetPhone, phoneStatus, stopRescue } from '../../rescue/index.js';
import { errorMessage } from '../blocks/errors.js';
import { forgottenMessage, registrationInviteDm, registrationLinkSentMessage, screenshotSentMessage, statusMessage, workingMessage } from '../blocks/messages.js';
import { alreadyFinishedMessage } from '../blocks/rescue.js';
import { savedModal } from '../blocks/settings-modal.js';
import type { SlackDeps } from '../context.js';
import { publishHome } from '../flows/home.js';
import { rescueOnSurface } from '../flows/rescue.js';
import { sendScreenshotToDm } from '../flows/screenshot.js';
import { openSettings } from '../flows/settings.js';
import { ACTIONS } from '../ids.js';
import type { Registry } from '../registry.js';
import { responsePoster } from '../respond.js';
import { trySlack } from '../slack-errors.js';
import { DmSurface, ResponseUrlSurface, ViewSurface, type Surface } from '../surface.js';
import { registerScheduledActions } from './scheduled.js';

type Body = BlockAction<ButtonAction>;

function where(body: Body): 'message' | 'home' | 'modal' {
  if (body.response_url) return 'message';
  return body.view?.type === 'home' ? 'home' : body.view ? 'modal' : 'message';
}

/** Where the answer to a button goes (see the file comment). */
async function surfaceFor(deps: SlackDeps, body: Body, client: webApi.WebClient): Promise<Surface> {
  const w = where(body);
  if (w === 'message' && body.response_url) return new ResponseUrlSurface(body.response_url, deps.logger).withFallback(new DmSurface(client, body.user.id, deps.logger));
  if (w === 'modal' && body.view?.id) {
    const reg = await findRegistration(deps.rescue, { teamId: body.team?.id ?? '', userId: body.user.id }).catch(() => undefined);
    if (reg) return new ViewSurface(client, body.view.id, (msg) => savedModal(reg, msg), deps.logger);
  }
  return new DmSurface(client, body.user.id, deps.logger);
}

export function registerActions(app: App, reg: Registry, deps: SlackDeps): void {
  registerScheduledActions(app, reg, deps);
  app.action<Body>(reg.action(ACTIONS.stopRescue), async ({ ack, body, action }) => {
    await ack();
    const stopped = stopRescue(deps.rescue, body.team?.id ?? '', body.user.id, action.value ?? '');
    deps.logger.info({ rescueId: action.value, userId: body.user.id, stopped }, 'stop button');
    // When it stopped, the rescue itself posts "Stopped..." on its own message.
    if (!stopped) {
      const m = alreadyFinishedMessage();
      if (body.response_url) await trySlack(deps.logger, 'respond (stop)', () => responsePoster(body.response_url!)({ response_type: 'ephemeral', replace_original: false, text: m.text }));
    }
  });

  app.action<Body>(reg.action(ACTIONS.openSettings), async ({ ack, body, client }) => {
    await ack();
    try {
      await openSettings(deps, client, body.trigger_id, body.team?.id ?? '', body.user.id, { from: where(body) === 'home' ? 'home' : 'message' });
    } catch (err) {
      await (await surfaceFor(deps, body, client)).show(errorMessage(err), 'final');
    }
  });

  app.action<Body>(reg.action(ACTIONS.testRing), async ({ ack, body, client }) => {
    await ack();
    const teamId = body.team?.id ?? '';
    deps.tasks.run('test ring (button)', async () => {
      const surface = await surfaceFor(deps, body, client);
      await rescueOnSurface(deps, client, { teamId, requesterId: body.user.id, test: true }, surface);
    });
  });

  app.action<Body>(reg.action(ACTIONS.screenshot), async ({ ack, body, client }) => {
    await ack();
    const teamId = body.team?.id ?? '';
    deps.tasks.run('screenshot (button)', async () => {
      const surface = await surfaceFor(deps, body, client);
      try {
        await sendScreenshotToDm(deps, client, teamId, body.user.id);
        if (where(body) === 'message') await surface.show(screenshotSentMessage(), 'final');
      } catch (err) {
        await surface.show(errorMessage(err), 'final');
      }
    });
  });

  app.action<Body>(reg.action(ACTIONS.status), async ({ ack, body, client }) => {
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
  });

  app.action<Body>(reg.action(ACTIONS.forget), async ({ ack, body, client }) => {
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
  });

  app.action<Body>(reg.action(ACTIONS.registrationLink), async ({ ack, body, action, client }) => {
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
  });
}
