/**
 * Requests exactly as Slack sends them to an HTTP-mode app: form-encoded slash commands,
 * `payload=` interactivity bodies and JSON events, signed with the app's signing secret
 * (`v0=` HMAC-SHA256 over `v0:<ts>:<body>`). Variants for a bad signature and a stale timestamp.
 */
import { createHmac } from 'node:crypto';
import { triggerId } from '../../src/demo/slack-standin.js';

export interface SignOptions {
  /** Unix seconds; defaults to now. Use `staleTimestamp()` for a replayed request. */
  timestamp?: number;
  /** Sign with this secret instead (a bad signature). */
  wrongSecret?: string;
}

export interface SlackRequest {
  body: string;
  headers: Record<string, string>;
}

export function sign(secret: string, body: string, contentType: string, options: SignOptions = {}): SlackRequest {
  const ts = options.timestamp ?? Math.floor(Date.now() / 1000);
  const sig = 'v0=' + createHmac('sha256', options.wrongSecret ?? secret).update(`v0:${ts}:${body}`).digest('hex');
  return {
    body,
    headers: { 'content-type': contentType, 'x-slack-signature': sig, 'x-slack-request-timestamp': String(ts) },
  };
}

/** Ten minutes ago: Bolt refuses timestamps older than five. */
export function staleTimestamp(): number {
  return Math.floor(Date.now() / 1000) - 600;
}

export interface CommandFields {
  command: string;
  text?: string;
  user_id: string;
  team_id?: string;
  channel_id?: string;
  response_url: string;
  trigger_id?: string;
  user_name?: string;
}

export function slashCommand(secret: string, fields: CommandFields, options?: SignOptions): SlackRequest {
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: fields.team_id ?? 'T1',
    team_domain: 'fake',
    channel_id: fields.channel_id ?? 'C1',
    channel_name: 'general',
    user_id: fields.user_id,
    user_name: fields.user_name ?? fields.user_id.toLowerCase(),
    command: fields.command,
    text: fields.text ?? '',
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? triggerId(fields.user_id),
  }).toString();
  // Slack sends exactly this content type; Bolt's parser compares it literally.
  return sign(secret, body, 'application/x-www-form-urlencoded', options);
}

/** Any interactivity payload (block_actions, shortcut, message_action, view_submission...). */
export function interaction(secret: string, payload: Record<string, unknown>, options?: SignOptions): SlackRequest {
  const body = 'payload=' + encodeURIComponent(JSON.stringify(payload));
  return sign(secret, body, 'application/x-www-form-urlencoded', options);
}

export function event(secret: string, ev: Record<string, unknown>, options?: SignOptions & { teamId?: string }): SlackRequest {
  const body = JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: options?.teamId ?? 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2)}`,
    event_time: Math.floor(Date.now() / 1000),
    event: ev,
  });
  return sign(secret, body, 'application/json', options);
}

// ---- payload builders -------------------------------------------------------------------

const team = (teamId = 'T1') => ({ id: teamId, domain: 'fake' });
const user = (userId: string, teamId = 'T1') => ({ id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: teamId });

export function globalShortcut(callbackId: string, userId: string, teamId = 'T1'): Record<string, unknown> {
  return { type: 'shortcut', token: 'x', action_ts: '1', team: team(teamId), user: user(userId, teamId), callback_id: callbackId, trigger_id: triggerId(userId), is_enterprise_install: false, enterprise: null };
}

export function messageShortcut(
  callbackId: string,
  userId: string,
  message: { user?: string; bot_id?: string; text?: string },
  responseUrl: string,
  teamId = 'T1',
): Record<string, unknown> {
  return {
    type: 'message_action',
    token: 'x',
    action_ts: '1',
    team: team(teamId),
    user: user(userId, teamId),
    channel: { id: 'C1', name: 'general' },
    callback_id: callbackId,
    trigger_id: triggerId(userId),
    message_ts: '1700000000.000100',
    message: { type: 'message', ts: '1700000000.000100', text: message.text ?? 'hello', ...message },
    response_url: responseUrl,
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** A button click in a message (has a response_url) or in a view (App Home, modal: pass `view`). */
export function blockAction(
  userId: string,
  action: { action_id: string; value?: string; block_id?: string },
  where: { responseUrl?: string; view?: { id: string; type: 'home' | 'modal'; callback_id?: string; private_metadata?: string } },
  teamId = 'T1',
): Record<string, unknown> {
  return {
    type: 'block_actions',
    token: 'x',
    team: team(teamId),
    user: user(userId, teamId),
    api_app_id: 'A1',
    trigger_id: triggerId(userId),
    container: where.view ? { type: 'view', view_id: where.view.id } : { type: 'message', message_ts: '1700000000.000200', channel_id: 'C1', is_ephemeral: true },
    ...(where.responseUrl ? { response_url: where.responseUrl, channel: { id: 'C1', name: 'general' } } : {}),
    ...(where.view ? { view: { id: where.view.id, type: where.view.type, callback_id: where.view.callback_id ?? '', private_metadata: where.view.private_metadata ?? '', state: { values: {} }, hash: 'h' } } : {}),
    actions: [{ type: 'button', block_id: action.block_id ?? 'b', action_id: action.action_id, value: action.value, action_ts: '1' }],
  };
}

/** The values of a settings-like modal as Slack returns them in view.state.values. */
export type StateValues = Record<string, Record<string, Record<string, unknown>>>;

export function viewSubmission(userId: string, callbackId: string, values: StateValues, privateMetadata = '', teamId = 'T1'): Record<string, unknown> {
  return {
    type: 'view_submission',
    token: 'x',
    team: team(teamId),
    user: user(userId, teamId),
    api_app_id: 'A1',
    trigger_id: triggerId(userId),
    view: { id: 'VSETTINGS', type: 'modal', callback_id: callbackId, private_metadata: privateMetadata, state: { values }, hash: 'h', title: { type: 'plain_text', text: 'x' } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** POSTs a signed request to an HTTP-mode app; returns status and body text. */
export async function send(url: string, req: SlackRequest): Promise<{ status: number; text: string; json: () => unknown }> {
  const res = await fetch(url, { method: 'POST', body: req.body, headers: req.headers });
  const text = await res.text();
  return { status: res.status, text, json: () => (text === '' ? undefined : JSON.parse(text)) };
}
