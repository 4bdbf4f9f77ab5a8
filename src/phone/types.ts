/**
 * The contract of the phone-command module (src/phone). Knows nothing of Slack or storage.
 * Everything above (use cases, CLI, Slack) depends on these types only.
 */

/** How to trust an HTTPS phone. Phone certificates never match the IP, so the choice is explicit. */
export type TlsPolicy =
  /** Verify the chain against this CA (PEM file); the host name is not checked. */
  | { mode: 'ca'; caFile: string }
  /**
   * Accept exactly the certificate with this SHA-256 fingerprint (hex, colons optional).
   * Without `sha256` the first successful connection is trusted and its fingerprint reported
   * (`PhoneResultMeta.certificateSha256`) so the caller can store it ("trust on first use").
   */
  | { mode: 'pin'; sha256?: string }
  /** Accept any certificate. Loudly named on purpose; logged as a warning on every use. */
  | { mode: 'insecure-skip-verify' };

export interface PhoneCredentials {
  username: string;
  password: string;
}

/** Everything needed to talk to one phone. */
export interface Phone {
  /** As registered: `host`, `host:port`, `http://host[:port]` or `https://host[:port]`. */
  address: string;
  credentials: PhoneCredentials;
  tls?: TlsPolicy;
  /** Modern firmware accepts 40 KB objects; otherwise objects are limited to 512 bytes. */
  modern?: boolean;
}

/** One <ExecuteItem>. */
export interface ExecuteItem {
  url: string;
  /** 0 = now, 1 = when idle, 2 = only if idle. Phones honour it only for HTTP URLs, not for `Play:`. */
  priority?: 0 | 1 | 2;
}

/** One <ResponseItem> of a CiscoIPPhoneResponse. */
export interface ResponseItem {
  status: number;
  data: string;
  url: string;
}

export interface PhoneResultMeta {
  /** SHA-256 fingerprint (uppercase hex with colons) of the certificate an HTTPS phone presented. */
  certificateSha256?: string;
}

/** Successful answer to an Execute. `items` is empty when the phone sent no Response object (multiplatform). */
export interface ExecuteResult extends PhoneResultMeta {
  items: ResponseItem[];
}

export interface Screenshot extends PhoneResultMeta {
  png: Buffer;
  width: number;
  height: number;
  /** What the phone sent before conversion. */
  sourceFormat: 'bmp' | 'png' | 'cip';
}

export interface PhoneStatus extends PhoneResultMeta {
  model?: string;
  hostName?: string;
  macAddress?: string;
  directoryNumber?: string;
  firmware?: string;
  messageWaiting?: boolean;
  /** true/false when StreamingStatisticsX answered; undefined when the page is unavailable on the model. */
  inCall?: boolean;
}

export interface RingProgress {
  ring: number; // 1-based, the ring that just completed
  of: number;
}

/** Text shown on the phone's screen (a CiscoIPPhoneText) right after the first ring: the excuse. */
export interface CoverStory {
  /** One line, at most 32 characters (e.g. "Facilities"). */
  title?: string;
  /** At most 4000 characters; line breaks and tabs allowed; 512 bytes in all on older phones. */
  text: string;
}

export interface RingOptions {
  tone?: string;
  rings?: number;
  intervalMs?: number;
  priority?: 0 | 1 | 2;
  signal?: AbortSignal;
  onProgress?: (p: RingProgress) => void;
  /**
   * Before each Play, ask StreamingStatisticsX whether the phone is in a call and do not ring if it is
   * (Priority does not protect calls for `Play:`). Default true; a deployment turns it off with CALL_CHECK=false.
   */
  callCheck?: boolean;
  /** Pushed as a CiscoIPPhoneText right after the first ring; validated before anything is sent. */
  coverStory?: CoverStory;
}

/** What became of the cover story: shown; refused by the model (it takes no text objects); failed otherwise; not sent (no ring completed). */
export type CoverStoryOutcome = 'shown' | 'rejected' | 'failed' | 'not-sent';

export interface RingResult extends PhoneResultMeta {
  /** Rings that the phone confirmed. */
  completed: number;
  requested: number;
  /** True when the signal stopped the ring before all rings were sent. */
  aborted: boolean;
  /**
   * Present (true) when a call started between rings: the remaining rings were not sent. `completed`
   * says how many rang. (A phone already in a call before the first ring throws PhoneInCall instead.)
   */
  interruptedByCall?: true;
  /**
   * Present when at least one Play went out without knowing whether the phone was in a call:
   * 'unsupported' = the model has no usable StreamingStatisticsX (remembered, not asked again);
   * 'inconclusive' = the check did not answer in time (not remembered; not asked again in this ring).
   */
  callCheck?: 'unsupported' | 'inconclusive';
  /** Present when a cover story was given. */
  coverStory?: CoverStoryOutcome;
  /** Why the cover story was not shown ('rejected' / 'failed'): the AppError's code, message and hint. */
  coverStoryError?: { code: string; message: string; hint: string };
}

export type DiagnosisStepName = 'call-manager' | 'address' | 'dns' | 'tcp' | 'http' | 'device-info' | 'auth';

export interface DiagnosisStep {
  name: DiagnosisStepName;
  ok: boolean;
  /** What was found, e.g. "10.1.2.3 answered in 12 ms" or "connection refused". */
  detail: string;
  /** When !ok: the next thing to try, written for office workers. */
  next?: string;
}

export interface Diagnosis {
  ok: boolean;
  steps: DiagnosisStep[];
  status?: PhoneStatus;
}
