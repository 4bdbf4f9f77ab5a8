/**
 * Registering (or updating) a phone. Every field is validated here, for every surface, and all
 * problems come back at once by field so a form can show each beside its input. Nothing is saved
 * unless everything is valid.
 */
import { isDeskPhoneName } from '../callmanager/index.js';
import { isAppError } from '../errors.js';
import { checkPhoneAddress, parsePhoneAddress, validateCoverStory } from '../phone/index.js';
import { DENIED_TONES } from '../phone/tones.js';
import { StoreRowUnreadable } from '../store/errors.js';
import type { Registration, RegistrationInput, RingPermission } from '../store/types.js';
import { audit, auditError, type AuditFacts } from './audit.js';
import type { RescueDeps } from './deps.js';
import { InvalidSettings, type SettingsField, type SettingsRefusalReason } from './errors.js';
import { tlsAfterSave } from './pin.js';
import { INTERVAL_RANGE, RINGS_RANGE } from './settings.js';
import { effectiveTones } from './tones.js';

/**
 * The store's registration fields, as a person fills them in. Blank username or password: the
 * organisation default on a first registration, and on an update a blank password keeps the saved
 * one. coverStory absent keeps the saved one; blank removes it.
 */
export type RegisterInput = RegistrationInput;

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

/** Validates and saves; every outcome is audited (refusals name the invalid fields, never their values) with `actorId` as who did it: the owner, or "cli" for `rescue-ring phones add`. */
export async function registerPhone(deps: RescueDeps, input: RegisterInput, actorId = input.userId): Promise<Registration> {
  const facts: AuditFacts = { teamId: input.teamId, actorId, targetId: input.userId, action: 'register' };
  try {
    return await validateAndSave(deps, input, facts);
  } catch (err) {
    await auditError(deps, facts, err, err instanceof InvalidSettings ? `invalid: ${Object.keys(err.fields).join(', ')}` : undefined);
    throw err;
  }
}

async function validateAndSave(deps: RescueDeps, input: RegisterInput, facts: AuditFacts): Promise<Registration> {
  const checked = await checkRegistration(deps, input);
  const saved = await deps.directory.put(checked.record);
  deps.logger.info({ teamId: input.teamId, userId: input.userId, updated: checked.updated, retrusted: checked.retrusted }, 'phone registered');
  await audit(deps, facts, 'ok', { detail: checked.detail });
  return saved;
}

/** What registerPhone would store, and how it describes the change in the audit trail. */
export interface CheckedRegistration {
  record: RegistrationInput;
  /** An existing registration is replaced. */
  updated: boolean;
  /** The HTTPS certificate will be learned again (see pin.ts). */
  retrusted: boolean;
  /** registerPhone's audit detail: "new", "updated", ... */
  detail: string;
}

/**
 * Every check registerPhone makes, and the registration it would store (saved fields kept as it
 * keeps them); saves nothing. Throws InvalidSettings naming every invalid field (and, for a refused
 * address, the network policy's reason in `reasons.address`). For surfaces that
 * save many registrations at once (`rescue-ring phones import`).
 */
export async function checkRegistration(deps: RescueDeps, input: RegisterInput): Promise<CheckedRegistration> {
  const { settings } = deps;
  const errors: Partial<Record<SettingsField, string>> = {};
  const reasons: Partial<Record<SettingsField, SettingsRefusalReason>> = {};
  const { existing, unreadable } = await readableRegistration(deps, input);

  // A desk phone's device name (SEP + 12 hex, any case; stored in capitals) is resolved through the call manager at ring time.
  const deviceName = isDeskPhoneName(input.address);
  const address = deviceName ? input.address.trim().toUpperCase() : input.address.trim();
  if (deviceName) {
    // nothing to resolve now
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
  if (username === undefined && settings.defaults.username === undefined) {
    errors.username = 'Enter the username you use for the phone’s web pages (your organisation has no shared phone account).';
  } else if (username !== undefined && (username.length > 128 || hasControlChars(username) || username.includes(':'))) {
    errors.username = 'The username is too long or contains a colon or control characters; check it and try again.';
  }

  const password = blank(input.password) ? undefined : input.password!;
  const keepPassword = password === undefined && existing?.password !== undefined;
  if (password === undefined && !keepPassword && settings.defaults.password === undefined) {
    errors.password = existing ? 'Enter your phone password.' : 'Enter your phone password; it is needed the first time you register.';
  } else if (password !== undefined && (password.length > 256 || hasControlChars(password))) {
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
  const buddies = [...new Set((input.buddies ?? []).filter((b) => b !== input.userId))];
  if (buddies.length > MAX_BUDDIES) errors.buddies = `Pick at most ${MAX_BUDDIES} rescue buddies.`;
  if (buddies.some((b) => !/^[UW][A-Z0-9]{2,}$/.test(b))) errors.buddies = 'Rescue buddies must be people in this workspace.';

  let coverStory = input.coverStory === undefined ? existing?.coverStory : blank(input.coverStory) ? undefined : input.coverStory.trim();
  if (input.coverStory !== undefined && coverStory !== undefined) {
    try {
      coverStory = validateCoverStory(coverStory).text;
    } catch (err) {
      errors.coverStory = err instanceof Error && 'hint' in err ? String((err as { hint: unknown }).hint) : 'This cover story cannot be shown on a phone; shorten it.';
    }
  }

  if (Object.keys(errors).length > 0) throw new InvalidSettings(errors, reasons);

  const kept = input.tls === undefined ? await tlsAfterSave(deps, existing, address) : { tls: input.tls, retrusted: false };
  const record: RegistrationInput = {
    teamId: input.teamId,
    userId: input.userId,
    address,
    username,
    password: keepPassword ? existing?.password : password,
    tls: kept.tls,
    tone,
    rings: input.rings,
    intervalSeconds: input.intervalSeconds,
    permission: input.permission ?? existing?.permission ?? 'anyone',
    buddies: input.buddies ? buddies : (existing?.buddies ?? []),
    ...(coverStory !== undefined ? { coverStory } : {}),
    ...(input.source !== undefined && input.source !== 'manual' ? { source: input.source } : {}),
  };
  const detail = [existing ? 'updated' : unreadable ? 'replaced an unreadable registration' : 'new', ...(kept.retrusted ? ['HTTPS certificate will be learned again'] : [])];
  return { record, updated: existing !== undefined, retrusted: kept.retrusted, detail: detail.join('; ') };
}
