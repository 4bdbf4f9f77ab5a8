/**
 * One SOAP request to the call manager over undici: HTTP Basic auth, no redirects, a connect deadline
 * and a total deadline, the answer capped (4 MiB), TLS by CA file, pinned SHA-256 fingerprint or trust
 * on first use (the Tomcat certificate is usually self-signed), and every failure mapped to one of the
 * typed errors in errors.ts. Neither the password nor the Authorization header is ever logged or put
 * in an error; messages name the host only.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import type { Agent, buildConnector } from 'undici';
import { isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { networkErrorCode, normalizeFingerprint } from '../phone/client.js';
import {
  AxlFault,
  CallManagerAuthFailed,
  CallManagerBadResponse,
  CallManagerRateLimited,
  CallManagerRoleMissing,
  CallManagerTlsFailed,
  CallManagerUnreachable,
  InvalidCallManagerSettings,
  type CallManagerApi,
} from './errors.js';
import type { CallManagerOptions, CallManagerTimeouts } from './types.js';
import { child, parseSoap, text, type XmlNode } from './xml.js';

export const MAX_SOAP_BYTES = 4 * 1024 * 1024;
export const DEFAULT_CONNECT_MS = 5_000;
export const DEFAULT_TOTAL_MS = 30_000;

export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export interface SoapTransportOptions {
  url: string;
  username: string;
  password: string;
  tls: CallManagerOptions['tls'];
  timeouts?: CallManagerTimeouts;
  logger?: Logger;
  maxBytes?: number;
  /** Called once with the certificate fingerprint trusted on first use, so the caller can pin it from then on. */
  onCertificateTrusted?: (sha256: string) => void;
}

export interface SoapCall {
  api: CallManagerApi;
  /** Path under the base URL, e.g. /axl/. */
  path: string;
  soapAction: string;
  /** For logs and errors: the operation name. */
  operation: string;
  envelope: string;
  signal?: AbortSignal;
}

/** The Body element of an answer that was not a fault. */
export type SoapBody = XmlNode;

export class SoapTransport {
  readonly origin: string;
  readonly host: string;
  private readonly authorization: string;
  private readonly connectMs: number;
  private readonly totalMs: number;
  private readonly maxBytes: number;
  private readonly logger: Logger;
  /** The TLS settings of every connection (the CA file read at construction, so a bad path is a settings error at once). */
  private readonly tlsOptions: ConnectionOptions;
  /** Created on the first request: undici is loaded then (a CLI verb that never asks the call manager does not pay for it). */
  private agentReady: Promise<{ agent: Agent; request: typeof import('undici').request }> | undefined;
  private closed = false;
  /** The fingerprint to insist on: configured, or the one trusted on first use. */
  private pinned: string | undefined;
  private lastPresented: string | undefined;

  constructor(private readonly options: SoapTransportOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new InvalidCallManagerSettings('CUCM_URL is not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidCallManagerSettings('CUCM_URL must start with https:// (or http:// for a lab)');
    if (url.username !== '' || url.password !== '') throw new InvalidCallManagerSettings('CUCM_URL must not hold a user name or password: use CUCM_USERNAME and CUCM_PASSWORD');
    if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') throw new InvalidCallManagerSettings('CUCM_URL must hold no path: rescue-ring adds /axl/ and /realtimeservice2/...');
    this.origin = url.origin;
    this.host = url.host;
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
    this.connectMs = options.timeouts?.connectMs ?? DEFAULT_CONNECT_MS;
    this.totalMs = options.timeouts?.totalMs ?? DEFAULT_TOTAL_MS;
    this.maxBytes = options.maxBytes ?? MAX_SOAP_BYTES;
    this.logger = options.logger ?? silentLogger();
    this.pinned = options.tls.fingerprint ? normalizeFingerprint(options.tls.fingerprint) : undefined;
    this.tlsOptions = this.tlsOptionsFor(url.protocol === 'https:');
  }

  private undici(): Promise<{ agent: Agent; request: typeof import('undici').request }> {
    const https = this.origin.startsWith('https:');
    return (this.agentReady ??= import('undici').then((u) => ({
      agent: new u.Agent({ connect: this.connector(u.buildConnector, https), keepAliveTimeout: 10_000, connections: 4 }),
      request: u.request,
    })));
  }

  /** The SHA-256 fingerprint the call manager presented last (HTTPS only). */
  get certificateSha256(): string | undefined {
    return this.lastPresented;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.agentReady) await (await this.agentReady).agent.close();
  }

