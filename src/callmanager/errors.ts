/**
 * Every failure of the call-manager module a person or an operator may read. `code` is stable (audit,
 * metrics, Slack mapping); `hint` says what to do next. Messages name the call manager by host and
 * devices by name only: never a password, never an Authorization header, never a stack trace.
 */
import { AppError } from '../errors.js';

/** Which of the call manager's two APIs answered: they need different roles. */
export type CallManagerApi = 'AXL' | 'RisPort70';

/** The role each API needs on the call manager's application user. */
export const REQUIRED_ROLE: Record<CallManagerApi, string> = {
  AXL: 'Standard AXL API Access',
  RisPort70: 'Standard RealtimeAndTraceCollection',
};

/** RisPort70 knows the device but it is not registered now (unplugged, rebooting, moved to another cluster). */
export class DeviceNotRegistered extends AppError {
  readonly code = 'DeviceNotRegistered';
  constructor(
    readonly device: string,
    /** RisPort's Status, e.g. UnRegistered, Rejected, or "Registered without an IPv4 address". */
    readonly status: string,
  ) {
    super(
      `Device ${device} is not registered with the call manager (status ${status})`,
      `Your phone ${device} is not registered with the call manager: is it plugged in? ` +
        'A phone that was just plugged in needs a minute or two to register. If it shows the time and your line, ask IT to check it in the call manager.',
    );
  }
}

/** RisPort70 has never heard of this device name. */
export class DeviceUnknown extends AppError {
  readonly code = 'DeviceUnknown';
  constructor(readonly device: string) {
    super(
      `The call manager does not know a device named ${device}`,
      `The call manager knows no phone named ${device}. Check the name: it is "SEP" followed by the 12 characters of the phone's MAC address ` +
        '(on the phone: Settings > Phone Information, or the label under the phone).',
    );
  }
}

/** A device name that is not a name RisPort could know (or not one rescue-ring may ring). */
export class InvalidDeviceName extends AppError {
  readonly code = 'InvalidDeviceName';
  constructor(message: string) {
    super(message, 'A desk phone\'s device name is "SEP" followed by the 12 hexadecimal digits of its MAC address, e.g. SEP001122AABBCC.');
  }
}

/** Nothing answered: DNS, refused, reset, timeout, 5xx from the server itself. */
export class CallManagerUnreachable extends AppError {
  readonly code = 'CallManagerUnreachable';
  constructor(
    message: string,
    readonly api: CallManagerApi,
    options?: { cause?: unknown },
  ) {
    super(
      message,
      'rescue-ring could not reach the call manager. It may be restarting or the network between them may be down: try again in a few minutes. ' +
        `If it persists, an administrator can run "rescue-ring doctor --cucm" and check that the ${api === 'AXL' ? '"Cisco AXL Web Service"' : '"SOAP - Real-Time Service APIs"'} service is running.`,
      options,
    );
  }
}

/** The TLS handshake failed or the certificate is not the trusted one. */
export class CallManagerTlsFailed extends AppError {
  readonly code = 'CallManagerTlsFailed';
  constructor(
    message: string,
    readonly certificateSha256?: string,
    options?: { cause?: unknown },
  ) {
    super(
      message,
      'The call manager\'s certificate is not the one rescue-ring trusts. If the call manager\'s Tomcat certificate was renewed, an administrator ' +
        'sets CUCM_TLS_FINGERPRINT to the new fingerprint (or CUCM_TLS_CA_FILE to its CA); otherwise ask IT before trusting it.',
      options,
    );
  }
}

/** HTTP 401: the application user or its password is wrong (or the account is locked). */
export class CallManagerAuthFailed extends AppError {
  readonly code = 'CallManagerAuthFailed';
  constructor(readonly api: CallManagerApi) {
    super(
      `The call manager refused the username or password (HTTP 401 from ${api})`,
      'The call manager did not accept rescue-ring\'s username and password. An administrator checks CUCM_USERNAME and CUCM_PASSWORD ' +
        'against the application user in Cisco Unified CM Administration (User Management > Application User), and that the account is not locked.',
    );
  }
}

