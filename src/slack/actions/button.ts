/**
 * What every button listener shares: its payload, its listener type, and where its answer goes. A
 * button in a message answers on its response_url; a button in App Home answers in the DM; the Test
 * ring button in the saved-settings modal updates the modal.
 */
import type { BlockAction, ButtonAction, Middleware, SlackActionMiddlewareArgs, webApi } from '@slack/bolt';
import { findRegistration } from '../../rescue/index.js';
import { savedModal } from '../blocks/settings-modal.js';
import type { SlackDeps } from '../context.js';
import { DmSurface, ResponseUrlSurface, ViewSurface, type Surface } from '../surface.js';

export type Body = BlockAction<ButtonAction>;

/** One button's listener, as `app.action<Body>(id, listener)` takes it. */
export type ButtonListener = Middleware<SlackActionMiddlewareArgs<Body>>;

export function where(body: Body): 'message' | 'home' | 'modal' {
  if (body.response_url) return 'message';
  return body.view?.type === 'home' ? 'home' : body.view ? 'modal' : 'message';
}

/** Where the answer to a button goes (see the file comment). */
export async function surfaceFor(deps: SlackDeps, body: Body, client: webApi.WebClient): Promise<Surface> {
  const w = where(body);
  if (w === 'message' && body.response_url) return new ResponseUrlSurface(body.response_url, deps).withFallback(new DmSurface(client, body.user.id, deps.logger));
  if (w === 'modal' && body.view?.id) {
    const reg = await findRegistration(deps.rescue, { teamId: body.team?.id ?? '', userId: body.user.id }).catch(() => undefined);
    if (reg) return new ViewSurface(client, body.view.id, (msg) => savedModal(reg, msg), deps.logger);
  }
  return new DmSurface(client, body.user.id, deps.logger);
}
