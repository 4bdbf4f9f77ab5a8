/** Tiny Block Kit helpers: every builder in src/slack/blocks uses these. */
import type { types } from '@slack/bolt';

export type Block = types.KnownBlock;
export type Button = types.Button;

/** Slack's largest `max_length` for a plain_text_input (Block Kit reference, plain-text input element). */
export const TEXT_INPUT_MAX_LENGTH = 3000;

/** Escapes text we did not write (names, addresses, tone names) for mrkdwn. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function plain(text: string): types.PlainTextElement {
  return { type: 'plain_text', text: text.slice(0, 150), emoji: true };
}

export function section(text: string, accessory?: Button): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) }, ...(accessory ? { accessory } : {}) };
}

export function context(text: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: text.slice(0, 3000) }] };
}

export function actions(blockId: string, ...buttons: Button[]): types.ActionsBlock {
  return { type: 'actions', block_id: blockId, elements: buttons };
}

export function button(text: string, actionId: string, options: { value?: string; style?: 'primary' | 'danger'; confirm?: types.ConfirmationDialog } = {}): Button {
  return {
    type: 'button',
    text: plain(text),
    action_id: actionId,
    ...(options.value !== undefined ? { value: options.value } : {}),
    ...(options.style ? { style: options.style } : {}),
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
}

export function divider(): types.DividerBlock {
  return { type: 'divider' };
}

export function header(text: string): types.HeaderBlock {
  return { type: 'header', text: plain(text) };
}
