/**
 * What the text after `/rescue` asks for:
 *   `/rescue [@colleague] [in 10m | at 14:30] ["cover story"] | list | cancel | stop | help`
 * With `should_escape: true` Slack sends mentions as `<@U123|alice>` or `<@U123>` (W-prefixed ids on
 * Enterprise Grid) and escapes & < > in what people typed; the cover story is decoded here. The
 * mention, the time and the quoted cover story may come in any order. Anything else is a usage problem.
 */
import { isWhenWord, parseWhen, type WhenSpec } from '../rescue/when.js';
import { CoverStoryNotClosed, NotAMention, RescueTextNotUnderstood, TooManyPeople } from './errors.js';

/** What to ring and how; `when` makes it a scheduled rescue. */
export interface RescueOptions {
  when?: WhenSpec;
  /** Decoded text for the phone's screen (validated by the use case). */
  coverStory?: string;
}

export type RescueRequestText =
  | ({ kind: 'self' } & RescueOptions)
  | { kind: 'help' }
  | { kind: 'stop' }
  | { kind: 'list' }
  | { kind: 'cancel' }
  | ({ kind: 'user'; userId: string } & RescueOptions);

const MENTION = /<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>/g;
const MAX_TEXT = 4000;
/** Straight and typographic double quotes (Slack clients turn " into “ ” as people type). */
const QUOTES = '"“”„';

/** Throws RescueTextNotUnderstood, NotAMention, TooManyPeople, CoverStoryNotClosed or InvalidWhen (each with its hint). */
export function parseRescueText(input: string): RescueRequestText {
  const raw = (input ?? '').slice(0, MAX_TEXT).trim();
  if (raw === '') return { kind: 'self' };
  const word = raw.toLowerCase();
  if (word === 'help' || word === '?' || word === '-h' || word === '--help') return { kind: 'help' };
  if (word === 'stop') return { kind: 'stop' };
  if (word === 'list') return { kind: 'list' };
  if (word === 'cancel') return { kind: 'cancel' };

  const { story, rest: text } = takeCoverStory(raw);
  const options: RescueOptions = story !== undefined ? { coverStory: story } : {};

  const ids = [...text.matchAll(MENTION)].map((m) => m[1]!);
  const distinct = [...new Set(ids)];
  if (distinct.length > 1) throw new TooManyPeople(distinct.length);
  const rest = text.replace(MENTION, ' ').replace(/\s+/g, ' ').trim();
  if (rest !== '' && isWhenWord(rest.split(' ')[0]!.toLowerCase())) {
    if (rest.includes('<')) throw new RescueTextNotUnderstood();
    options.when = parseWhen(rest);
  } else if (rest !== '') {
    if (distinct.length === 1) throw new RescueTextNotUnderstood();
    // Channel/group mentions, links and other markup are never a person.
    if (/<[#!]/.test(rest) || rest.includes('<')) throw new RescueTextNotUnderstood();
    // `@alice` (mention not picked from the list) or a bare name: explain how to mention.
    if (story === undefined && /^@?[\p{L}\p{N}][\p{L}\p{N}._' -]{0,79}$/u.test(rest) && rest.split(/\s+/).length <= 3) {
      throw new NotAMention(clip(rest));
    }
    throw new RescueTextNotUnderstood();
  }
  return distinct.length === 1 ? { kind: 'user', userId: distinct[0]!, ...options } : { kind: 'self', ...options };
}

/** Splits off the text between the first and the last double quote; Slack's escaping undone. */
function takeCoverStory(text: string): { story?: string; rest: string } {
  const chars = [...text];
  const first = chars.findIndex((c) => QUOTES.includes(c));
  if (first < 0) return { rest: text };
  let last = -1;
  for (let i = chars.length - 1; i > first; i--) {
    if (QUOTES.includes(chars[i]!)) {
      last = i;
      break;
    }
  }
  if (last < 0) throw new CoverStoryNotClosed();
  const story = decodeSlackEscapes(chars.slice(first + 1, last).join(''));
  return { story, rest: `${chars.slice(0, first).join('')} ${chars.slice(last + 1).join('')}` };
}

/** Slack escapes &, < and > in typed text (should_escape); the phone must show what was typed. */
export function decodeSlackEscapes(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function clip(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters typed into Slack are never echoed
  const flat = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 37)}...` : flat;
}
