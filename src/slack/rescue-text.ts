/**
 * What the text after `/rescue` asks for. With `should_escape: true` Slack sends mentions as
 * `<@U123|alice>` or `<@U123>` (W-prefixed ids on Enterprise Grid); anything else is a usage problem.
 */
import { NotAMention, RescueTextNotUnderstood, TooManyPeople } from './errors.js';

export type RescueRequestText =
  | { kind: 'self' }
  | { kind: 'help' }
  | { kind: 'stop' }
  | { kind: 'user'; userId: string };

const MENTION = /<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>/g;
const MAX_TEXT = 4000;

/** Throws RescueTextNotUnderstood, NotAMention or TooManyPeople (each with its hint). */
export function parseRescueText(input: string): RescueRequestText {
  const text = (input ?? '').slice(0, MAX_TEXT).trim();
  if (text === '') return { kind: 'self' };
  const word = text.toLowerCase();
  if (word === 'help' || word === '?' || word === '-h' || word === '--help') return { kind: 'help' };
  if (word === 'stop' || word === 'cancel') return { kind: 'stop' };

  const ids = [...text.matchAll(MENTION)].map((m) => m[1]!);
  const distinct = [...new Set(ids)];
  if (distinct.length > 1) throw new TooManyPeople(distinct.length);
  if (distinct.length === 1) {
    const rest = text.replace(MENTION, '').trim();
    if (rest !== '') throw new RescueTextNotUnderstood();
    return { kind: 'user', userId: distinct[0]! };
  }
  // Channel/group mentions, links and other markup are never a person.
  if (/<[#!]/.test(text) || text.includes('<')) throw new RescueTextNotUnderstood();
  // `@alice` (mention not picked from the list) or a bare name: explain how to mention.
  if (/^@?[\p{L}\p{N}][\p{L}\p{N}._' -]{0,79}$/u.test(text) && text.split(/\s+/).length <= 3) {
    throw new NotAMention(clip(text));
  }
  throw new RescueTextNotUnderstood();
}

function clip(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters typed into Slack are never echoed
  const flat = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 37)}...` : flat;
}
