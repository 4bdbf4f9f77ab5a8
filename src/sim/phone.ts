/**
 * One simulated Cisco phone: a real HTTP(S) server on its own port that answers CGI/Execute,
 * CGI/Screenshot and the XML info pages like the phones in the reference, with fault switches.
 */
import http from 'node:http';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import type { PhoneIdentity, StreamState } from './info-pages.js';
import { deviceInformationXml, identityFor, networkConfigurationXml, streamingStatisticsXml } from './info-pages.js';
import type { ReceivedRequest, ScreenshotFormat, SimDisplay, SimFaults, SimPhone, SimPhoneOptions } from './types.js';
import { checkBasicAuth, type AuthResult } from './basic-auth.js';
import { readExecuteRequest, type ExecuteItemIn } from './execute-request.js';
import { classifyUri } from './uri.js';
import { errorXml, responseXml, type ResponseItemOut } from './replies.js';
import { displayFor, type Screen } from './screen-state.js';
import { SwitchableListener } from './listener.js';
import { send, sendChallenge, sendLatin1Xml, sendNotFound, sendServerError, sendXml } from './answers.js';
import { renderScreenshot } from './screenshot.js';
import { SIM_CERT_PEM, SIM_KEY_PEM } from './certs/sim-identity.js';
import {
  DEFAULT_CRASH_TONES, LEGACY_OBJECT_LIMIT, MODERN_OBJECT_LIMIT, SIM_DEFAULT_CRASH_DOWN_MS, SIM_DEFAULT_HOST,
  SIM_DEFAULT_MODEL, SIM_DEFAULT_PASSWORD, SIM_DEFAULT_USERNAME, defaultToneLengths,
} from './defaults.js';

/** Bodies beyond this are not kept (a phone refuses anything over 40 KB anyway). */
const MAX_KEPT_BODY = 256 * 1024;
const DEFAULT_MAX_LOGGED = 10_000;

const NO_FAULTS: SimFaults = {
  webAccessDisabled: false, hang: false, slowMs: 0, reset: false, garbage: false, http500: false,
};

interface Resolved {
  host: string;
  model: string;
  authFailure: 'error4' | '401';
  limit: number;
  screenshotFormat: ScreenshotFormat;
  https: boolean;
  noStreamingStats: boolean;
  rejectText: boolean;
  tones: Record<string, number>;
  toneTimeScale: number;
  crashTones: readonly string[];
  crashDownMs: number;
  maxLogged: number;
}

export class SimulatedPhone implements SimPhone {
  readonly name: string;
  readonly username: string;
  readonly password: string;
  readonly certificateSha256?: string;
  private readonly o: Resolved;
  private readonly server: http.Server;
  private readonly listener: SwitchableListener;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly switches: SimFaults;
  private readonly log: ReceivedRequest[] = [];
  private readonly playedLog: string[] = [];
  private identity: PhoneIdentity;
  private screen: Screen = { kind: 'idle' };
  private stream: StreamState = { active: false, remote: '', local: '', sinceMs: 0 };
  private starting = false;
  private stopped = false;
  private crashed = false;
  /** Bumped on every crash so tones that were playing do not complete. */
  private generation = 0;
  private current = 0;
  private highest = 0;

