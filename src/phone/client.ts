/**
 * The HTTP client for Cisco phones: HTTP/1.1 on a socket it connects itself (http1.ts). One request in flight
 * per phone (keyed by the smallest of the phone's resolved addresses, so two names for one phone share a turn), a fresh connection
 * per request (phone web servers are tiny; no idle-socket behaviour is documented), Basic auth on
 * every request, no redirects, capped bodies, a connect timeout separate from the response timeout
 * (Play answers only when the tone ends), AbortSignal honoured while queued, connecting and reading.
 *
 * SSRF: every request resolves and checks the address against the network policy, then connects
 * to the checked IP itself (Host header and TLS server name keep the typed name): no second lookup.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket, type ConnectionOptions } from 'node:tls';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { hostHeader, parsePhoneAddress, phoneKey, type PhoneAddress } from './address.js';
import {
  PhoneBadResponse,
  PhoneCertificateChanged,
  PhoneConnectionLost,
  PhoneTimeout,
  PhoneTlsFailed,
  PhoneUnreachable,
} from './errors.js';
import { checkIpAddress, checkPhoneAddress, createNetworkPolicy, type CheckedPhoneAddress, type LookupAll, type NetworkPolicy } from './network-policy.js';
import { AnswerReader, AnswerTooLarge, serializeRequest } from './http1.js';
import { interpretExecuteReply, type RawReply } from './parse.js';
import { PerKeyQueue, abortReason, type PhoneLock } from './queue.js';
import type { ExecuteItem, ExecuteResult, Phone, PhoneCredentials, TlsPolicy } from './types.js';
import { buildExecute, buildText, formBody, type PhoneText } from './xml.js';
import { isAppError } from '../errors.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
export const DEFAULT_RESPONSE_TIMEOUT_MS = 15_000;
export const MAX_XML_BYTES = 64 * 1024;
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

/** A phone as far as a GET needs it: credentials are optional (info pages need none). */
export type PhoneTarget = Omit<Phone, 'credentials'> & { credentials?: PhoneCredentials };

export interface PhoneClientOptions {
  /** Where requests may go; default: the private ranges (see network-policy.ts). */
  networkPolicy?: NetworkPolicy;
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
  /** Never logs credentials or headers. */
  logger?: Logger;
  /** DNS resolver (tests); default dns.lookup with all addresses. */
  lookup?: LookupAll;
  /**
   * Cross-process per-phone lock taken around each request, after the in-process queue (several
   * replicas on one Postgres database). Default none: the in-process queue alone.
   */
  phoneLock?: PhoneLock;
  /** Told of every request when it ends (metrics): what it was, how it ended, how long it took. */
  observe?: (request: PhoneRequestObservation) => void;
}

/** What a request was: a command (Execute), text pushed to the screen, a screenshot, or an information page. */
export type PhoneOperation = 'execute' | 'text' | 'screenshot' | 'info';

export interface PhoneRequestObservation {
  operation: PhoneOperation;
  /** 'ok', or the error's code (PhoneTimeout, PhoneAuthFailed...; 'Aborted'; 'Unexpected'). */
  outcome: string;
  /** From the call to its answer, the wait for the phone's turn included. */
  seconds: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's response timeout for this request. */
  responseTimeoutMs?: number;
  /**
   * Awaited once the request holds the phone (queue and shared lock) and is connected, right before
   * the request is written; if it throws, the connection is closed and nothing is sent.
   */
  beforeSend?: () => Promise<void>;
  /** Logs this request here instead of the client's logger (a child carrying the caller's ids, e.g. a rescue id). */
  logger?: Logger;
}

export interface GetOptions extends RequestOptions {
  /** Caps the body: 64 KiB for XML, 4 MiB for images. */
  kind?: 'xml' | 'image';
}

/** A raw answer plus, for HTTPS, the certificate fingerprint the phone presented. */
export interface PhoneReply extends RawReply {
  certificateSha256?: string;
}

interface SendSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  maxBytes: number;
  signal?: AbortSignal;
  responseTimeoutMs?: number;
  beforeSend?: () => Promise<void>;
  logger?: Logger;
}

/** Uppercase hex with colons. */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

export class PhoneClient {
  readonly networkPolicy: NetworkPolicy;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  private readonly logger: Logger;
  private readonly lookup: LookupAll | undefined;
  private readonly queue = new PerKeyQueue();
  private readonly phoneLock: PhoneLock | undefined;
  private readonly observer: PhoneClientOptions['observe'];

