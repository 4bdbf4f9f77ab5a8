/**
 * Any failure, as the message a person reads: the error's hint (never its message, a stack or a
 * secret) and, where it helps, the button that fixes it.
 */
import { isAppError } from '../../errors.js';
import { PhoneRejected } from '../../phone/errors.js';
import { NotRegistered } from '../../rescue/errors.js';
import { ACTIONS } from '../ids.js';
import type { SlackMessage } from './message.js';
import { actions, button, section, type Block, type Button } from './kit.js';

const UNEXPECTED = 'Something went wrong on our side and it has been logged. Try again in a minute; if it keeps happening, tell your IT team.';

/** Error codes whose fix is in the settings modal. */
const FIX_IN_SETTINGS = new Set(['PhoneAuthFailed', 'MissingPhoneCredentials', 'InvalidPhoneAddress', 'PhoneAddressRefused', 'ToneDenied', 'InvalidTone', 'PhoneCertificateChanged', 'PhoneTlsFailed', 'RegistrationUnreadable']);
/** Error codes where the diagnosis tells the user (or IT) what is wrong. */
const RUN_A_CHECK = new Set(['PhoneUnreachable', 'PhoneTimeout', 'PhoneConnectionLost', 'PhoneBadResponse']);

export interface ErrorContext {
  /** A line shown before the hint, e.g. "Rang 1 of 3, then:". */
  prefix?: string;
  /** False when the failure concerns someone else's phone: their settings are not ours to fix. */
  self?: boolean;
}

/**
 * Store failures carry hints for the operator (DATA_DIR, keys, disk space): a person is told what
 * they can do instead, and the operator finds the cause in the log.
 */
const FOR_OPERATORS = new Set(['StoreUnavailable', 'StoreKeyInvalid', 'StoreKeyRequired', 'StoreSchemaTooNew', 'StoreInputInvalid']);
const STORE_TROUBLE = 'rescue-ring cannot use its phone directory right now, so nothing was done. Try again in a few minutes; if it keeps happening, tell your IT team.';
/** A stored row that does not open, when no use case has said whose it is (e.g. App Home). */
const ROW_UNREADABLE = new Set(['StoreRowUnreadable', 'StoreKeyMissing']);

/** The words a person reads for `err`: its hint, except where the hint is written for the operator. */
export function personHint(err: unknown, ctx: Pick<ErrorContext, 'self'> = {}): string {
  if (!isAppError(err)) return UNEXPECTED;
  if (FOR_OPERATORS.has(err.code)) return STORE_TROUBLE;
  if (ROW_UNREADABLE.has(err.code)) {
    return (ctx.self ?? true)
      ? 'Your saved phone settings can no longer be read. Run /phone and save your settings again, including your phone password.'
      : 'That person’s saved phone settings can no longer be read; they need to save them again in /phone.';
  }
  return err.hint;
}

export function errorMessage(err: unknown, ctx: ErrorContext = {}): SlackMessage {
  const hint = personHint(err, ctx);
  const text = ctx.prefix ? `${ctx.prefix}\n${hint}` : hint;
  const blocks: Block[] = [section(`:warning: ${text}`)];
  const fix = fixButton(err, ctx.self ?? true);
  if (fix) blocks.push(actions('error_actions', fix));
  return { text, blocks };
}

function fixButton(err: unknown, self: boolean): Button | undefined {
  if (!isAppError(err)) return undefined;
  if (err instanceof NotRegistered) {
    return err.who.self
      ? button('Register your phone', ACTIONS.openSettings, { style: 'primary' })
      : button('Send them a registration link', ACTIONS.registrationLink, { value: err.who.userId });
  }
  if (!self) return undefined;
  // The phone does not have the chosen ringtone (item Status 6 on a Play): pick another in settings.
  if (err instanceof PhoneRejected && err.items?.some((i) => i.status === 6 && i.url.startsWith('Play:'))) return button('Update settings', ACTIONS.openSettings);
  if (FIX_IN_SETTINGS.has(err.code)) return button('Update settings', ACTIONS.openSettings);
  if (RUN_A_CHECK.has(err.code)) return button('Run a check', ACTIONS.status);
  return undefined;
}