  /** POST the envelope; resolves with the SOAP Body of a non-fault answer, or throws a typed error. */
  async call(spec: SoapCall): Promise<SoapBody> {
    const started = Date.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.totalMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, deadline.signal]) : deadline.signal;
    try {
      const { agent, request } = await this.undici();
      const res = await request(this.origin + spec.path, {
        method: 'POST',
        dispatcher: agent,
        signal,
        headers: {
          authorization: this.authorization,
          'content-type': 'text/xml; charset=utf-8',
          soapaction: spec.soapAction,
          accept: 'text/xml',
        },
        body: spec.envelope,
        headersTimeout: this.totalMs,
        bodyTimeout: this.totalMs,
      });
      const body = await this.readCapped(res.body, spec);
      this.logger.debug({ callManager: this.host, api: spec.api, operation: spec.operation, status: res.statusCode, bytes: body.length, ms: Date.now() - started }, 'call-manager request');
      return this.interpret(res.statusCode, body, spec);
    } catch (err) {
      const mapped = this.mapError(err, spec, deadline.signal);
      this.logger.debug({ callManager: this.host, api: spec.api, operation: spec.operation, error: mapped.name, ms: Date.now() - started }, 'call-manager request failed');
      throw mapped;
    } finally {
      clearTimeout(timer);
    }
  }

  private async readCapped(body: AsyncIterable<unknown> & { destroy(err?: Error): unknown }, spec: SoapCall): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > this.maxBytes) {
        body.destroy();
        throw new CallManagerBadResponse(`${spec.api} at ${this.host} sent more than ${this.maxBytes} bytes for ${spec.operation}; the answer was refused`, spec.api);
      }
      chunks.push(buf);
    }
    return Buffer.concat(chunks);
  }

  private interpret(status: number, raw: Buffer, spec: SoapCall): SoapBody {
    const where = `${spec.api} at ${this.host}`;
    if (status === 401) throw new CallManagerAuthFailed(spec.api);
    if (status === 403) throw new CallManagerRoleMissing(spec.api);
    if (status >= 300 && status < 400) throw new CallManagerBadResponse(`${where} answered ${spec.operation} with a redirect (HTTP ${status}); rescue-ring follows none`, spec.api);
    if (status === 404) throw new CallManagerBadResponse(`${where} has nothing at ${spec.path} (HTTP 404): is the service running and CUCM_URL right?`, spec.api);
    if (status === 502 || status === 503 || status === 504) throw new CallManagerUnreachable(`${where} is unavailable (HTTP ${status})`, spec.api);
    const textBody = raw.toString('utf8');
    if (/<!DOCTYPE|<!ENTITY/i.test(textBody)) {
      throw new CallManagerBadResponse(`${where} answered ${spec.operation} with a DOCTYPE (HTTP ${status}); refused`, spec.api);
    }
    const tree = parseSoap(textBody);
    const body = child(child(tree, 'Envelope'), 'Body');
    if (!body) throw new CallManagerBadResponse(`${where} answered ${spec.operation} with something that is not a SOAP envelope (HTTP ${status})`, spec.api);
    const fault = child(body, 'Fault');
    if (fault) throw faultError(fault, spec, where);
    if (status !== 200) throw new CallManagerBadResponse(`${where} answered ${spec.operation} with HTTP ${status}`, spec.api);
    return body;
  }

  private mapError(err: unknown, spec: SoapCall, deadline: AbortSignal): Error {
    if (isAppError(err)) return err;
    if (spec.signal?.aborted) return spec.signal.reason instanceof Error ? spec.signal.reason : new Error('aborted');
    const where = `${spec.api} at ${this.host}`;
    if (deadline.aborted) return new CallManagerUnreachable(`${where} did not answer ${spec.operation} within ${this.totalMs} ms`, spec.api, { cause: err });
    const code = networkErrorCode(err);
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
      return new CallManagerUnreachable(`Connecting to ${where} timed out after ${this.connectMs} ms`, spec.api, { cause: err });
    }
    if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code)) {
      return new CallManagerTlsFailed(`The secure connection to ${where} failed (${code})`, this.lastPresented, { cause: err });
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new CallManagerUnreachable(`${where} did not answer ${spec.operation} within ${this.totalMs} ms`, spec.api, { cause: err });
    }
    return new CallManagerUnreachable(`${where} could not be reached (${code || 'connection failed'})`, spec.api, { cause: err });
  }

  /** The TLS choice: CA file, pinned fingerprint, trust on first use, or the system CAs. */
  private tlsOptionsFor(https: boolean): ConnectionOptions {
    const tlsOptions: ConnectionOptions = {};
    const tls = this.options.tls;
    if (https) {
      if (tls.caFile) {
        try {
          tlsOptions.ca = readFileSync(tls.caFile);
        } catch (err) {
          throw new InvalidCallManagerSettings(`CUCM_TLS_CA_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        }
        tlsOptions.rejectUnauthorized = true;
      } else if (this.pinned !== undefined || tls.trustOnFirstUse) {
        // The fingerprint is checked below, on every connection, instead of the chain.
        tlsOptions.rejectUnauthorized = false;
      } else {
        tlsOptions.rejectUnauthorized = true;
      }
    }
    return tlsOptions;
  }

  /** undici connector applying the TLS choice, and checking the pinned fingerprint on every connection. */
  private connector(build: typeof buildConnector, https: boolean): buildConnector.connector {
    // No TLS session resumption: a resumed session shows no certificate, and every connection is checked.
    const base = build({ ...this.tlsOptions, timeout: this.connectMs, maxCachedSessions: 0 });
    return (opts, callback) => {
      base(opts, (err, socket) => {
        if (err || !socket) {
          callback(err ?? new Error('no socket'), null);
          return;
        }
        if (!https) {
          callback(null, socket);
          return;
        }
        const problem = this.checkCertificate(socket);
        if (problem) {
          socket.destroy();
          callback(problem, null);
          return;
        }
        callback(null, socket);
      });
    };
  }

  private checkCertificate(socket: Socket): Error | undefined {
    const cert = (socket as TLSSocket).getPeerCertificate();
    const presented = cert?.fingerprint256 ? normalizeFingerprint(cert.fingerprint256) : undefined;
    this.lastPresented = presented;
    if (this.options.tls.caFile) return undefined;
    if (this.pinned !== undefined) {
      if (presented === this.pinned) return undefined;
      return new CallManagerTlsFailed(`The call manager at ${this.host} presented certificate ${presented ?? '(none)'}, not the pinned ${this.pinned}`, presented);
    }
    if (this.options.tls.trustOnFirstUse && presented !== undefined) {
      this.pinned = presented;
      this.logger.info({ callManager: this.host, certificateSha256: presented }, 'trusting the call manager\'s certificate on first use');
      this.options.onCertificateTrusted?.(presented);
    }
    return undefined;
  }
}

/** The typed error for a SOAP fault: rate control, missing role, an AXL error, or anything else. */
function faultError(fault: XmlNode, spec: SoapCall, where: string): Error {
  const faultcode = text(fault, 'faultcode');
  const faultstring = text(fault, 'faultstring');
  const detail = child(fault, 'detail');
  if (/RateControl$/.test(faultcode) || /Exceeded allowed rate/i.test(faultstring)) {
    return new CallManagerRateLimited(`${where} refused ${spec.operation}: over its rate of device queries per minute (Server.RateControl)`, 'call-manager');
  }
  if (/not authori[sz]ed|permission|access denied|does not have .*role/i.test(faultstring)) return new CallManagerRoleMissing(spec.api);
  const axlError = child(detail, 'axlError');
  if (axlError) {
    const code = Number.parseInt(text(axlError, 'axlcode'), 10);
    return new AxlFault(code, clip(text(axlError, 'axlmessage') || faultstring), spec.operation);
  }
  return new CallManagerBadResponse(`${where} answered ${spec.operation} with a SOAP fault: ${clip(faultcode)} ${clip(faultstring)}`.trim(), spec.api);
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 197)}...` : one;
}