  constructor(options: PhoneClientOptions = {}) {
    this.networkPolicy = options.networkPolicy ?? createNetworkPolicy();
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.responseTimeoutMs = options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
    this.logger = options.logger ?? silentLogger();
    this.lookup = options.lookup;
    this.phoneLock = options.phoneLock;
    this.observer = options.observe;
  }

  /** Requests waiting for a phone that is busy with another (this process). */
  get waiting(): number {
    return this.queue.waiting;
  }

  /**
   * Runs one request and tells the observer how it ended. A failure the caller did not ask for (not an
   * abort) is logged at warn with its error code and how long the phone took: never a credential.
   */
  private async observed<T>(operation: PhoneOperation, opts: Pick<RequestOptions, 'logger' | 'signal'>, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    try {
      const result = await run();
      this.observer?.({ operation, outcome: 'ok', seconds: seconds() });
      return result;
    } catch (err) {
      const aborted = opts.signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
      const outcome = aborted ? 'Aborted' : isAppError(err) ? err.code : 'Unexpected';
      this.observer?.({ operation, outcome, seconds: seconds() });
      if (!aborted) (opts.logger ?? this.logger).warn({ operation, error: outcome, ms: Math.round(seconds() * 1000) }, 'phone request failed');
      throw err;
    }
  }

  /**
   * Parse, resolve and check an address against this client's network policy (what every request does
   * first). DNS counts as connecting: no answer within the connect timeout is PhoneUnreachable.
   */
  checkAddress(address: string | PhoneAddress, signal?: AbortSignal): Promise<CheckedPhoneAddress> {
    return checkPhoneAddress(address, this.networkPolicy, this.lookup, { timeoutMs: this.connectTimeoutMs, ...(signal ? { signal } : {}) });
  }

  /** POST a CiscoIPPhoneExecute with 1-3 items; resolves with the response items (empty on multiplatform phones). */
  execute(phone: Phone, items: readonly ExecuteItem[], opts: RequestOptions = {}): Promise<ExecuteResult> {
    return this.postBuilt('execute', phone, () => buildExecute(items, { modern: phone.modern }), opts);
  }

  /** POST a CiscoIPPhoneText (title, prompt, text) to show on the screen. */
  pushText(phone: Phone, text: PhoneText, opts: RequestOptions = {}): Promise<ExecuteResult> {
    return this.postBuilt('text', phone, () => buildText(text, { modern: phone.modern }), opts);
  }

