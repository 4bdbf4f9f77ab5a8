/**
 * The XML objects we push to phones: CiscoIPPhoneExecute (1-3 items) and CiscoIPPhoneText.
 * Always declares UTF-8 (without it the phone guesses the locale's encoding), escapes every value,
 * validates URIs and enforces the phone's object size limit.
 */
import { DENIED_TONES, TONE_NAME_PATTERN } from './tones.js';
import { InvalidPhoneCommand, InvalidPhoneText, InvalidTone, ObjectTooLarge, ToneDenied } from './errors.js';
import type { ExecuteItem } from './types.js';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
/** Older phones (79xx era) accept POSTed objects up to 512 bytes; modern firmware 40 KB. */
export const LEGACY_OBJECT_LIMIT = 512;
export const MODERN_OBJECT_LIMIT = 40 * 1024;
export const MAX_URL_LENGTH = 256;
export const MAX_EXECUTE_ITEMS = 3;

export interface BuildOptions {
  modern?: boolean;
}

/** Escape for attribute values and text: & " ' < >. */
export function escapeXml(s: string): string {
  return s.replace(/[&"'<>]/g, (c) => ESC[c]!);
}
const ESC: Record<string, string> = { '&': '&amp;', '"': '&quot;', "'": '&apos;', '<': '&lt;', '>': '&gt;' };

export interface ToneRules {
  /** Extra denied names on top of DENIED_TONES (which always apply). */
  denied?: readonly string[];
}

const DENIED_LOWER: ReadonlySet<string> = new Set(DENIED_TONES.map((d) => d.toLowerCase()));

/** Validate a Play file name; returns it unchanged. Throws InvalidTone or ToneDenied. */
export function validateTone(tone: string, rules: ToneRules = {}): string {
  if (!TONE_NAME_PATTERN.test(tone)) {
    const shown = JSON.stringify(tone.length > 40 ? `${tone.slice(0, 37)}...` : tone);
    throw new InvalidTone(`Ringtone ${shown} is not a valid file name (letters, digits, ".", "-", "_"; at most 64 characters)`);
  }
  const lower = tone.toLowerCase();
  if (DENIED_LOWER.has(lower) || rules.denied?.some((d) => d.toLowerCase() === lower)) throw new ToneDenied(tone);
  return tone;
}

/** `Play:<tone>` after validation. */
export function playUri(tone: string, rules?: ToneRules): string {
  return `Play:${validateTone(tone, rules)}`;
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function invalid(message: string): InvalidPhoneCommand {
  return new InvalidPhoneCommand(message);
}

/** Validates one ExecuteItem URL: length, no control characters, Play file names. */
export function validateExecuteUrl(url: string): void {
  if (url.length === 0) throw invalid('An ExecuteItem URL is empty');
  if (url.length > MAX_URL_LENGTH) throw invalid(`An ExecuteItem URL is ${url.length} characters; phones accept at most ${MAX_URL_LENGTH}`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  if (/[\u0000-\u001f\u007f]/.test(url)) throw invalid('An ExecuteItem URL contains control characters');
  if (/^play:/i.test(url)) {
    if (!url.startsWith('Play:')) throw invalid(`"${url.slice(0, 5)}" must be written "Play:" (phones are case-sensitive)`);
    validateTone(url.slice(5));
    return;
  }
  if (!isHttpUrl(url) && !/^[A-Za-z]+:/.test(url)) throw invalid('An ExecuteItem URL must be an http(s) URL or an internal URI such as Play:Classic1.raw');
}

function checkSize(xml: string, opts: BuildOptions): string {
  const bytes = Buffer.byteLength(xml, 'utf8');
  const limit = opts.modern ? MODERN_OBJECT_LIMIT : LEGACY_OBJECT_LIMIT;
  if (bytes > limit) throw new ObjectTooLarge(bytes, limit);
  return xml;
}

/** `<CiscoIPPhoneExecute>` with 1-3 items (at most one HTTP URL). */
export function buildExecute(items: readonly ExecuteItem[], opts: BuildOptions = {}): string {
  if (items.length < 1 || items.length > MAX_EXECUTE_ITEMS) throw invalid(`An Execute object holds 1 to ${MAX_EXECUTE_ITEMS} items, not ${items.length}`);
  if (items.filter((i) => isHttpUrl(i.url)).length > 1) throw invalid('An Execute object may hold only one HTTP URL');
  const body = items
    .map((item) => {
      validateExecuteUrl(item.url);
      const p = item.priority;
      if (p !== undefined && p !== 0 && p !== 1 && p !== 2) throw invalid(`Priority must be 0, 1 or 2, not ${String(p)}`);
      const prio = p === undefined ? '' : ` Priority="${p}"`;
      return `<ExecuteItem${prio} URL="${escapeXml(item.url)}"/>`;
    })
    .join('');
  return checkSize(`${XML_DECLARATION}<CiscoIPPhoneExecute>${body}</CiscoIPPhoneExecute>`, opts);
}

export interface PhoneText {
  title?: string;
  prompt?: string;
  text: string;
}

// Cisco: no control characters except CR, LF and tab.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const BAD_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** `<CiscoIPPhoneText>` with Title, Prompt, Text. */
export function buildText(t: PhoneText, opts: BuildOptions = {}): string {
  const parts: string[] = [];
  for (const [tag, value] of [
    ['Title', t.title],
    ['Prompt', t.prompt],
    ['Text', t.text],
  ] as const) {
    if (value === undefined) continue;
    if (BAD_TEXT.test(value)) throw new InvalidPhoneText(`The ${tag.toLowerCase()} contains control characters the phone cannot show`);
    parts.push(`<${tag}>${escapeXml(value)}</${tag}>`);
  }
  return checkSize(`${XML_DECLARATION}<CiscoIPPhoneText>${parts.join('')}</CiscoIPPhoneText>`, opts);
}

/** The POST body for /CGI/Execute: `XML=` + the URL-encoded object (form encoding, spaces as `+`). */
export function formBody(xml: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(xml);
  } catch {
    // A lone surrogate: URLSearchParams writes it as U+FFFD.
    return new URLSearchParams({ XML: xml }).toString();
  }
  // What URLSearchParams writes, without building one: encodeURIComponent leaves ! ' ( ) ~ as they are and writes a space as %20.
  encoded = encoded.replace(SPACES, '+');
  return `XML=${FORM_DIFFERENCES.test(encoded) ? encoded.replace(FORM_DIFFERENCES_ALL, (c) => FORM_ESCAPES[c]!) : encoded}`;
}
const SPACES = /%20/g;
const FORM_DIFFERENCES = /[!'()~]/;
const FORM_DIFFERENCES_ALL = /[!'()~]/g;
const FORM_ESCAPES: Record<string, string> = { '!': '%21', "'": '%27', '(': '%28', ')': '%29', '~': '%7E' };
