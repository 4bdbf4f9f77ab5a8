/**
 * The credential record sealed in each row, and the checks every registration passes before it is stored.
 */
import type { TlsPolicy } from '../phone/types.js';
import type { RegistrationInput, RegistrationSource, RingPermission } from './types.js';
import { StoreInputInvalid } from './errors.js';

/**
 * Everything secret about a registration, sealed as one JSON blob. The default cover story is not a
 * secret but is personal text, so it travels sealed too (no column, no migration).
 */
export interface CredentialRecord {
  address: string;
  username?: string;
  password?: string;
  tls?: TlsPolicy;
  coverStory?: string;
  /** How the phone was found (not a secret, but travels with the address it describes). */
  source?: RegistrationSource;
}

const SOURCES: readonly RegistrationSource[] = ['manual', 'callmanager', 'callmanager-unconfirmed'];

/** Longest default cover story stored (characters); the phone limits are checked by the use case. */
export const MAX_COVER_STORY_CHARS = 4000;

export const PERMISSIONS: readonly RingPermission[] = ['anyone', 'buddies', 'only_me'];
export const MAX_RINGS = 10;
export const MAX_INTERVAL_SECONDS = 60;
const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function encodeRecord(r: CredentialRecord): string {
  const out: CredentialRecord = { address: r.address };
  if (r.username !== undefined) out.username = r.username;
  if (r.password !== undefined) out.password = r.password;
  if (r.tls !== undefined) out.tls = r.tls;
  if (r.coverStory !== undefined) out.coverStory = r.coverStory;
  if (r.source !== undefined && r.source !== 'manual') out.source = r.source;
  return JSON.stringify(out);
}

/** Undefined when the opened text is not a record (never expected after an authenticated open). */
export function decodeRecord(text: string): CredentialRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.address !== 'string') return undefined;
  if (v.username !== undefined && typeof v.username !== 'string') return undefined;
  if (v.password !== undefined && typeof v.password !== 'string') return undefined;
  if (v.tls !== undefined && (typeof v.tls !== 'object' || v.tls === null)) return undefined;
  if (v.coverStory !== undefined && typeof v.coverStory !== 'string') return undefined;
  if (v.source !== undefined && !SOURCES.includes(v.source as RegistrationSource)) return undefined;
  return v as unknown as CredentialRecord;
}

/** Throws StoreInputInvalid naming the field; messages never include secret values. */
export function validateInput(input: RegistrationInput): void {
  const who = `user ${String(input.userId)} (team ${String(input.teamId)})`;
  const bad = (what: string, hint: string): never => {
    throw new StoreInputInvalid(`Cannot store the phone of ${who}: ${what}.`, hint);
  };
  if (typeof input.teamId !== 'string' || !ID_PATTERN.test(input.teamId)) bad('the team id is missing or malformed', 'Use the Slack team id, like T012AB3CD.');
  if (typeof input.userId !== 'string' || !ID_PATTERN.test(input.userId)) bad('the user id is missing or malformed', 'Use the Slack user id, like U012AB3CD.');
  if (typeof input.address !== 'string' || input.address.trim() === '' || input.address.length > 255) {
    bad('the phone address is missing or too long', 'Give the phone address as host, host:port or https://host.');
  }
  if (input.username !== undefined && (typeof input.username !== 'string' || input.username.length > 255)) bad('the phone username is too long', 'Use the phone user name from the call manager.');
  if (input.password !== undefined && (typeof input.password !== 'string' || input.password.length > 1024)) bad('the phone password is too long', 'Check the phone password.');
  if (input.tone !== undefined && (typeof input.tone !== 'string' || input.tone === '' || input.tone.length > 64)) bad('the ringtone name is empty or too long', 'Use a ringtone file name like Classic1.raw.');
  if (input.rings !== undefined && !(Number.isInteger(input.rings) && input.rings >= 1 && input.rings <= MAX_RINGS)) {
    bad(`rings must be a whole number from 1 to ${MAX_RINGS}`, `Choose between 1 and ${MAX_RINGS} rings.`);
  }
  if (input.intervalSeconds !== undefined && !(Number.isFinite(input.intervalSeconds) && input.intervalSeconds > 0 && input.intervalSeconds <= MAX_INTERVAL_SECONDS)) {
    bad(`the interval must be more than 0 and at most ${MAX_INTERVAL_SECONDS} seconds`, 'Choose an interval like 3 seconds.');
  }
  if (input.coverStory !== undefined && (typeof input.coverStory !== 'string' || input.coverStory.trim() === '' || [...input.coverStory].length > MAX_COVER_STORY_CHARS)) {
    bad(`the cover story must be text of 1 to ${MAX_COVER_STORY_CHARS} characters`, 'Shorten the cover story, or leave it out.');
  }
  if (input.source !== undefined && !SOURCES.includes(input.source)) bad(`source must be one of ${SOURCES.join(', ')}`, 'Leave the source out for a phone typed by hand.');
  if (input.permission !== undefined && !PERMISSIONS.includes(input.permission)) bad(`permission must be one of ${PERMISSIONS.join(', ')}`, 'Choose who may ring this phone: anyone, buddies or only_me.');
  if (input.buddies !== undefined && (!Array.isArray(input.buddies) || input.buddies.length > 200 || input.buddies.some((b) => typeof b !== 'string' || !ID_PATTERN.test(b)))) {
    bad('the buddy list must hold at most 200 Slack user ids', 'List buddies by Slack user id, like U012AB3CD.');
  }
}
