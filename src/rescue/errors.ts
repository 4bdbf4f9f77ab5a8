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

export class RateLimited extends AppError {
  readonly code = 'RateLimited';
  constructor(readonly retryAfterSeconds: number, hint: string) {
    super(`rate limited for ${retryAfterSeconds}s`, hint);
  }
}

/** Settings that failed validation, by field; nothing was saved. */
export class InvalidSettings extends AppError {
  readonly code = 'InvalidSettings';
  constructor(readonly fields: Partial<Record<SettingsField, string>>) {
    super(`invalid settings: ${Object.keys(fields).join(', ')}`, Object.values(fields).join(' '));
  }
}

export type SettingsField = 'address' | 'username' | 'password' | 'tone' | 'rings' | 'interval' | 'permission' | 'buddies';

/** Anything unplanned: logged in full for the operator, shown to the user without details. */
export class UnexpectedFailure extends AppError {
  readonly code = 'Unexpected';
  constructor(cause: unknown) {
    super('unexpected failure', 'Something went wrong on our side and it has been logged. Try again in a minute; if it keeps happening, tell your IT team.', { cause });
  }
}
