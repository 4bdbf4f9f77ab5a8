/**
 * The one error taxonomy of the phone-command module. Every failure a person may read is one of
 * these; `code` is stable (audit, metrics, Slack mapping) and `hint` is written for office workers.
 * Messages name phones by address only: never a password, never an Authorization header.
 */
import { AppError } from '../errors.js';
import type { ResponseItem } from './types.js';

const WEB_ACCESS_HINT =
  'Check that the phone is switched on and connected, and that Web Access is enabled on it ' +
  '(Settings > Security Configuration on the phone, or "Web Access" in the call manager\'s phone settings). ' +
  'If it is, ask IT whether this server may reach the phone\'s network.';

/** The address typed or registered for a phone cannot be understood. */
export class InvalidPhoneAddress extends AppError {
  readonly code = 'InvalidPhoneAddress';
  constructor(message: string) {
    super(
      message,
      'Enter the phone\'s IP address or host name, e.g. 10.1.2.3, 10.1.2.3:8080, [fd00::5] or https://phone-42.example.lan. ' +
        'You can read it on the phone under Settings > Network Configuration > IPv4 Address.',
    );
  }
}

/** The network policy (PHONE_ALLOWED_NETWORKS) does not allow this address. */
export class PhoneAddressRefused extends AppError {
  readonly code = 'PhoneAddressRefused';
  constructor(
    message: string,
    readonly address: string,
    hint?: string,
  ) {
    super(
      message,
      hint ??
        'rescue-ring only talks to phones on the office networks your administrator allowed. ' +
          'Check the address; if it is right, an administrator can add its network to PHONE_ALLOWED_NETWORKS ' +
          '(a comma-separated CIDR list, e.g. 10.0.0.0/8,192.168.0.0/16; to use the local phone simulator add 127.0.0.0/8).',
    );
  }
}

/** PHONE_ALLOWED_NETWORKS itself is malformed. */
export class InvalidNetworkPolicy extends AppError {
  readonly code = 'InvalidNetworkPolicy';
  constructor(message: string) {
    super(
      message,
      'PHONE_ALLOWED_NETWORKS must be a comma-separated list of networks in CIDR form, e.g. 10.0.0.0/8,192.168.0.0/16,fc00::/7.',
    );
  }
}

/** Connection refused, no route, DNS failure: nothing answered. */
export class PhoneUnreachable extends AppError {
  readonly code = 'PhoneUnreachable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, WEB_ACCESS_HINT, options);
  }
}

/** The phone accepted the connection (or did not finish connecting) but did not answer in time. */
export class PhoneTimeout extends AppError {
  readonly code = 'PhoneTimeout';
  constructor(
    message: string,
    readonly phase: 'connect' | 'response',
    options?: { cause?: unknown },
  ) {
    super(
      message,
      phase === 'connect'
        ? WEB_ACCESS_HINT
        : 'The phone is reachable but did not answer in time. It may be busy or restarting: wait a minute and try again. ' +
            'If it keeps happening, restart the phone (unplug it for 10 seconds).',
      options,
    );
  }
}

/** 401, or CiscoIPPhoneError Number=4. */
export class PhoneAuthFailed extends AppError {
  readonly code = 'PhoneAuthFailed';
  constructor(message: string) {
    super(
      message,
      'The phone did not accept the username and password. Check, in this order: the password is right; ' +
        'the user is associated with this phone in the call manager (Controlled Devices); ' +
        'the phone\'s Authentication URL in the call manager works (a paging system may have replaced it). ' +
        'Your IT team can check the last two.',
    );
  }
}

const ERROR_NUMBERS: Record<number, string> = {
  1: 'could not parse the command (CiscoIPPhoneError 1)',
  2: 'had an internal error building its response (CiscoIPPhoneError 2)',
  3: 'had an internal file error (CiscoIPPhoneError 3)',
  6: 'received the command late or empty (CiscoIPPhoneError 6)',
};

/** The phone understood the request and said no: CiscoIPPhoneError 1/2/3/unknown, or an item Status != 0. */
export class PhoneRejected extends AppError {
  readonly code = 'PhoneRejected';
  constructor(
    message: string,
    hint: string,
    /** CiscoIPPhoneError Number, when the whole object was refused. */
    readonly errorNumber?: number,
    /** The response items, when individual items failed. */
    readonly items?: readonly ResponseItem[],
  ) {
    super(message, hint);
  }

  /** `n` undefined: the phone sent a CiscoIPPhoneError whose Number is missing or not a number (still a refusal). */
  static fromErrorNumber(address: string, n: number | undefined): PhoneRejected {
    const what =
      n === undefined
        ? 'answered with a CiscoIPPhoneError whose number could not be read'
        : (ERROR_NUMBERS[n] ?? `reported error number ${n} (CiscoIPPhoneError ${n})`);
    const hint =
      n === 1
        ? 'The phone did not understand the command. Its firmware may not support it, or the message was too long for this model. Try again with the default ringtone; if it persists, tell IT the phone model.'
        : 'The phone reported an internal problem. Try again in a minute; if it persists, restart the phone.';
    return new PhoneRejected(`Phone ${address} ${what}`, hint, n);
  }

