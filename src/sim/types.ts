/**
 * Contract of the Cisco phone simulator (src/sim): a real HTTP server per phone that behaves like
 * the phones in ../shared/reference/cisco-phone-api.md, faults included. Tests, the demo, the bench
 * and `rescue-ring sim` all use it.
 */

export type ScreenshotFormat = 'bmp' | 'png' | 'cip';

export interface SimFaults {
  /** Web Access disabled: the port refuses connections. */
  webAccessDisabled: boolean;
  /** Accept the connection, read the request, never answer. */
  hang: boolean;
  /** Extra delay before every answer, in ms (0 = none). */
  slowMs: number;
  /** Destroy the socket half-way through writing the response. */
  reset: boolean;
  /** Answer 200 with a body that is not XML. */
  garbage: boolean;
  /** Answer HTTP 500. */
  http500: boolean;
}

export interface SimPhoneOptions {
  /** Name used in logs and `rescue-ring sim` output, e.g. "you", "alice". */
  name?: string;
  /** Credentials the phone's authentication URL accepts. Defaults: "rescue" / "ring-ring". */
  username?: string;
  password?: string;
  /** Device model reported by DeviceInformationX. Default "CP-8845". */
  model?: string;
  /** Wrong credentials: 200 + CiscoIPPhoneError Number=4 (default) or 401 like a 7940. */
  authFailure?: 'error4' | '401';
  /** 40 KB object limit (true, default) or the legacy 512 bytes. */
  modern?: boolean;
  screenshotFormat?: ScreenshotFormat;
  /** Serve HTTPS only, with a self-signed certificate. */
  https?: boolean;
  /** Start "on a call" (StreamingStatisticsX shows an active stream). */
  onCall?: boolean;
  /** StreamingStatisticsX answers 404 (model without the page). */
  noStreamingStats?: boolean;
  /**
   * Reject pushed display objects such as CiscoIPPhoneText (like models that do not support them). The
   * phone answers `<CiscoIPPhoneError Number="1"/>`, as its parser does for any object it does not know.
   */
  rejectText?: boolean;
  /** Tone files the phone knows, with their length in ms. Unknown tones answer Status 6. */
  tones?: Record<string, number>;
  /** Multiply every tone length (0 = answer Play at once; used by benchmarks). Default 1. */
  toneTimeScale?: number;
  /** Tones that crash the phone (connection dropped, down for `crashDownMs`). Default ["Piano2.raw"]. */
  crashTones?: string[];
  crashDownMs?: number;
  faults?: Partial<SimFaults>;
  /** Most requests kept in `requests` (oldest dropped first). Default 10000. */
  maxLoggedRequests?: number;
  /** Fixed port; 0 or absent picks a free one. */
  port?: number;
  /** Bind address; always loopback in tests. Default 127.0.0.1. */
  host?: string;
}

/** One request as the simulated phone received it, bytes included, for exact assertions. */
export interface ReceivedRequest {
  at: number; // Date.now()
  method: string;
  path: string; // including query string
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** The decoded XML object from the `XML` form field, when present. */
  xml?: string;
  /** Parsed ExecuteItems, when the object was a CiscoIPPhoneExecute. */
  items?: { url: string; priority?: number }[];
  authorized: boolean;
}

export interface SimDisplay {
  title: string;
  lines: string[];
}

export interface SimPhone {
  readonly name: string;
  readonly port: number;
  /** `127.0.0.1:PORT` (what a user would register). */
  readonly address: string;
  /** `http://127.0.0.1:PORT` or `https://...`. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Every request received, oldest first. */
  readonly requests: readonly ReceivedRequest[];
  /** Requests currently being processed (for one-request-at-a-time assertions). */
  readonly inFlight: number;
  /** Highest `inFlight` ever seen. */
  readonly maxInFlight: number;
  /** Whether the phone is "on a call" (StreamingStatisticsX shows an active stream). */
  readonly onCall: boolean;
  /** The fault switches in force now. */
  readonly faults: Readonly<SimFaults>;
  /** Play commands that completed, in order (tone names). */
  readonly played: readonly string[];
  readonly display: SimDisplay;
  /** SHA-256 fingerprint (uppercase hex with colons) of the HTTPS certificate, when https. */
  readonly certificateSha256?: string;
  setFault<K extends keyof SimFaults>(name: K, value: SimFaults[K]): Promise<void>;
  setOnCall(onCall: boolean): void;
  /** Forgets the request log and the played list, and resets maxInFlight to the current inFlight. */
  clearRequests(): void;
  stop(): Promise<void>;
}

export interface PhoneSimulator {
  readonly phones: readonly SimPhone[];
  add(options?: SimPhoneOptions): Promise<SimPhone>;
  stop(): Promise<void>;
}
