/** Errors of the use cases: each says, in office words, what happened and what to do next. */
import { AppError } from '../errors.js';

export type Who = { userId: string; self: boolean };

const name = (who: Who) => (who.self ? 'You have' : `<@${who.userId}> has`);

export class NotRegistered extends AppError {
  readonly code = 'NotRegistered';
  constructor(readonly who: Who) {
    super(
      `${who.userId} has no phone registered`,
      who.self
        ? 'You have not registered a desk phone yet. Run /phone to add its address (shown on the phone under Settings > Phone Information).'
        : `${name(who)} not registered a desk phone yet, so rescue-ring cannot ring it. You can send them a registration link.`,
    );
  }
}

/**
 * The stored registration no longer opens (its key left the keyring, or the row was damaged). The
 * operator detail (key id, STORE_KEYS) is logged; the person is told the way back: save again.
 */
export class RegistrationUnreadable extends AppError {
  readonly code = 'RegistrationUnreadable';
  constructor(readonly who: Who, options?: { cause?: unknown }) {
    super(
      `${who.userId}'s phone registration cannot be opened`,
      who.self
        ? 'Your saved phone settings can no longer be read (the key that protected them is not available to rescue-ring). Run /phone and save your settings again, including your phone password.'
        : `<@${who.userId}>’s saved phone settings can no longer be read, so rescue-ring cannot ring their phone. They need to save their settings again in /phone.`,
      options,
    );
  }
}

export class NotAllowed extends AppError {
  readonly code = 'NotAllowed';
  constructor(readonly targetId: string, reason: 'only_me' | 'buddies' | 'teammate_rescue_off') {
    super(
      `rescue of ${targetId} refused: ${reason}`,
      reason === 'teammate_rescue_off'
        ? 'Ringing a colleague’s phone is turned off in this workspace; you can still ring your own with /rescue.'
        : reason === 'only_me'
          ? `<@${targetId}> allows only themselves to ring their phone.`
          : `<@${targetId}> accepts rescues only from their rescue buddies, and you are not on the list. Ask them to add you in /phone.`,
    );
  }
}

export class MissingPhoneCredentials extends AppError {
  readonly code = 'MissingPhoneCredentials';
  constructor(readonly who: Who) {
    super(
      `${who.userId}'s registration has no phone username/password and no organisation default is configured`,
      who.self
        ? 'Your registration has no phone username or password. Run /phone and fill them in.'
        : `${name(who)} no phone username or password saved; they need to complete it in /phone.`,
    );
  }
}

export class RescueInProgress extends AppError {
  readonly code = 'RescueInProgress';
  constructor(readonly targetId: string, self: boolean) {
    super(`a rescue of ${targetId} is already in progress`, self ? 'Your phone is already ringing. Use the Stop button or /rescue stop.' : `<@${targetId}>’s phone is already ringing; someone got there first.`);
  }
}

/** Which limit refused: the target's cooldown or hourly cap, or the requester's per-minute cap. */
export type RateLimit = 'target_cooldown' | 'target_hour' | 'requester_minute';

/**
 * A ring that may happen at most once (a scheduled rescue, by its id) was already started, by this
 * process or another replica: the second attempt is dropped, never rung.
 */
export class AlreadyRung extends AppError {
  readonly code = 'AlreadyRung';
  constructor(readonly once: string) {
    super(`${once} was already rung`, 'This rescue has already rung.');
  }
}

export class RateLimited extends AppError {
  readonly code = 'RateLimited';
  constructor(
    readonly retryAfterSeconds: number,
    hint: string,
    readonly limit?: RateLimit,
  ) {
    super(`rate limited for ${retryAfterSeconds}s${limit ? ` (${limit})` : ''}`, hint);
  }
}

/**
 * An HTTPS phone presented a different certificate than the one pinned on first use: nothing was
 * sent. Same code as the phone module's PhoneCertificateChanged (Slack shows the same "Update
 * settings" button), with a hint that names whose phone it is and how its owner re-trusts it.
 */
export class CertificateChanged extends AppError {
  readonly code = 'PhoneCertificateChanged';
  constructor(readonly who: Who, options?: { cause?: unknown }) {
    super(
      `${who.userId}'s phone presented a different HTTPS certificate than the pinned one; nothing was sent`,
      who.self
        ? 'Your phone’s security certificate changed since rescue-ring first connected to it, so nothing was sent. That is normal after the phone was replaced or its certificate renewed, ' +
            'but it can also mean another device is answering at its address. If you know the phone changed, open /phone and save your settings again: rescue-ring will then trust the certificate it sees next. ' +
            'Otherwise ask your IT team (they can pin the new certificate with `rescue-ring phones add ... --tls-pin`).'
        : `<@${who.userId}>’s phone presented a different security certificate than the one rescue-ring trusts, so it was not rung. ` +
            `If <@${who.userId}> knows the phone changed, they can save their settings again in /phone to trust the new one (or IT can pin it with \`rescue-ring phones add ... --tls-pin\`).`,
      options,
    );
  }
}

/**
 * Settings that failed validation, by field; nothing was saved. `fields`: what to do, in the words a
 * person filling in a form needs. `reasons`: the precise cause where a check has one the form does not
 * show (the network policy's error class and the rule an address broke), for operators; never a secret.
 */
export class InvalidSettings extends AppError {
  readonly code = 'InvalidSettings';
  constructor(
    readonly fields: Partial<Record<SettingsField, string>>,
    readonly reasons: Partial<Record<SettingsField, SettingsRefusalReason>> = {},
  ) {
    super(`invalid settings: ${Object.keys(fields).join(', ')}`, Object.values(fields).join(' '));
  }
}

/** Why a check refused a field: the refusing error's class (e.g. PhoneAddressRefused) and message. */
export interface SettingsRefusalReason {
  code: string;
  message: string;
}

export type SettingsField = 'address' | 'username' | 'password' | 'tone' | 'rings' | 'interval' | 'permission' | 'buddies' | 'coverStory';

/** Anything unplanned: logged in full for the operator, shown to the user without details. */
export class UnexpectedFailure extends AppError {
  readonly code = 'Unexpected';
  constructor(cause: unknown) {
    super('unexpected failure', 'Something went wrong on our side and it has been logged. Try again in a minute; if it keeps happening, tell your IT team.', { cause });
  }
}

/** A registration names a desk phone by device name (SEP...) but rescue-ring has no call manager to ask where it is. */
export class CallManagerNotConnected extends AppError {
  readonly code = 'CallManagerNotConnected';
  constructor(readonly device: string) {
    super(
      `${device} is a device name, and no call manager is configured (CUCM_URL) to find its address`,
      `The phone is registered by its device name (${device}), but rescue-ring is not connected to the call manager that knows its address. ` +
        'Register the phone by its IP address instead (/phone: the address is under Settings > Phone Information on the phone), or ask IT to connect rescue-ring to the call manager (README: "Phones from the call manager").',
    );
  }
}
