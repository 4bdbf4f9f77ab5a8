/**
 * Registering (or updating) a phone. Every field is validated here, for every surface, and all
 * problems come back at once by field so a form can show each beside its input. Nothing is saved
 * unless everything is valid.
 */
import { isDeskPhoneName } from '../callmanager/index.js';
import { isAppError } from '../errors.js';
import { checkPhoneAddress, parsePhoneAddress, validateCoverStory } from '../phone/index.js';
import { DENIED_TONES } from '../phone/tones.js';
import { StoreRowUnreadable, StoreWriteConflict } from '../store/errors.js';
import type { Registration, RegistrationInput, RingPermission } from '../store/types.js';
import { audit, auditError, type AuditFacts } from './audit.js';
import type { RescueDeps } from './deps.js';
import { CallManagerNotConnected, InvalidSettings, type SettingsField, type SettingsRefusalReason } from './errors.js';
import { certificateRefusedLast } from './pin.js';
import { FORM_KEEPS, mergeRegistration, type KeptField, type RegistrationPatch } from './registration-merge.js';
import { INTERVAL_RANGE, RINGS_RANGE } from './settings.js';
import { effectiveTones } from './tones.js';

/**
 * The store's registration fields, as a person fills them in: a patch over the saved registration.
 * What a blank field keeps is the surface's choice (RegisterOptions.keep; registration-merge.ts).
 * coverStory absent says nothing about it; blank removes it.
 */
export type RegisterInput = RegistrationInput;

/** A Slack user id (U... or W...). */
export const USER_ID_PATTERN = /^[UW][A-Z0-9]{2,}$/;

export interface RegisterOptions {
  /** Who did it, for the audit log: the owner (the default), or "cli" for the operator's command line. */
  actorId?: string;
  /** Fields a blank value keeps from the saved registration; default FORM_KEEPS (the Slack settings form). */
  keep?: readonly KeptField[];
}

/** What a save did. */
export interface Registered {
  registration: Registration;
  /** An existing registration was replaced. */
  updated: boolean;
  /** A pinned HTTPS certificate will be learned again on the next ring (a new address, or after a refusal; see pin.ts). */
  retrusted: boolean;
}

/** Saves retried when another save of the same registration landed between our read and our write. */
const MAX_ATTEMPTS = 3;

const PERMISSIONS: readonly RingPermission[] = ['anyone', 'buddies', 'only_me'];
const MAX_BUDDIES = 50;
const blank = (s: string | undefined) => s === undefined || s.trim() === '';
const hasControlChars = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * The current registration, or undefined when there is none or it no longer opens (its key was
 * lost or the row damaged): registering again is how a user recovers, so that must not fail too.
 */
async function readableRegistration(deps: RescueDeps, key: { teamId: string; userId: string }): Promise<{ existing?: Registration; unreadable: boolean }> {
  try {
    const existing = await deps.directory.get(key);
    return { ...(existing ? { existing } : {}), unreadable: false };
  } catch (err) {
    if (!(err instanceof StoreRowUnreadable)) throw err;
    deps.logger.warn({ teamId: key.teamId, userId: key.userId, keyId: err.keyId, reason: err.reason }, 'replacing a registration that no longer opens');
    return { unreadable: true };
  }
}

/** Validates and saves (the Slack settings form, the demo); see saveRegistration. */
export async function registerPhone(deps: RescueDeps, input: RegisterInput, options: RegisterOptions = {}): Promise<Registration> {
  return (await saveRegistration(deps, input, options)).registration;
}

/**
 * Validates `input` (a patch; see RegisterOptions.keep) against the saved registration, read once,
 * and saves the merge only if nobody saved that registration in between (compare-and-set on its
 * update time; on a clash it reads again and merges again, a few times, then gives up with
 * StoreWriteConflict). Every outcome is audited (refusals name the invalid fields, never their
 * values) with `actorId` as who did it.
 */
