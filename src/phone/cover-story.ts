/**
 * The cover story: a CiscoIPPhoneText pushed right after the first ring, so the excuse is on the
 * screen too. `validateCoverStory` is what the Slack modal, the command parser and ring() all use, so a
 * bad text is refused up front with a specific hint, before anything is sent.
 *
 * Limits (reference §1, §4; Cisco's CiscoIpPhoneServices.xsd): Title at most 32 characters, Text at
 * most 4000; no control characters except CR, LF and tab; the whole object (declaration, markup and
 * escaping included) at most 512 bytes on older phones, 40 KB on modern ones. Emoji and other
 * characters outside the Basic Multilingual Plane are refused: phone fonts do not have them.
 */
import { isAppError } from '../errors.js';
import type { PhoneClient, RequestOptions } from './client.js';
import { InvalidPhoneText, PhoneRejected } from './errors.js';
import type { CoverStory, CoverStoryOutcome, Phone } from './types.js';
import { LEGACY_OBJECT_LIMIT, MODERN_OBJECT_LIMIT, XML_DECLARATION, escapeXml } from './xml.js';

export const MAX_COVER_TITLE_CHARS = 32;
export const MAX_COVER_TEXT_CHARS = 4000;
/** About how many plain letters fit the 512-byte object of older phones, once the markup is counted. */
export const LEGACY_COVER_TEXT_CHARS = 10 * Math.floor((LEGACY_OBJECT_LIMIT - Buffer.byteLength(coverStoryXml({ text: '' }), 'utf8')) / 10);
/** The push must not hold up the remaining rings for long. */
export const COVER_STORY_TIMEOUT_MS = 5_000;

/** An InvalidPhoneText (same code) whose hint says exactly what to change. */
export class InvalidCoverStory extends InvalidPhoneText {
  override readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.hint = hint;
  }
}

export interface CoverStoryRules {
  /** Modern firmware accepts 40 KB objects; otherwise (and when unknown) the 512-byte limit applies. */
  modern?: boolean;
}

