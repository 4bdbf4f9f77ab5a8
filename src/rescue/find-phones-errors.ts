/** Refusals of the find-phones use cases (find-phones.ts). */
import { AppError } from '../errors.js';

/** The device chosen is not one of the person's desk phones in the call manager (or the call manager lists none now). */
export class FoundPhoneNotYours extends AppError {
  readonly code = 'FoundPhoneNotYours';
  constructor(
    readonly device: string,
    reason?: string,
  ) {
    super(
      `${device} is not among the desk phones the call manager lists for this person`,
      reason ?? `The call manager does not list ${device} as one of your desk phones (any more). Open /phone again to see the phones it lists for you.`,
    );
  }
}

/** `phones sync --apply` without PHONE_DEFAULT_USERNAME / PHONE_DEFAULT_PASSWORD: the phones it saves could not be rung. */
export class SyncNeedsSharedAccount extends AppError {
  readonly code = 'SyncNeedsSharedAccount';
  constructor() {
    super(
      'phones sync --apply needs the office\'s shared phone account',
      'Phones found through the call manager are rung with the shared phone account: set PHONE_DEFAULT_USERNAME and PHONE_DEFAULT_PASSWORD, then run phones sync --apply again.',
    );
  }
}