export async function saveRegistration(deps: RescueDeps, input: RegisterInput, options: RegisterOptions = {}): Promise<Registered> {
  const facts: AuditFacts = { teamId: input.teamId, actorId: options.actorId ?? input.userId, targetId: input.userId, action: 'register' };
  try {
    for (let attempt = 1; ; attempt += 1) {
      const checked = await checkRegistration(deps, input, options.keep);
      try {
        const registration = await deps.directory.put({ ...checked.record, ifUpdatedAt: checked.readUpdatedAt });
        deps.logger.info({ teamId: input.teamId, userId: input.userId, updated: checked.updated, retrusted: checked.retrusted }, 'phone registered');
        await audit(deps, facts, 'ok', { detail: checked.detail });
        return { registration, updated: checked.updated, retrusted: checked.retrusted };
      } catch (err) {
        if (!(err instanceof StoreWriteConflict) || attempt >= MAX_ATTEMPTS) throw err;
        deps.logger.info({ teamId: input.teamId, userId: input.userId, attempt }, 'registration saved meanwhile by someone else; merging again');
      }
    }
  } catch (err) {
    await auditError(deps, facts, err, err instanceof InvalidSettings ? `invalid: ${Object.keys(err.fields).join(', ')}` : undefined);
    throw err;
  }
}

/** What a save would store, and how it describes the change in the audit trail. */
export interface CheckedRegistration {
  record: RegistrationInput;
  /** An existing registration is replaced. */
  updated: boolean;
  /** The HTTPS certificate will be learned again (see pin.ts). */
  retrusted: boolean;
  /** The audit detail: "new", "updated", ... */
  detail: string;
  /** The guard of the write (GuardedInput): the saved row's update time, null when there was none, undefined when it did not open (it is replaced). */
  readUpdatedAt: Date | null | undefined;
}

/**
 * Every check a save makes, and the registration it would store (the saved one read once, merged by
 * mergeRegistration); saves nothing. Throws InvalidSettings naming every invalid field (and, for a
 * refused address, the network policy's reason in `reasons.address`).
 */
