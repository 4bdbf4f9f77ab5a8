/**
 * The arguments Slack's Web API methods require (each method's reference page, "Arguments": required
 * ones), and the Block Kit they carry. `checkCall` answers what Slack answers before it looks at any
 * state: `invalid_arguments` for a missing argument or a bad view, `no_text` for a message without
 * content, `invalid_blocks` for a message's bad blocks, each with Slack's `response_metadata.messages`.
 * State (does the channel exist, has the trigger expired) is the stand-in's business.
 */
import { checkMessageBlocks, checkView, slackMessages, type Problem } from './blocks.js';
import { LIMITS } from './limits.js';

export type Params = Record<string, unknown>;

export interface Refusal {
  error: string;
  /** Slack's `response_metadata.messages`: what is wrong, with a JSON pointer. */
  messages: string[];
}

const REQUIRED: Record<string, readonly string[]> = {
  'chat.postMessage': ['channel'],
  'chat.postEphemeral': ['channel', 'user'],
  'chat.update': ['channel', 'ts'],
  'conversations.open': [],
  'users.info': ['user'],
  'views.open': ['trigger_id', 'view'],
  'views.push': ['trigger_id', 'view'],
  'views.update': ['view'],
  'views.publish': ['user_id', 'view'],
  'files.getUploadURLExternal': ['filename', 'length'],
  'files.completeUploadExternal': ['files'],
};

const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.update']);
const VIEW_METHODS = new Set(['views.open', 'views.push', 'views.update', 'views.publish']);

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** Undefined when Slack would go on to act on the call. */
export function checkCall(method: string, p: Params): Refusal | undefined {
  const missing: Problem[] = (REQUIRED[method] ?? []).filter((k) => !present(p[k])).map((k) => ({ pointer: `/${k}`, message: 'missing required field' }));
  if (method === 'conversations.open' && !present(p.users) && !present(p.channel)) missing.push({ pointer: '/users', message: 'must provide users or channel' });
  if (method === 'views.update' && !present(p.view_id) && !present(p.external_id)) missing.push({ pointer: '/view_id', message: 'must provide view_id or external_id' });
  if (method === 'files.getUploadURLExternal' && present(p.length) && !(Number.isInteger(Number(p.length)) && Number(p.length) > 0)) {
    missing.push({ pointer: '/length', message: 'must be a positive integer (the file size in bytes)' });
  }
  if (missing.length > 0) return refusal('invalid_arguments', missing);

  if (MESSAGE_METHODS.has(method)) return checkMessage(p);
  if (VIEW_METHODS.has(method)) {
    const problems = checkView(p.view);
    if (method === 'views.publish' && (p.view as { type?: unknown }).type !== 'home') problems.push({ pointer: '/view/type', message: 'must be home' });
    if (method !== 'views.publish' && (p.view as { type?: unknown }).type !== 'modal') problems.push({ pointer: '/view/type', message: 'must be modal' });
    return problems.length > 0 ? refusal('invalid_arguments', problems) : undefined;
  }
  return undefined;
}

/** A message body: chat.* arguments or a response_url post. */
export function checkMessage(p: Params): Refusal | undefined {
  const hasText = typeof p.text === 'string' && p.text.trim() !== '';
  const hasBlocks = Array.isArray(p.blocks) && p.blocks.length > 0;
  if (!hasText && !hasBlocks && !present(p.attachments)) return refusal('no_text', [{ pointer: '/text', message: 'must provide text, blocks or attachments' }]);
  if (typeof p.text === 'string' && p.text.length > LIMITS.messageText.max) return refusal('msg_too_long', [{ pointer: '/text', message: `must be less than ${LIMITS.messageText.max + 1} characters` }]);
  const problems = checkMessageBlocks(p.blocks);
  return problems.length > 0 ? refusal('invalid_blocks', problems) : undefined;
}

function refusal(error: string, problems: readonly Problem[]): Refusal {
  return { error, messages: slackMessages(problems) };
}
