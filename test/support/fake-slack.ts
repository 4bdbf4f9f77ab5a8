/**
 * A fake Slack on loopback: the Web API (POST /api/<method>), response_urls (POST /response/<id>),
 * the file upload URL of files.uploadV2, and Socket Mode (apps.connections.open + a `ws` server
 * speaking the envelope protocol). It records every call so tests can assert what the app sent.
 *
 * Point a Bolt app at it with `clientOptions.slackApiUrl = fake.apiUrl`. Reusable by any test.
 */
import { buffer } from 'node:stream/consumers';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseWebApiForm } from '../../src/demo/slack-standin.js';

export interface FakeUser {
  id: string;
  name: string;
  is_bot?: boolean;
  deleted?: boolean;
  tz?: string;
}

export interface RecordedCall {
  /** Web API method (`chat.postMessage`), `response_url`, or `upload`. */
  method: string;
  /** Form fields (JSON-looking values parsed) or the JSON body. */
  params: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** For response_url posts: the id in /response/<id>. */
  responseId?: string;
  at: number;
}

export interface UploadedFile {
  id: string;
  filename: string;
  bytes: Buffer;
}

export type Fault =
  /** `{ ok: false, error }` with HTTP 200, like Slack. */
  | { kind: 'error'; error: string }
  /** Plain HTTP error status. */
  | { kind: 'http'; status: number }
  /** HTTP 429 with `Retry-After` seconds. */
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  /** Read the request, never answer. */
  | { kind: 'hang' };

interface FaultEntry {
  fault: Fault;
  /** How many more calls it applies to; Infinity = until cleared. */
  remaining: number;
}

export interface FakeSlackOptions {
  users?: FakeUser[];
  botUserId?: string;
  botId?: string;
  teamId?: string;
}