function describeChar(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Checks one field's characters; `position` is 1-based, in characters as a person counts them. */
function checkCharacters(field: 'title' | 'text', value: string): void {
  const label = field === 'title' ? 'The title' : 'The cover story';
  let position = 0;
  for (const ch of value) {
    position += 1;
    const cp = ch.codePointAt(0)!;
    const lineBreak = cp === 0x0a || cp === 0x0d;
    if (field === 'title' && (lineBreak || cp === 0x09)) {
      throw new InvalidCoverStory(`${label} contains a line break or tab at position ${position}`, 'The title is a single line: remove the line break or tab.');
    }
    const control = (cp < 0x20 && cp !== 0x09 && !lineBreak) || (cp >= 0x7f && cp <= 0x9f);
    if (control) {
      throw new InvalidCoverStory(
        `${label} contains the control character ${describeChar(cp)} at position ${position}`,
        `Remove the invisible control character at position ${position} (it often comes with pasted text). Line breaks and tabs are fine.`,
      );
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      throw new InvalidCoverStory(`${label} contains a broken character at position ${position}`, `Retype the text around position ${position}: a character there is damaged.`);
    }
    if (cp === 0xfffe || cp === 0xffff) {
      throw new InvalidCoverStory(`${label} contains the non-character ${describeChar(cp)} at position ${position}`, `Remove the character at position ${position}.`);
    }
    if (cp > 0xffff) {
      throw new InvalidCoverStory(
        `${label} contains ${ch} (${describeChar(cp)}) at position ${position}, which phones cannot show`,
        `Phones cannot show emoji or similar symbols: remove the "${ch}" at position ${position} and use plain letters, digits and punctuation.`,
      );
    }
  }
}

/** The exact CiscoIPPhoneText sent for a cover story (what its size is measured on). */
export function coverStoryXml(story: CoverStory): string {
  const title = story.title !== undefined && story.title !== '' ? `<Title>${escapeXml(story.title)}</Title>` : '';
  return `${XML_DECLARATION}<CiscoIPPhoneText>${title}<Text>${escapeXml(story.text)}</Text></CiscoIPPhoneText>`;
}

/**
 * Validates a cover story (or just its text) for a phone; returns it as a CoverStory.
 * Throws InvalidCoverStory (an InvalidPhoneText, code 'InvalidPhoneText') with a hint saying what to change.
 * Without `modern: true` the strict 512-byte limit of older phones applies.
 */
export function validateCoverStory(story: CoverStory | string, rules: CoverStoryRules = {}): CoverStory {
  const s: CoverStory = typeof story === 'string' ? { text: story } : story;
  if (typeof s.text !== 'string' || s.text.trim() === '') {
    throw new InvalidCoverStory('The cover story is empty', 'Type the message to show on the phone, e.g. "Facilities: your car is blocking the gate".');
  }
  if (s.title !== undefined && typeof s.title !== 'string') throw new InvalidCoverStory('The cover story title is not text', 'Type the title as plain text.');
  const titleChars = s.title === undefined ? 0 : [...s.title].length;
  if (titleChars > MAX_COVER_TITLE_CHARS) {
    throw new InvalidCoverStory(
      `The title is ${titleChars} characters; phones show at most ${MAX_COVER_TITLE_CHARS}`,
      `Shorten the title to ${MAX_COVER_TITLE_CHARS} characters or fewer (remove at least ${titleChars - MAX_COVER_TITLE_CHARS}).`,
    );
  }
  const textChars = [...s.text].length;
  if (textChars > MAX_COVER_TEXT_CHARS) {
    throw new InvalidCoverStory(
      `The cover story is ${textChars} characters; phones show at most ${MAX_COVER_TEXT_CHARS}`,
      `Shorten the cover story by at least ${textChars - MAX_COVER_TEXT_CHARS} characters.`,
    );
  }
  if (s.title !== undefined) checkCharacters('title', s.title);
  checkCharacters('text', s.text);

  const limit = rules.modern ? MODERN_OBJECT_LIMIT : LEGACY_OBJECT_LIMIT;
  const bytes = Buffer.byteLength(coverStoryXml(s), 'utf8');
  if (bytes > limit) {
    const over = bytes - limit;
    throw new InvalidCoverStory(
      `The cover story needs ${bytes} bytes on the phone; it accepts at most ${limit} in all (title and markup included)`,
      `Shorten the cover story by at least ${over} character${over === 1 ? '' : 's'}. ` +
        'Accented letters count twice and & < > " \' up to six times. ' +
        (rules.modern ? '' : 'Older phones accept very short messages only; an administrator can mark a newer phone (78xx, 88xx, 98xx) as modern.'),
    );
  }
  return s.title === undefined || s.title === '' ? { text: s.text } : { title: s.title, text: s.text };
}

export interface CoverStoryPush {
  outcome: Exclude<CoverStoryOutcome, 'not-sent'>;
  /** The AppError when not shown. */
  error?: { code: string; message: string; hint: string };
}

/**
 * Pushes an already validated cover story. Never throws except on abort: a phone that refuses text
 * objects ('rejected': CiscoIPPhoneError or an item status) or fails otherwise ('failed') is reported.
 */
export async function pushCoverStory(client: PhoneClient, phone: Phone, story: CoverStory, opts: RequestOptions = {}): Promise<CoverStoryPush> {
  try {
    await client.pushText(phone, story.title === undefined || story.title === '' ? { text: story.text } : { title: story.title, text: story.text }, {
      responseTimeoutMs: COVER_STORY_TIMEOUT_MS,
      ...opts,
    });
    return { outcome: 'shown' };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const outcome = err instanceof PhoneRejected ? 'rejected' : 'failed';
    if (isAppError(err)) return { outcome, error: { code: err.code, message: err.message, hint: err.hint } };
    return { outcome, error: { code: 'Unexpected', message: err instanceof Error ? err.message.slice(0, 200) : 'unexpected failure', hint: 'Try again in a minute.' } };
  }
}