export async function checkRegistration(deps: RescueDeps, input: RegisterInput, keep: readonly KeptField[] = FORM_KEEPS): Promise<CheckedRegistration> {
  const { settings } = deps;
  const errors: Partial<Record<SettingsField, string>> = {};
  const reasons: Partial<Record<SettingsField, SettingsRefusalReason>> = {};
  const { existing, unreadable } = await readableRegistration(deps, input);

  // A desk phone's device name (SEP + 12 hex, any case; stored in capitals) is resolved through the call manager at ring time.
  const deviceName = isDeskPhoneName(input.address);
  const address = deviceName ? input.address.trim().toUpperCase() : input.address.trim();
  if (deviceName) {
    // Nothing to resolve now; without a call manager it could never be found.
    if (!deps.callManager) {
      const err = new CallManagerNotConnected(address);
      errors.address = err.hint;
      reasons.address = { code: err.code, message: err.message };
    }
  } else if (address === '') errors.address = 'Enter your phone’s IP address or host name (Settings > Phone Information on the phone).';
  else {
    try {
      parsePhoneAddress(address);
      await checkPhoneAddress(address, deps.phones.networkPolicy);
    } catch (err) {
      errors.address = err instanceof Error && 'hint' in err ? `${(err as { hint: string }).hint}` : 'This is not a phone address rescue-ring can use.';
      // The network policy's own words (which rule the address broke), for the operator's command line.
      if (isAppError(err)) reasons.address = { code: err.code, message: err.message };
    }
  }

  const username = blank(input.username) ? undefined : input.username!.trim();
  if (username !== undefined && (username.length > 128 || hasControlChars(username) || username.includes(':'))) {
    errors.username = 'The username is too long or contains a colon or control characters; check it and try again.';
  }
  const password = blank(input.password) ? undefined : input.password!;
  if (password !== undefined && (password.length > 256 || hasControlChars(password))) {
    errors.password = 'The password is too long or contains control characters; check it and try again.';
  }

  const tone = blank(input.tone) ? undefined : input.tone!.trim();
  if (tone !== undefined) {
    if (DENIED_TONES.includes(tone)) errors.tone = `${tone} is known to crash some phones and is never played. Pick another ringtone.`;
    else if (tone !== existing?.tone && !(await effectiveTones(deps)).tones.includes(tone)) errors.tone = `${tone} is not one of this office’s ringtones. Pick one from the list.`;
  }

  if (input.rings !== undefined && !(Number.isInteger(input.rings) && input.rings >= RINGS_RANGE.min && input.rings <= RINGS_RANGE.max)) {
    errors.rings = `Rings must be a whole number from ${RINGS_RANGE.min} to ${RINGS_RANGE.max}.`;
  }
  if (
    input.intervalSeconds !== undefined &&
    !(Number.isInteger(input.intervalSeconds) && input.intervalSeconds >= INTERVAL_RANGE.min && input.intervalSeconds <= INTERVAL_RANGE.max)
  ) {
    errors.interval = `The pause between rings must be a whole number of seconds from ${INTERVAL_RANGE.min} to ${INTERVAL_RANGE.max}.`;
  }
  if (input.permission !== undefined && !PERMISSIONS.includes(input.permission)) {
    errors.permission = 'Choose who may ring your phone: anyone, your rescue buddies, or only you.';
  }
  const buddies = input.buddies === undefined ? undefined : [...new Set(input.buddies.filter((b) => b !== input.userId))];
  if (buddies !== undefined && buddies.length > MAX_BUDDIES) errors.buddies = `Pick at most ${MAX_BUDDIES} rescue buddies.`;
  if (buddies?.some((b) => !USER_ID_PATTERN.test(b))) errors.buddies = 'Rescue buddies must be people in this workspace.';

  let coverStory = input.coverStory === undefined ? undefined : input.coverStory.trim();
  if (coverStory !== undefined && coverStory !== '') {
    try {
      coverStory = validateCoverStory(coverStory).text;
    } catch (err) {
      errors.coverStory = err instanceof Error && 'hint' in err ? String((err as { hint: unknown }).hint) : 'This cover story cannot be shown on a phone; shorten it.';
    }
  }

  const patch: RegistrationPatch = {
    teamId: input.teamId,
    userId: input.userId,
    address,
    username,
    password,
    tls: input.tls,
    tone,
    rings: input.rings,
    intervalSeconds: input.intervalSeconds,
    permission: input.permission,
    buddies,
    ...(coverStory !== undefined ? { coverStory } : {}),
    ...(input.source !== undefined && input.source !== 'manual' ? { source: input.source } : {}),
  };
  const certificateRefused = existing !== undefined && input.tls === undefined && !keep.includes('tls') && (await certificateRefusedLast(deps, existing));
  const { record, retrusted } = mergeRegistration(existing, patch, keep, { certificateRefused });

  // What must be there once merged: a username and a password, the phone's own or the office's.
  if (record.username === undefined && settings.defaults.username === undefined && errors.username === undefined) {
    errors.username = 'Enter the username you use for the phone’s web pages (your organisation has no shared phone account).';
  }
  if (record.password === undefined && settings.defaults.password === undefined && errors.password === undefined) {
    errors.password = existing ? 'Enter your phone password.' : 'Enter your phone password; it is needed the first time you register.';
  }
  if (Object.keys(errors).length > 0) throw new InvalidSettings(errors, reasons);

  const detail = [existing ? 'updated' : unreadable ? 'replaced an unreadable registration' : 'new', ...(retrusted ? ['HTTPS certificate will be learned again'] : [])];
  return { record, updated: existing !== undefined, retrusted, detail: detail.join('; '), readUpdatedAt: existing ? existing.updatedAt : unreadable ? undefined : null };
}