type Waiter = { match: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void };

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly uploads: UploadedFile[] = [];
  readonly users = new Map<string, FakeUser>();
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  private readonly faults = new Map<string, FaultEntry>();
  private readonly responseStatus = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly sockets = new Set<WebSocket>();
  private readonly acks = new Map<string, (payload: unknown) => void>();
  private readonly connectedWaiters: ((ws: WebSocket) => void)[] = [];
  private nextId = 1;
  private port = 0;
  private wss?: WebSocketServer;

  private constructor(
    private readonly server: Server,
    options: FakeSlackOptions,
  ) {
    this.botUserId = options.botUserId ?? 'UBOT';
    this.botId = options.botId ?? 'BBOT';
    this.teamId = options.teamId ?? 'T1';
    for (const u of options.users ?? []) this.users.set(u.id, u);
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    const fake = new FakeSlack(server, options);
    server.on('request', (req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.port = (server.address() as AddressInfo).port;
    fake.wss = new WebSocketServer({ server, path: '/socket' });
    fake.wss.on('connection', (ws) => fake.onSocket(ws));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** For `clientOptions.slackApiUrl`. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A fresh response_url; posts to it are recorded as method `response_url`. */
  responseUrl(id = `r${this.nextId++}`): string {
    return `${this.url}/response/${id}`;
  }

  /** Make a response_url answer this HTTP status (e.g. 404 for an expired one). */
  setResponseUrlStatus(id: string, status: number): void {
    this.responseStatus.set(id, status);
  }

  /** Inject a fault for a Web API method (or `upload`), for `times` calls (default: until cleared). */
  setFault(method: string, fault: Fault, times = Infinity): void {
    this.faults.set(method, { fault, remaining: times });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setUser(user: FakeUser): void {
    this.users.set(user.id, user);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Posts to one response_url, oldest first. */
  responses(id: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === 'response_url' && c.responseId === id);
  }

  /** Resolves with the first call (already recorded or future) to `method` that matches. */
  waitFor(method: string, match: (c: RecordedCall) => boolean = () => true, timeoutMs = 10_000): Promise<RecordedCall> {
    const m = (c: RecordedCall) => c.method === method && match(c);
    const found = this.calls.find(m);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: m,
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.calls.map((c) => c.method + (c.responseId ? `(${c.responseId})` : '')).join(', ');
        reject(new Error(`fake Slack: no matching ${method} call within ${timeoutMs} ms; calls so far: ${seen}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Waits for a response_url post whose text (or block text) contains `needle`. */
  waitForResponse(id: string, needle: string | RegExp, timeoutMs?: number): Promise<RecordedCall> {
    return this.waitFor('response_url', (c) => c.responseId === id && matches(messageText(c.params), needle), timeoutMs);
  }

  // ---- Socket Mode ------------------------------------------------------------------------

  /** Resolves when an app has connected over Socket Mode (after `hello`). */
  socketConnected(): Promise<WebSocket> {
    // The newest open connection (after a reconnect the old one may still be closing).
    const open = [...this.sockets].filter((ws) => ws.readyState === ws.OPEN).at(-1);
    if (open) return Promise.resolve(open);
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** Pushes an envelope to the connected app and resolves with the app's ack payload. */
  async pushEnvelope(type: 'slash_commands' | 'interactive' | 'events_api', payload: unknown, timeoutMs = 10_000): Promise<unknown> {
    const ws = await this.socketConnected();
    const envelopeId = `env-${this.nextId++}`;
    const acked = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake Slack: envelope ${envelopeId} not acked within ${timeoutMs} ms`)), timeoutMs);
      this.acks.set(envelopeId, (p) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
    ws.send(JSON.stringify({ envelope_id: envelopeId, type, accepts_response_payload: type !== 'events_api', payload }));
    return acked;
  }

  /** Asks every connected app to reconnect, as Slack does before it rotates a connection. */
  requestReconnect(): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake-slack' } }));
  }

  /** Resolves when `n` Socket Mode connections have been opened in total. */
  async connectionsOpened(n: number, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.opened < n) {
      if (Date.now() > end) throw new Error(`fake Slack: ${this.opened} Socket Mode connections, expected ${n}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private opened = 0;

  private onSocket(ws: WebSocket): void {
    this.opened += 1;
    ws.on('message', (data) => {
      try {
        const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (msg.envelope_id) {
          this.record({ method: 'socket_ack', params: { envelope_id: msg.envelope_id, payload: msg.payload }, headers: {}, at: Date.now() });
          this.acks.get(msg.envelope_id)?.(msg.payload ?? {});
          this.acks.delete(msg.envelope_id);
        }
      } catch {
        /* not JSON: ignore, as Slack would */
      }
    });
    ws.on('close', () => this.sockets.delete(ws));
    this.sockets.add(ws);
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-slack' }, connection_info: { app_id: 'A1' } }));
    for (const w of this.connectedWaiters.splice(0)) w(ws);
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await buffer(req);
    const url = new URL(req.url ?? '/', this.url);
    const headers = { ...req.headers };
    const at = Date.now();

    if (url.pathname.startsWith('/response/')) {
      const responseId = url.pathname.slice('/response/'.length);
      const params = parseJson(raw.toString('utf8'));
      this.record({ method: 'response_url', params, headers, responseId, at });
      const status = this.responseStatus.get(responseId) ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'expired_url');
      return;
    }

    if (url.pathname.startsWith('/upload/')) {
      const fileId = url.pathname.slice('/upload/'.length);
      const form = await new Response(raw, { headers: { 'content-type': String(req.headers['content-type'] ?? '') } }).formData().catch(() => undefined);
      const part = form?.get('body');
      const bytes = part instanceof Blob ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
      const upload = this.uploads.find((u) => u.id === fileId);
      if (upload) upload.bytes = bytes;
      this.record({ method: 'upload', params: { fileId, length: bytes.length }, headers, at });
      if (this.applyFault('upload', res)) return;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${bytes.length}`);
      return;
    }

    if (!url.pathname.startsWith('/api/')) {
      res.writeHead(404).end();
      return;
    }
    const method = url.pathname.slice('/api/'.length);
    const contentType = String(req.headers['content-type'] ?? '');
    const params = contentType.startsWith('application/json') ? parseJson(raw.toString('utf8')) : parseWebApiForm(raw.toString('utf8'));
    this.record({ method, params, headers, at });
    if (this.applyFault(method, res)) return;
    const body = this.answer(method, params);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }

  private applyFault(method: string, res: ServerResponse): boolean {
    const entry = this.faults.get(method);
    if (!entry || entry.remaining <= 0) return false;
    entry.remaining -= 1;
    const f = entry.fault;
    switch (f.kind) {
      case 'error':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: f.error }));
        return true;
      case 'http':
        res.writeHead(f.status, { 'content-type': 'text/plain' }).end('fake failure');
        return true;
      case 'rate_limited':
        res.writeHead(429, { 'retry-after': String(f.retryAfterSeconds), 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return true;
      case 'hang':
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return true;
    }
  }

  private answer(method: string, p: Record<string, unknown>): Record<string, unknown> {
    const id = () => String(this.nextId++);
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'rescue-ring', team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId };
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${this.port}/socket` };
      case 'users.info': {
        const user = this.users.get(String(p.user));
        if (!user) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id: user.id, name: user.name, real_name: user.name, deleted: user.deleted ?? false, is_bot: user.is_bot ?? false, tz: user.tz ?? 'Europe/London', team_id: this.teamId } };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(p.users).replace(/^[UW]/, '')}` } };
      case 'chat.postMessage':
        return { ok: true, channel: p.channel, ts: `${Math.floor(Date.now() / 1000)}.${id().padStart(6, '0')}`, message: { text: p.text } };
      case 'chat.update':
        return { ok: true, channel: p.channel, ts: p.ts, text: p.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.${id().padStart(6, '0')}` };
      case 'views.open':
      case 'views.push':
      case 'views.update':
      case 'views.publish':
        return { ok: true, view: { id: typeof p.view_id === 'string' ? p.view_id : `V${id()}`, ...(typeof p.view === 'object' ? p.view : {}) } };
      case 'files.getUploadURLExternal': {
        const fileId = `F${id()}`;
        this.uploads.push({ id: fileId, filename: String(p.filename), bytes: Buffer.alloc(0) });
        return { ok: true, upload_url: `${this.url}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal': {
        const files = Array.isArray(p.files) ? (p.files as { id: string; title?: string }[]) : [];
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title ?? '', name: this.uploads.find((u) => u.id === f.id)?.filename })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const w of [...this.waiters]) {
      if (w.match(call)) {
        this.waiters.delete(w);
        w.resolve(call);
      }
    }
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** All text a message shows: `text` plus every text inside its blocks, for loose assertions. */
export function messageText(params: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') return;
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') parts.push(x);
        else walk(x);
      }
    }
  };
  if (typeof params.text === 'string') parts.push(params.text);
  walk(params.blocks);
  if (params.view) walk(params.view);
  return parts.join('\n');
}

/** Every action_id (with its value) found in a message or view. */
export function actionsIn(v: unknown): { action_id: string; value?: string }[] {
  const found: { action_id: string; value?: string }[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (typeof o.action_id === 'string' && (o.type === 'button' || o.type === 'overflow')) {
        found.push({ action_id: o.action_id, ...(typeof o.value === 'string' ? { value: o.value } : {}) });
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(v);
  return found;
}

function matches(text: string, needle: string | RegExp): boolean {
  return typeof needle === 'string' ? text.includes(needle) : needle.test(text);
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { raw: text };
  }
}