  private constructor(options: SimPhoneOptions) {
    this.name = options.name ?? 'phone';
    this.username = options.username ?? SIM_DEFAULT_USERNAME;
    this.password = options.password ?? SIM_DEFAULT_PASSWORD;
    this.o = {
      host: options.host ?? SIM_DEFAULT_HOST,
      model: options.model ?? SIM_DEFAULT_MODEL,
      authFailure: options.authFailure ?? 'error4',
      limit: options.modern === false ? LEGACY_OBJECT_LIMIT : MODERN_OBJECT_LIMIT,
      screenshotFormat: options.screenshotFormat ?? 'bmp',
      https: options.https ?? false,
      noStreamingStats: options.noStreamingStats ?? false,
      rejectText: options.rejectText ?? false,
      tones: options.tones ?? defaultToneLengths(),
      toneTimeScale: options.toneTimeScale ?? 1,
      crashTones: options.crashTones ?? DEFAULT_CRASH_TONES,
      crashDownMs: options.crashDownMs ?? SIM_DEFAULT_CRASH_DOWN_MS,
      maxLogged: Math.max(1, options.maxLoggedRequests ?? DEFAULT_MAX_LOGGED),
    };
    this.switches = { ...NO_FAULTS, ...options.faults };
    this.identity = identityFor(this.o.model, options.port ?? 0, this.o.host);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.destroy();
      });
    };
    if (this.o.https) {
      this.server = https.createServer({ key: SIM_KEY_PEM, cert: SIM_CERT_PEM }, handler);
      this.certificateSha256 = new X509Certificate(SIM_CERT_PEM).fingerprint256;
    } else {
      this.server = http.createServer(handler);
    }
    // A client sending `Expect: 100-continue` got CiscoIPPhoneError 6 from a real phone (reference §1).
    this.server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.expectContinue(req, res);
    });
    this.listener = new SwitchableListener(this.server, this.o.host, options.port ?? 0, () => this.shouldListen());
    if (options.onCall) this.setOnCall(true);
  }

  static async start(options: SimPhoneOptions = {}): Promise<SimulatedPhone> {
    const phone = new SimulatedPhone(options);
    // Listen once even when web access starts disabled, so the phone owns its port from the start.
    phone.starting = true;
    await phone.listener.reconcile();
    phone.starting = false;
    phone.identity = identityFor(phone.o.model, phone.listener.port, phone.o.host);
    await phone.listener.reconcile();
    return phone;
  }

  private shouldListen(): boolean {
    return this.starting || (!this.stopped && !this.switches.webAccessDisabled && !this.crashed);
  }

  get port(): number {
    return this.listener.port;
  }
  get address(): string {
    return `${this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host}:${this.port}`;
  }
  get url(): string {
    return `${this.o.https ? 'https' : 'http'}://${this.address}`;
  }
  get requests(): readonly ReceivedRequest[] {
    return this.log;
  }
  get inFlight(): number {
    return this.current;
  }
  get maxInFlight(): number {
    return this.highest;
  }
  get played(): readonly string[] {
    return this.playedLog;
  }
  get display(): SimDisplay {
    return displayFor(this.screen, this.identity);
  }
  get faults(): Readonly<SimFaults> {
    return { ...this.switches };
  }
  get onCall(): boolean {
    return this.stream.active;
  }

  async setFault<K extends keyof SimFaults>(name: K, value: SimFaults[K]): Promise<void> {
    if (!(name in NO_FAULTS)) throw new Error(`unknown simulator fault "${String(name)}"`);
    this.switches[name] = value;
    if (name === 'webAccessDisabled') await this.listener.reconcile();
  }

  setOnCall(onCall: boolean): void {
    if (onCall) {
      this.stream = { active: true, remote: '10.20.30.40/24580', local: `${this.o.host}/24576`, sinceMs: Date.now() };
      this.screen = { kind: 'call', remote: '10.20.30.40' };
    } else {
      this.stream = { active: false, remote: '', local: '', sinceMs: 0 };
      if (this.screen.kind === 'call') this.screen = { kind: 'idle' };
    }
  }

  clearRequests(): void {
    this.log.length = 0;
    this.playedLog.length = 0;
    this.highest = this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.listener.reconcile();
  }

  private crash(): void {
    this.generation += 1;
    this.crashed = true;
    this.screen = { kind: 'idle' };
    // Going down cannot fail; coming back (below) can, if another process took the port meanwhile.
    void this.listener.reconcile().catch(() => undefined);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.crashed = false;
      void this.listener.reconcile().catch(() => undefined);
    }, this.o.crashDownMs);
    this.timers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  // ---- requests ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.current += 1;
    this.highest = Math.max(this.highest, this.current);
    res.once('close', () => {
      this.current -= 1;
    });
    const rawBody = await readBody(req);
    const entry: ReceivedRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: { ...req.headers },
      rawBody,
      authorized: false,
    };
    this.record(entry);
    if (this.switches.hang) return;
    if (this.switches.slowMs > 0) await this.sleep(this.switches.slowMs);
    if (this.switches.hang) return;
    if (this.switches.http500) {
      sendServerError(res, this.switches.reset);
      return;
    }
    if (this.switches.garbage) {
      send(res, 200, 'text/xml', Buffer.from('\u0000\u00ff}{ not xml at all ]]> <<<&&& \r\n', 'latin1'), this.switches.reset);
      return;
    }
    const [pathname = '/'] = (req.url ?? '/').split('?');
    switch (pathname) {
      case '/CGI/Execute':
        await this.execute(req, res, entry);
        return;
      case '/CGI/Screenshot':
        this.screenshot(req, res, entry);
        return;
      case '/DeviceInformationX':
        sendLatin1Xml(res, deviceInformationXml(this.identity), this.switches.reset);
        return;
      case '/NetworkConfigurationX':
        sendLatin1Xml(res, networkConfigurationXml(this.identity), this.switches.reset);
        return;
      case '/StreamingStatisticsX':
        if (this.o.noStreamingStats) sendNotFound(res, this.switches.reset);
        else sendLatin1Xml(res, streamingStatisticsXml(this.streamFor(req.url ?? '')), this.switches.reset);
        return;
      default:
        sendNotFound(res, this.switches.reset);
    }
  }

  /** Stream 1 carries the call; streams 2 and 3 are always idle. */
  private streamFor(url: string): StreamState {
    const query = url.split('?')[1] ?? '';
    const n = /(\d)/.exec(query)?.[1] ?? '1';
    return n === '1' ? this.stream : { active: false, remote: '', local: '', sinceMs: 0 };
  }

  private authOf(req: http.IncomingMessage, entry: ReceivedRequest): AuthResult {
    const result = checkBasicAuth(req.headers.authorization, this.username, this.password);
    entry.authorized = result === 'ok';
    return result;
  }

  private refuseAuth(res: http.ServerResponse, result: AuthResult): void {
    if (result === 'none' || this.o.authFailure === '401') {
      sendChallenge(res, this.switches.reset);
      return;
    }
    sendXml(res, errorXml(4), this.switches.reset);
  }

  private async execute(req: http.IncomingMessage, res: http.ServerResponse, entry: ReceivedRequest): Promise<void> {
    const auth = this.authOf(req, entry);
    if (auth !== 'ok') {
      this.refuseAuth(res, auth);
      return;
    }
    const parsed = readExecuteRequest(entry.rawBody, req.headers['content-type'], this.o.limit);
    if (parsed.xml !== undefined) entry.xml = parsed.xml;
    if (parsed.kind === 'error') {
      if (parsed.items) entry.items = parsed.items;
      sendXml(res, errorXml(1), this.switches.reset);
      return;
    }
    if (parsed.kind === 'display') {
      if (this.o.rejectText) {
        sendXml(res, errorXml(1), this.switches.reset);
        return;
      }
      this.screen = { kind: 'object', title: parsed.title, prompt: parsed.prompt, text: parsed.text };
      sendXml(res, responseXml([{ url: '', status: 0, data: 'Success' }]), this.switches.reset);
      return;
    }
    entry.items = parsed.items;
    const out: ResponseItemOut[] = [];
    for (const item of parsed.items) {
      const result = await this.runItem(item);
      if (result === 'silent') return;
      out.push(result);
    }
    sendXml(res, responseXml(out), this.switches.reset);
  }

  /** Runs one ExecuteItem. Priority is recorded but, as on real phones, not honoured for URIs. */
  private async runItem(item: ExecuteItemIn): Promise<ResponseItemOut | 'silent'> {
    const uri = classifyUri(item.url);
    const ok = { url: item.url, status: 0, data: 'Success' };
    switch (uri.kind) {
      case 'invalid':
        return { url: item.url, status: 1, data: 'Invalid URI' };
      case 'unknown':
        return { url: item.url, status: 6, data: 'URI not found' };
      case 'play-stop':
      case 'http':
      case 'other':
        return ok;
      case 'play': {
        if (this.o.crashTones.includes(uri.tone)) {
          this.crash();
          return 'silent';
        }
        const length = this.o.tones[uri.tone];
        if (length === undefined) return { url: item.url, status: 6, data: 'URI not found' };
        const generation = this.generation;
        this.screen = { kind: 'playing', tone: uri.tone };
        await this.sleep(length * this.o.toneTimeScale);
        if (generation !== this.generation || this.stopped) return 'silent';
        this.playedLog.push(uri.tone);
        return ok;
      }
    }
  }

  private screenshot(req: http.IncomingMessage, res: http.ServerResponse, entry: ReceivedRequest): void {
    const auth = this.authOf(req, entry);
    if (auth !== 'ok') {
      this.refuseAuth(res, auth);
      return;
    }
    const shot = renderScreenshot(this.o.screenshotFormat, this.display, this.o.model);
    send(res, 200, shot.contentType, shot.body, this.switches.reset);
  }

  private record(entry: ReceivedRequest): void {
    this.log.push(entry);
    if (this.log.length > this.o.maxLogged) this.log.splice(0, this.log.length - this.o.maxLogged);
  }

  private expectContinue(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.current += 1;
    this.highest = Math.max(this.highest, this.current);
    res.once('close', () => {
      this.current -= 1;
    });
    this.record({
      at: Date.now(),
      method: req.method ?? 'POST',
      path: req.url ?? '/',
      headers: { ...req.headers },
      rawBody: Buffer.alloc(0),
      authorized: checkBasicAuth(req.headers.authorization, this.username, this.password) === 'ok',
    });
    res.setHeader('Connection', 'close');
    sendXml(res, errorXml(6), this.switches.reset);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size >= MAX_KEPT_BODY) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    const done = (): void => resolve(Buffer.concat(chunks).subarray(0, MAX_KEPT_BODY));
    req.on('end', done);
    req.on('error', done);
    req.on('close', done);
  });
}