  /** Builds the XML object (a refusal rejects, nothing is sent), then posts it. */
  private postBuilt(operation: PhoneOperation, phone: Phone, build: () => string, opts: RequestOptions): Promise<ExecuteResult> {
    let xml: string;
    try {
      xml = build();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.observed(operation, opts, () => this.postObject(phone, xml, opts));
  }

  /** POST any already-built XML object to /CGI/Execute and interpret the answer. */
  private async postObject(phone: Phone, xml: string, opts: RequestOptions): Promise<ExecuteResult> {
    const addr = parsePhoneAddress(phone.address);
    const reply = await this.send(phone, addr, { method: 'POST', path: '/CGI/Execute', body: formBody(xml), maxBytes: MAX_XML_BYTES, ...opts });
    const items = interpretExecuteReply(phoneKey(addr), reply);
    return { items, ...(reply.certificateSha256 ? { certificateSha256: reply.certificateSha256 } : {}) };
  }

  /** The raw GET primitive (Screenshot, info pages). Sends Basic auth when the target has credentials. */
  async get(phone: PhoneTarget, path: string, opts: GetOptions = {}): Promise<PhoneReply> {
    if (!path.startsWith('/')) throw new TypeError('path must start with "/"');
    const addr = parsePhoneAddress(phone.address);
    const maxBytes = opts.kind === 'image' ? MAX_IMAGE_BYTES : MAX_XML_BYTES;
    return this.observed(path.startsWith('/CGI/Screenshot') ? 'screenshot' : 'info', opts, () =>
      this.send(phone, addr, { method: 'GET', path, maxBytes, signal: opts.signal, responseTimeoutMs: opts.responseTimeoutMs, ...(opts.logger ? { logger: opts.logger } : {}) }),
    );
  }

  private async send(phone: PhoneTarget, addr: PhoneAddress, spec: SendSpec): Promise<PhoneReply> {
    // An IP address is checked at once; a name waits for DNS.
    const checked = checkIpAddress(addr, this.networkPolicy) ?? (await this.checkAddress(addr, spec.signal));
    // One request at a time per phone, whatever name it was registered under: the queue and the
    // shared lock are keyed by the resolved address (and port), so "phone5.office" and "10.0.0.5"
    // share a turn. A name with several addresses is keyed by the smallest of them, so the key does
    // not change when DNS answers in another order; connecting still follows DNS's order.
    const key = phoneKey({ ...addr, host: lockAddress(checked.ips) });
    const release = this.queue.tryAcquire(key, spec.signal) ?? (await this.queue.acquire(key, spec.signal));
    let releaseShared: (() => Promise<void>) | undefined;
    try {
      if (this.phoneLock !== undefined) releaseShared = await this.phoneLock.acquire(key, spec.signal);
      // A name may resolve to several (all checked) addresses: try the next one only when nothing
      // was sent (refused / no route / connect timeout), never after the request went out.
      for (let i = 0; ; i++) {
        if (spec.signal?.aborted) throw abortReason(spec.signal);
        try {
          return await this.sendOnce(phone, addr, checked.ips[i]!, spec);
        } catch (err) {
          const notSent = err instanceof PhoneUnreachable || (err instanceof PhoneTimeout && err.phase === 'connect');
          if (!notSent || i + 1 >= checked.ips.length) throw err;
        }
      }
    } finally {
      if (releaseShared !== undefined) {
        await releaseShared().catch((err: unknown) => this.logger.warn({ phone: key, err }, 'releasing the shared phone lock failed; it expires on its own'));
      }
      release();
    }
  }

  /**
   * One request on a fresh connection to the checked `ip`: connect (TCP, then TLS for https) within the
   * connect timeout, check the pinned certificate, start the response timer, await `beforeSend`, then
   * write the request (http1.ts on the connected socket; no agent, no pooling) and read the capped answer.
   */
  private sendOnce(phone: PhoneTarget, addr: PhoneAddress, ip: string, spec: SendSpec): Promise<PhoneReply> {
    const key = phoneKey(addr);
    const started = Date.now();
    const responseTimeoutMs = spec.responseTimeoutMs ?? this.responseTimeoutMs;
    const logger = spec.logger ?? this.logger;
    const signal = spec.signal;
    // Throws PhoneTlsFailed (unreadable CA file) before anything is opened.
    const tlsOptions = addr.scheme === 'https' ? this.tlsOptions(phone, addr) : undefined;

    return new Promise<PhoneReply>((resolve, reject) => {
      let done = false;
      let connected = false;
      let certificateSha256: string | undefined;

      const finish = (err: Error | undefined, reply?: PhoneReply): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err !== undefined) {
          socket.destroy();
          if (logger.isLevelEnabled('debug')) {
            logger.debug({ phone: key, method: spec.method, path: spec.path, error: isAppError(err) ? err.code : err.name, ms: Date.now() - started }, 'phone request failed');
          }
          reject(err);
          return;
        }
        if (logger.isLevelEnabled('debug')) {
          logger.debug({ phone: key, method: spec.method, path: spec.path, status: reply!.status, bytes: reply!.body.length, ms: Date.now() - started }, 'phone request');
        }
        resolve(reply!);
      };
      const failed = (err: unknown): void => {
        if (!done) finish(this.mapError(err, key, connected));
      };
      const onAbort = (): void => finish(abortReason(signal!));

      // Connect to the checked IP itself: no lookup (Host header and TLS server name keep the typed name).
      const socket: Socket =
        tlsOptions === undefined ? netConnect({ host: ip, port: addr.port, noDelay: true }) : tlsConnect({ ...tlsOptions, host: ip, port: addr.port });
      if (tlsOptions !== undefined) socket.setNoDelay(true);
      socket.on('error', failed);
      let timer: NodeJS.Timeout | undefined = setTimeout(
        () => finish(new PhoneTimeout(`Connecting to phone ${key} timed out after ${this.connectTimeoutMs} ms`, 'connect')),
        this.connectTimeoutMs,
      );
      if (signal !== undefined) {
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
      }

      const write = (): void => {
        if (done) return;
        // Name, value, name, value...: serialized as they are, in one write with the body.
        const headers: string[] = ['host', hostHeader(addr), 'accept', 'text/xml, text/*, image/*, */*', 'user-agent', 'rescue-ring'];
        if (phone.credentials) headers.push('authorization', basicAuth(phone.credentials));
        if (spec.body !== undefined) headers.push('content-type', 'application/x-www-form-urlencoded');
        // Made when the first bytes arrive: a Play is answered only when its tone ends, and a parser made
        // up front would sit through that wait (and the young generation's collections) for nothing.
        let reader: AnswerReader | undefined;
        const answer = (): AnswerReader =>
          (reader ??= new AnswerReader(spec.maxBytes, (err, reply) => {
            if (err instanceof AnswerTooLarge) finish(tooBig(key, spec.maxBytes));
            else if (err !== undefined) failed(err);
            else {
              socket.destroy();
              finish(undefined, certificateSha256 ? { ...reply!, certificateSha256 } : reply!);
            }
          }));
        socket.on('data', (chunk: Buffer) => answer().push(chunk));
        socket.on('end', () => answer().end());
        socket.on('close', () => answer().end());
        socket.write(serializeRequest(spec.method, spec.path, headers, spec.body));
      };

      socket.once(tlsOptions === undefined ? 'connect' : 'secureConnect', () => {
        if (done) return;
        connected = true;
        clearTimeout(timer);
        timer = setTimeout(() => finish(new PhoneTimeout(`Phone ${key} did not answer within ${responseTimeoutMs} ms`, 'response')), responseTimeoutMs);
        if (tlsOptions !== undefined) {
          const cert = (socket as TLSSocket).getPeerCertificate();
          certificateSha256 = cert?.fingerprint256 ? normalizeFingerprint(cert.fingerprint256) : undefined;
          const pinned = phone.tls?.mode === 'pin' ? phone.tls.sha256 : undefined;
          if (pinned !== undefined && normalizeFingerprint(pinned) !== certificateSha256) {
            finish(new PhoneCertificateChanged(key, normalizeFingerprint(pinned), certificateSha256 ?? 'none'));
            return;
          }
        }
        if (spec.beforeSend === undefined) {
          write();
          return;
        }
        // Connected: the request goes out as soon as the hook lets it, so nothing but the write is left between them.
        spec.beforeSend().then(write, failed);
      });
    });
  }

  /** The TLS options of an https phone under its policy (CA file, pin / trust on first use, insecure-skip-verify). */
  private tlsOptions(phone: PhoneTarget, addr: PhoneAddress): ConnectionOptions {
    const policy: TlsPolicy = phone.tls ?? { mode: 'pin' };
    const tlsOptions: ConnectionOptions = {};
    if (isIP(addr.host) === 0) tlsOptions.servername = addr.host;
    if (policy.mode === 'ca') {
      let ca: Buffer;
      try {
        ca = readFileSync(policy.caFile);
      } catch (err) {
        throw new PhoneTlsFailed(`The CA file for phone ${phoneKey(addr)} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
      }
      tlsOptions.ca = ca;
      tlsOptions.rejectUnauthorized = true;
      // Phone certificates never match the IP: the chain is verified, the name is not.
      tlsOptions.checkServerIdentity = () => undefined;
    } else {
      tlsOptions.rejectUnauthorized = false;
      if (policy.mode === 'insecure-skip-verify') {
        this.logger.warn({ phone: phoneKey(addr) }, 'TLS certificate verification is OFF for this phone (insecure-skip-verify)');
      }
    }
    return tlsOptions;
  }

  /** A network or protocol error as the phone error it means (errors that already are AppErrors pass through). */
  private mapError(err: unknown, key: string, connected: boolean): Error {
    if (isAppError(err)) return err;
    const code = networkErrorCode(err);
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
      return new PhoneTimeout(`Connecting to phone ${key} timed out after ${this.connectTimeoutMs} ms`, 'connect', { cause: err });
    }
    if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL'].includes(code)) {
      return new PhoneUnreachable(`Phone ${key} could not be reached (${describeCode(code)})`, { cause: err });
    }
    if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) || /ssl|tls|certificate/i.test(errorMessage(err))) {
      return new PhoneTlsFailed(`The secure connection to phone ${key} failed (${code || errorMessage(err)})`, { cause: err });
    }
    if (['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'].includes(code) || !connected) {
      return connected
        ? new PhoneConnectionLost(`Phone ${key} dropped the connection (${code || 'closed'})`, { cause: err })
        : new PhoneUnreachable(`Phone ${key} could not be reached (${code || errorMessage(err)})`, { cause: err });
    }
    return new PhoneBadResponse(`Phone ${key} sent an answer that could not be read (${code || errorMessage(err)})`, undefined, { cause: err });
  }
}

/** The address a phone is queued and leased under: the smallest of its checked IPs (plain string order). */
function lockAddress(ips: readonly string[]): string {
  return ips.length === 1 ? ips[0]! : [...ips].sort()[0]!;
}

function basicAuth(c: PhoneCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

function tooBig(key: string, max: number): PhoneBadResponse {
  return new PhoneBadResponse(`Phone ${key} sent more than ${max} bytes; the answer was cut off`);
}

/** The first error code (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT...) along an error's cause chain, aborts skipped. */
export function networkErrorCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED' && code !== 'ABORT_ERR') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return '';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
}

function describeCode(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the phone';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    default:
      return code;
  }
}
