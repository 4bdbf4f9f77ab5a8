/** What a person sees after using a button, shortcut, form or command this version of the app no longer knows. */
import type { types } from '@slack/bolt';
import { plain, section } from './kit.js';
import type { SlackMessage } from './message.js';

export type OutdatedThing = 'button' | 'shortcut' | 'form';

const WHAT_TO_TYPE = 'Type `/rescue` to ring your phone (or `/rescue @colleague` for theirs), or `/phone` to set up, test or check your phone.';

/** "That button is out of date" (a message from before an upgrade) and what to type instead. */
export function outOfDateMessage(thing: OutdatedThing): SlackMessage {
  const text = `That ${thing} is out of date: rescue-ring was updated since it was made. ${WHAT_TO_TYPE}`;
  return { text, blocks: [section(`:warning: ${text}`)] };
}

/** A slash command the app does not answer (any more). */
export function unknownCommandMessage(command: string): SlackMessage {
  const name = command.replace(/[^/\w-]/g, '').slice(0, 40);
  return { text: `rescue-ring no longer answers ${name}. ${WHAT_TO_TYPE}` };
}

/** The modal that replaces a submitted form the app no longer knows (what was typed cannot be saved). */
export function outOfDateModal(): types.ModalView {
  const m = outOfDateMessage('form');
  return { type: 'modal', title: plain('rescue-ring'), close: plain('Close'), blocks: m.blocks ?? [] };
}