/** HTTP 403 or a fault saying the account lacks the role this API needs. */
export class CallManagerRoleMissing extends AppError {
  readonly code = 'CallManagerRoleMissing';
  readonly role: string;
  constructor(readonly api: CallManagerApi) {
    const role = REQUIRED_ROLE[api];
    super(
      `The call manager account may not use ${api}: it lacks the role "${role}"`,
      `rescue-ring's call-manager account is missing the role "${role}". An administrator adds it in Cisco Unified CM Administration ` +
        '(User Management > User Settings > Access Control Group: put the application user in a group that has the role).',
    );
    this.role = role;
  }
}

/**
 * RisPort refused for its rate (Server.RateControl) or rescue-ring's own budget (CUCM_RIS_PER_MINUTE)
 * is spent for this minute.
 */
export class CallManagerRateLimited extends AppError {
  readonly code = 'CallManagerRateLimited';
  constructor(
    message: string,
    /** 'call-manager': RisPort's fault; 'local': rescue-ring's own CUCM_RIS_PER_MINUTE. */
    readonly by: 'call-manager' | 'local',
  ) {
    super(
      message,
      'The call manager answers only a few phone-status questions a minute (for every tool that asks it), and they are used up for now. ' +
        'Try again in a minute. If this happens often, an administrator can raise "Allowed Device Queries Per Minute" (Enterprise Parameters) ' +
        'or lower how many other tools ask.',
    );
  }
}

/** The answer was not what the API answers: not XML, a DOCTYPE, over the size cap, a missing element, a redirect. */
export class CallManagerBadResponse extends AppError {
  readonly code = 'CallManagerBadResponse';
  constructor(
    message: string,
    readonly api: CallManagerApi,
    options?: { cause?: unknown },
  ) {
    super(
      message,
      'The call manager sent an answer rescue-ring could not read. Check that CUCM_URL points at the call manager itself ' +
        '(https://host:8443, not a proxy or login page); if it does, an administrator can run "rescue-ring doctor --cucm".',
      options,
    );
  }
}

/** AXL answered a SOAP fault with axlcode / axlmessage (bad SQL, "Query request too large", unknown user...). */
export class AxlFault extends AppError {
  readonly code = 'AxlFault';
  constructor(
    /** axlcode, e.g. -1 (query too large), 5007 (not found); NaN when the fault had none. */
    readonly axlCode: number,
    readonly axlMessage: string,
    readonly operation: string,
  ) {
    super(
      `AXL ${operation} failed: ${Number.isNaN(axlCode) ? '' : `${axlCode} `}${axlMessage}`.trim(),
      'The call manager refused rescue-ring\'s question. An administrator can run "rescue-ring doctor --cucm"; if it persists, check the AXL version (CUCM_AXL_VERSION) matches the call manager.',
    );
  }

  /** AXL's "Query request too large" (more than its 8 MB of rows): ask for fewer rows. */
  get tooLarge(): boolean {
    return this.axlCode === -1 && /too large/i.test(this.axlMessage);
  }
}

/** Several call-manager users have the same e-mail address: rescue-ring will not guess which is the person. */
export class CallManagerUserAmbiguous extends AppError {
  readonly code = 'CallManagerUserAmbiguous';
  constructor(readonly userids: readonly string[]) {
    super(
      `${userids.length} call-manager users share this e-mail address (${userids.join(', ')})`,
      'Several call-manager users have your e-mail address, so rescue-ring cannot tell which phones are yours. Register your phone by hand with /phone, or ask IT to fix the duplicate.',
    );
  }
}

/** An e-mail address rescue-ring will not put into a query (characters outside a plain e-mail's). */
export class UnusableEmail extends AppError {
  readonly code = 'UnusableEmail';
  constructor() {
    super(
      'The e-mail address has characters rescue-ring does not look up in the call manager',
      'Your Slack e-mail address has characters rescue-ring cannot look up in the call manager. Register your phone by hand with /phone.',
    );
  }
}

/** CUCM_URL or another setting cannot be used as given (config normally catches this first). */
export class InvalidCallManagerSettings extends AppError {
  readonly code = 'InvalidCallManagerSettings';
  constructor(message: string) {
    super(message, 'CUCM_URL is the call manager\'s address with scheme and port only, e.g. https://cucm.example.com:8443 (no path, no user name in it).');
  }
}