  static fromItems(address: string, items: readonly ResponseItem[]): PhoneRejected {
    const bad = items.filter((i) => i.status !== 0);
    const first = bad[0] ?? items[0];
    const desc = bad.map((i) => `${i.url || '(item)'}: status ${i.status}${i.data ? ` "${i.data}"` : ''}`).join('; ');
    const play = first?.url.startsWith('Play:') ? first.url.slice(5) : undefined;
    let hint: string;
    if (first?.status === 6 && play) {
      hint = `The phone does not have the ringtone "${play}". Pick one listed on the phone under Settings > Ring Type (or ask IT which ringtones your call manager provides).`;
    } else if (first?.status === 6) {
      hint = 'The phone does not support this command (it may be a different model). Tell IT the phone model.';
    } else if (first?.status === 1) {
      hint = 'The phone found the command malformed. Check the ringtone name: letters, digits, dot, dash and underscore only.';
    } else {
      hint = 'The phone refused the command. Try again in a minute; if it persists, restart the phone.';
    }
    return new PhoneRejected(`Phone ${address} refused the command: ${desc}`, hint, undefined, items);
  }
}

/** The phone answered something we cannot use: non-200, redirect, garbage, oversize, undecodable image. */
export class PhoneBadResponse extends AppError {
  readonly code = 'PhoneBadResponse';
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(
      message,
      hint ??
        'The phone answered, but not in a way rescue-ring understands. Try again in a minute; if it persists, restart the phone and tell IT its model.',
      options,
    );
  }
}

/** The connection dropped in the middle of a request: the phone restarted, crashed, or a network device cut it. */
export class PhoneConnectionLost extends AppError {
  readonly code = 'PhoneConnectionLost';
  constructor(message: string, options?: { cause?: unknown }) {
    super(
      message,
      'The phone dropped the connection in the middle of the request; it may be restarting. Wait a minute and try again. ' +
        'If it happened right after a ringtone was played, pick another ringtone. ' +
        'If it happens every time, the phone may accept only secure connections: register its address as https://ADDRESS.',
      options,
    );
  }
}

/** The tone name is not a valid phone file name. */
export class InvalidTone extends AppError {
  readonly code = 'InvalidTone';
  constructor(message: string) {
    super(
      message,
      'A ringtone is a file name such as Classic1.raw: letters, digits, dot, dash and underscore only. Pick one listed on the phone under Settings > Ring Type.',
    );
  }
}

/** The tone is on the deny list (it was reported to crash phones). */
export class ToneDenied extends AppError {
  readonly code = 'ToneDenied';
  constructor(readonly tone: string) {
    super(`Ringtone ${tone} is on the deny list and is never sent`, `The ringtone ${tone} was reported to crash phones, so rescue-ring never plays it. Pick another ringtone.`);
  }
}

/** A CiscoIPPhoneText field holds characters the phone cannot show. */
export class InvalidPhoneText extends AppError {
  readonly code = 'InvalidPhoneText';
  constructor(message: string) {
    super(message, 'Phones show plain text only: remove control characters (line breaks and tabs are fine).');
  }
}

/** The XML object exceeds what the phone accepts (512 bytes on older phones, 40 KB on modern ones). */
export class ObjectTooLarge extends AppError {
  readonly code = 'ObjectTooLarge';
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      `The command is ${bytes} bytes; this phone accepts at most ${limit}`,
      limit <= 512
        ? 'Older phones accept very short messages only: shorten the text. If the phone is a newer model (78xx, 88xx, 98xx), an administrator can mark it as modern.'
        : 'The message is too long for the phone: shorten it.',
    );
  }
}

/** An HTTPS phone presented a certificate different from the pinned one. */
export class PhoneCertificateChanged extends AppError {
  readonly code = 'PhoneCertificateChanged';
  constructor(
    readonly address: string,
    readonly expectedSha256: string,
    readonly actualSha256: string,
  ) {
    super(
      `Phone ${address} presented certificate ${actualSha256}, but ${expectedSha256} is pinned; nothing was sent`,
      'The phone\'s security certificate changed since it was registered. That happens when the phone is replaced or its certificate is renewed, ' +
        'but it can also mean another device is answering at this address. If you know the phone changed, register it again ' +
        '(or reset its trusted certificate) to trust the new certificate; otherwise ask IT.',
    );
  }
}

/** TLS handshake failed (untrusted chain with a CA file, protocol mismatch). */
export class PhoneTlsFailed extends AppError {
  readonly code = 'PhoneTlsFailed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(
      message,
      'The secure (HTTPS) connection to the phone failed. If the phone uses its own self-signed certificate, register it with "pin" ' +
        'instead of a CA file; if it does not serve HTTPS at all, register it with http://.',
      options,
    );
  }
}

/** A command we were asked to build is not one a phone accepts (bad URI, too many items); nothing was sent. */
export class InvalidPhoneCommand extends AppError {
  readonly code = 'InvalidPhoneCommand';
  constructor(message: string) {
    super(message, 'The command is not one a phone accepts, so nothing was sent. If you did not type the command yourself, please report this as a bug.');
  }
}
