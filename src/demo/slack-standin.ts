/**
 * A stand-in for Slack on 127.0.0.1, the one the offline demo ships and the tests use: the Web API
 * methods rescue-ring calls (auth.test, chat.*, conversations.open, users.info, users.list, views.*,
 * the three files.uploadV2 steps), response_urls, and Socket Mode (slack-socket-mode.ts).
 *
 * It refuses what Slack refuses (slack-rules/): Block Kit outside Slack's limits, missing arguments,
 * expired trigger ids, a sixth post to a response_url or one after 30 minutes, an ephemeral message
 * to someone not in the channel, unknown channels, users, messages and views, a wrong token; and it
 * answers as Slack does (`ok: false`, the error, `response_metadata.messages` with JSON pointers).
 *
 * It keeps what a person would see (ephemeral messages, DMs, modals, App Home, files), reports every
 * change to `onShow` (the demo prints it), and records every call and every refusal (tests assert on
 * them; `waitFor` resolves on a future call). Faults can be injected per method. It is loopback HTTP
 * rather than an in-process fetch because rescue-ring posts to response_urls with undici directly, as
 * it must in production.
 */
import { buffer } from 'node:stream/consumers';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import type { types } from '@slack/bolt';
import { checkCall, checkMessage, type Params, type Refusal } from './slack-rules/methods.js';
import { LIMITS } from './slack-rules/limits.js';
import { SocketModeServer } from './slack-socket-mode.js';

export interface SlackUser {
  id: string;
  name: string;
  is_bot?: boolean;
  deleted?: boolean;
  tz?: string;
  /** profile.email (needs users:read.email in real Slack). */
  email?: string;
}

export interface SlackChannel {
  id: string;
  name: string;
  /** User ids in the channel; absent = everybody the stand-in knows. */
  members?: string[];
}

export interface ShownMessage {
  /** Stable id of the message in the stand-in. */
  ref: string;
  /** Who sees it: the ephemeral's viewer, or the person the DM is with. */
  user: string;
  channel: string;
  ephemeral: boolean;
  text: string;
  blocks?: types.KnownBlock[];
  ts: string;
}

export interface ShownModal {
  id: string;
  user: string;
  view: types.ModalView;
  /** Values typed so far (by block id), as shown; secrets are masked by whoever sets them. */
  shown: Record<string, string | undefined>;
  /** Values typed so far, as typed (kept like a Slack client keeps a form's inputs; never printed). */
  typed: Record<string, string>;
  errors: Record<string, string>;
}

export type SlackShows =
  | { kind: 'message'; message: ShownMessage; change: 'new' | 'updated' | 'deleted' }
  | { kind: 'modal'; modal: ShownModal; change: 'opened' | 'updated' | 'errors' | 'closed' }
  | { kind: 'home'; user: string; viewId: string; view: types.HomeView }
  | { kind: 'file'; user: string; channel: string; path: string; title: string; comment: string; bytes: number }
  | { kind: 'refused'; method: string; error: string; messages: string[] };

export interface StandinOptions {
  users?: SlackUser[];
  /** Channels besides the DMs; default one channel `C1` (#general) with everybody in it. */
  channels?: SlackChannel[];
  /** When set, Web API calls must carry it (`invalid_auth` otherwise); any bearer token when unset. */
  botToken?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  /** Where uploaded files are saved; kept in memory only when unset. */
  filesDir?: string;
  onShow?(shown: SlackShows): void;
  /** Milliseconds since the epoch; trigger ids and response_urls expire by it. */
  now?: () => number;
}

export interface RecordedCall {
  /** Web API method (`chat.postMessage`), `response_url`, `upload` or `socket_ack`. */
  method: string;
  /** Form fields (JSON-looking values parsed) or the JSON body. */
  params: Params;
  headers: Record<string, string | string[] | undefined>;
  /** For response_url posts: the id in /response/<id>. */
  responseId?: string;
  at: number;
}

export interface RecordedRefusal extends Refusal {
  method: string;
  params: Params;
}

export interface UploadedFile {
  id: string;
  filename: string;
  /** The `length` declared to files.getUploadURLExternal. */
  length: number;
  /** What was posted to the upload URL (empty until then). */
  bytes: Buffer;
  uploaded: boolean;
}

export type Fault =
  /** `{ ok: false, error }` with HTTP 200, like Slack (and `response_metadata.messages` when given). */
  | { kind: 'error'; error: string; messages?: string[] }
  /** Plain HTTP error status. */
  | { kind: 'http'; status: number }
  /** HTTP 429 with `Retry-After` seconds. */
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  /** Read the request, never answer. */
  | { kind: 'hang' };

interface ResponseTarget {
  user: string;
  channel: string;
  issuedAt: number;
  /** The message this response_url belongs to; absent until the slash command's first reply. */
  ref?: string;
  posts: number;
  /** Forced HTTP status (a test's expired URL). */
  status?: number;
}

type Waiter = { match: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void };

/**
 * A trigger id as the stand-in issues them: who acted and when, so `views.open` can refuse an
 * expired one (3 s) as Slack does. Whatever builds an interaction payload (the demo's terminal, the
 * tests) mints it here.
 */
export function triggerId(userId: string, issuedAtMs = Date.now()): string {
  return `${issuedAtMs}.${userId}.${Math.random().toString(36).slice(2, 10)}`;
}

function parseTrigger(id: string): { user: string; issuedAt: number } | undefined {
  const m = /^(\d{13})\.([A-Z0-9]+)\.[a-z0-9]+$/.exec(id);
  return m ? { issuedAt: Number(m[1]), user: m[2]! } : undefined;
}

export class SlackStandin {
  readonly users = new Map<string, SlackUser>();
  readonly channels = new Map<string, SlackChannel>();
  readonly calls: RecordedCall[] = [];
  /** Every call Slack would have refused, with Slack's error and messages. */
  readonly refusals: RecordedRefusal[] = [];
  readonly uploads: UploadedFile[] = [];
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  private readonly messages = new Map<string, ShownMessage>();
  private readonly modals = new Map<string, ShownModal>();
  private readonly homes = new Map<string, string>();
  private readonly responseTargets = new Map<string, ResponseTarget>();
  private readonly faults = new Map<string, { fault: Fault; remaining: number }>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly waiters = new Set<Waiter>();
  private readonly usedTriggers = new Set<string>();
  private readonly now: () => number;
  private socket?: SocketModeServer;
  private seq = 0;
  private port = 0;

  private constructor(
    private readonly server: Server,
    private readonly o: StandinOptions,
  ) {
    for (const u of o.users ?? []) this.users.set(u.id, u);
    for (const c of o.channels ?? [{ id: 'C1', name: 'general' }]) this.channels.set(c.id, c);
    this.teamId = o.teamId ?? 'T1';
    this.botUserId = o.botUserId ?? 'UBOT';
    this.botId = o.botId ?? 'BBOT';
    this.now = o.now ?? Date.now;
  }

  static async start(options: StandinOptions = {}): Promise<SlackStandin> {
    const server = createServer();
    const s = new SlackStandin(server, options);
    server.on('request', (req, res) => {
      s.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    s.port = (server.address() as AddressInfo).port;
    s.socket = new SocketModeServer(server, (call) => s.record(call));
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** For `SLACK_API_URL` / `clientOptions.slackApiUrl`. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** Socket Mode: pushes envelopes to the connected app (see slack-socket-mode.ts). */
  get socketMode(): SocketModeServer {
    if (!this.socket) throw new Error('stand-in not started');
    return this.socket;
  }

  // ---- people, channels and what they see ------------------------------------------------------

  setUser(user: SlackUser): void {
    this.users.set(user.id, user);
  }

  userName(id: string): string {
    return this.users.get(id)?.name ?? id;
  }

  userByName(name: string): SlackUser | undefined {
    const n = name.replace(/^@/, '').toLowerCase();
    return [...this.users.values()].find((u) => u.name.toLowerCase() === n);
  }

  /** The DM channel id between the app and a user (what conversations.open answers). */
  dmChannel(userId: string): string {
    return `D${userId.replace(/^[UW]/, '')}`;
  }

  message(ref: string): ShownMessage | undefined {
    return this.messages.get(ref);
  }

  modal(id: string): ShownModal | undefined {
    return this.modals.get(id);
  }

  /** The modal a user has open (the newest). */
  openModal(user: string): ShownModal | undefined {
    return [...this.modals.values()].reverse().find((m) => m.user === user);
  }

  /** Whose App Home a view id is. */
  homeOwner(viewId: string): string | undefined {
    return [...this.homes.entries()].find(([, id]) => id === viewId)?.[0];
  }

  /** The view id of a user's App Home, once published. */
  homeView(userId: string): string | undefined {
    return this.homes.get(userId);
  }

  // ---- response_urls -----------------------------------------------------------------------------

  /** A response_url for an interaction by `user` in `channel` (the same id gives the same URL). */
  responseUrl(id = `r${++this.seq}`, place: { user?: string; channel?: string; ref?: string } = {}): string {
    if (!this.responseTargets.has(id)) this.responseTargets.set(id, { user: place.user ?? '', channel: place.channel ?? '', ...(place.ref ? { ref: place.ref } : {}), issuedAt: this.now(), posts: 0 });
    return `${this.url}/response/${id}`;
  }

  /** A response_url for a new slash command typed by `user` in `channel`. */
  commandResponseUrl(user: string, channel: string): { id: string; url: string } {
    const id = `r${++this.seq}`;
    return { id, url: this.responseUrl(id, { user, channel }) };
  }

  /** A response_url bound to a message already shown (a button in it was pressed). */
  messageResponseUrl(ref: string): string {
    const m = this.messages.get(ref);
    return this.responseUrl(`r${++this.seq}`, { user: m?.user ?? '', channel: m?.channel ?? '', ref });
  }

  /** Make a response_url answer this HTTP status from now on (e.g. 404 for an expired one). */
  setResponseUrlStatus(id: string, status: number): void {
    this.responseUrl(id);
    this.responseTargets.get(id)!.status = status;
  }

  /** What a slash command's ack carried: the first ephemeral reply (nothing when empty). */
  showAck(responseId: string, body: unknown): void {
    const target = this.responseTargets.get(responseId);
    const message = typeof body === 'string' ? { text: body } : body;
    if (!target || !isMessageBody(message)) return;
    const refused = checkMessage(message as Params);
    if (refused) return this.refuse('slash command response', message as Params, refused);
    this.putEphemeral(target, message, false);
  }

  /** What a view_submission's ack carried: field errors, a new view, or nothing (the modal closes). */
  viewAck(viewId: string, body: unknown): void {
    const modal = this.modals.get(viewId);
    if (!modal) return;
    const b = (body ?? {}) as { response_action?: string; errors?: Record<string, string>; view?: types.ModalView };
    if (b.response_action === 'errors') {
      modal.errors = b.errors ?? {};
      this.show({ kind: 'modal', modal, change: 'errors' });
    } else if ((b.response_action === 'update' || b.response_action === 'push') && b.view) {
      Object.assign(modal, { view: b.view, shown: {}, typed: {}, errors: {} });
      this.show({ kind: 'modal', modal, change: 'updated' });
    } else {
      this.closeModal(viewId);
    }
  }

  /** Remembers what the user typed into a modal (and how to show it, secrets masked), as a Slack client does. */
  setTyped(viewId: string, typed: Record<string, string>, shown: Record<string, string | undefined>): void {
    const modal = this.modals.get(viewId);
    if (modal) Object.assign(modal, { typed, shown });
  }

  closeModal(viewId: string): void {
    const modal = this.modals.get(viewId);
    if (!modal) return;
    this.modals.delete(viewId);
    this.show({ kind: 'modal', modal, change: 'closed' });
  }

  // ---- recording and faults ----------------------------------------------------------------------

  /** Inject a fault for a Web API method (or `upload`), for `times` calls (default: until cleared). */
  setFault(method: string, fault: Fault, times = Infinity): void {
    this.faults.set(method, { fault, remaining: times });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** The refusals so far, forgotten: for a test that provoked them on purpose. */
  takeRefusals(): RecordedRefusal[] {
    return this.refusals.splice(0);
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
        reject(new Error(`Slack stand-in: no matching ${method} call within ${timeoutMs} ms; calls so far: ${seen}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Waits for a response_url post whose text (or block text) contains `needle`. */
  waitForResponse(id: string, needle: string | RegExp, timeoutMs?: number): Promise<RecordedCall> {
    return this.waitFor('response_url', (c) => c.responseId === id && matches(messageText(c.params), needle), timeoutMs);
  }

  record(call: RecordedCall): void {
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
    await this.socket?.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP ---------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await buffer(req);
    const path = new URL(req.url ?? '/', this.url).pathname;
    const headers = { ...req.headers };
    const at = this.now();
    const json = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    const textReply = (status: number, body: string) => void res.writeHead(status, { 'content-type': 'text/plain' }).end(body);

    if (req.method === 'POST' && path.startsWith('/response/')) {
      const responseId = path.slice('/response/'.length);
      const params = parseJson(raw.toString('utf8'));
      this.record({ method: 'response_url', params, headers, responseId, at });
      const { status, body } = this.postResponse(responseId, params);
      return textReply(status, body);
    }
    const authorization = String(req.headers.authorization ?? '');
    const authorized = authorization.startsWith('Bearer ') && (this.o.botToken === undefined || authorization === `Bearer ${this.o.botToken}`);
    if (req.method === 'POST' && path.startsWith('/upload/')) {
      const fileId = path.slice('/upload/'.length);
      const upload = this.uploads.find((u) => u.id === fileId);
      const bytes = await uploadedBytes(raw, String(req.headers['content-type'] ?? ''));
      this.record({ method: 'upload', params: { fileId, length: bytes.length }, headers, at });
      if (this.applyFault('upload', res)) return;
      if (!upload || !authorized) return textReply(404, 'not_found');
      Object.assign(upload, { bytes, uploaded: true });
      return textReply(200, `OK - ${bytes.length}`);
    }
    if (req.method !== 'POST' || !path.startsWith('/api/')) return void res.writeHead(404).end();

    const method = path.slice('/api/'.length);
    const type = String(req.headers['content-type'] ?? '');
    const params = type.startsWith('application/json') ? parseJson(raw.toString('utf8')) : parseWebApiForm(raw.toString('utf8'));
    this.record({ method, params, headers, at });
    if (this.applyFault(method, res)) return;
    if (!authorized) return json(200, { ok: false, error: authorization === '' ? 'not_authed' : 'invalid_auth' });
    const refused = checkCall(method, params);
    if (refused) {
      this.refuse(method, params, refused);
      return json(200, { ok: false, error: refused.error, response_metadata: { messages: refused.messages } });
    }
    const answer = this.answer(method, params);
    if (answer.ok === false) this.refuse(method, params, { error: String(answer.error), messages: [] });
    json(200, answer);
  }

  private refuse(method: string, params: Params, refusal: Refusal): void {
    this.refusals.push({ method, params, ...refusal });
    this.show({ kind: 'refused', method, error: refusal.error, messages: refusal.messages });
  }

  private show(shown: SlackShows): void {
    this.o.onShow?.(shown);
  }

  private applyFault(method: string, res: ServerResponse): boolean {
    const entry = this.faults.get(method);
    if (!entry || entry.remaining <= 0) return false;
    entry.remaining -= 1;
    const f = entry.fault;
    switch (f.kind) {
      case 'error':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: f.error, ...(f.messages ? { response_metadata: { messages: f.messages } } : {}) }));
        return true;
      case 'http':
        res.writeHead(f.status, { 'content-type': 'text/plain' }).end('stand-in failure');
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

  /** A post to a response_url: at most 5, within 30 minutes, with a message Slack accepts. */
  private postResponse(id: string, body: Params): { status: number; body: string } {
    const target = this.responseTargets.get(id);
    const what = 'a post to a response_url';
    if (!target) return { status: 404, body: 'no_such_url' };
    if (target.status !== undefined) return { status: target.status, body: target.status === 200 ? 'ok' : 'expired_url' };
    if (this.now() - target.issuedAt > LIMITS.responseUrlMinutes.max * 60_000) {
      this.refuse(what, body, { error: 'expired_url', messages: [`[ERROR] response_url used more than ${LIMITS.responseUrlMinutes.max} minutes after the interaction`] });
      return { status: 404, body: 'expired_url' };
    }
    target.posts += 1;
    if (target.posts > LIMITS.responseUrlPosts.max) {
      this.refuse(what, body, { error: 'used_url', messages: [`[ERROR] response_url used more than ${LIMITS.responseUrlPosts.max} times`] });
      return { status: 404, body: 'used_url' };
    }
    if (body.delete_original !== true) {
      const refused = checkMessage(body);
      if (refused) {
        this.refuse(what, body, refused);
        return { status: 400, body: refused.error };
      }
    }
    this.onResponse(target, body);
    return { status: 200, body: 'ok' };
  }

  private answer(method: string, p: Params): Params {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://standin.slack.invalid/', team: 'Stand-in office', user: 'rescue-ring', team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId };
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${this.port}/socket` };
      case 'users.info': {
        const u = this.users.get(String(p.user));
        return u ? { ok: true, user: this.userObject(u) } : { ok: false, error: 'user_not_found' };
      }
      case 'users.list':
        return this.usersList(p);
      case 'conversations.open': {
        const user = String(p.users ?? '');
        if (!this.users.has(user)) return { ok: false, error: 'user_not_found' };
        if (this.users.get(user)?.deleted) return { ok: false, error: 'user_disabled' };
        return { ok: true, channel: { id: this.dmChannel(user) } };
      }
      case 'chat.postMessage': {
        const channel = String(p.channel);
        const dmUser = this.dmUser(channel) ?? (this.users.has(channel) ? channel : undefined);
        if (!dmUser && !this.channels.has(channel)) return { ok: false, error: 'channel_not_found' };
        const posted = dmUser ? this.dmChannel(dmUser) : channel;
        const m = this.newMessage({ user: dmUser ?? '', channel: posted, ephemeral: false, text: str(p.text), blocks: blocksOf(p) });
        this.show({ kind: 'message', message: m, change: 'new' });
        return { ok: true, channel: posted, ts: m.ts, message: { text: m.text } };
      }
      case 'chat.update': {
        const m = [...this.messages.values()].find((x) => x.channel === p.channel && x.ts === p.ts && !x.ephemeral);
        if (!m) return { ok: false, error: 'message_not_found' };
        Object.assign(m, { text: str(p.text), blocks: blocksOf(p) });
        this.show({ kind: 'message', message: m, change: 'updated' });
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
      }
      case 'chat.postEphemeral': {
        const channel = String(p.channel);
        const user = String(p.user);
        if (!this.channelExists(channel)) return { ok: false, error: 'channel_not_found' };
        if (!this.inChannel(user, channel)) return { ok: false, error: 'user_not_in_channel' };
        const m = this.newMessage({ user, channel, ephemeral: true, text: str(p.text), blocks: blocksOf(p) });
        this.show({ kind: 'message', message: m, change: 'new' });
        return { ok: true, message_ts: m.ts };
      }
      case 'views.open':
      case 'views.push':
        return this.openView(p, method === 'views.push');
      case 'views.update': {
        const id = String(p.view_id ?? '');
        const view = p.view as types.ModalView;
        const modal = this.modals.get(id);
        const home = this.homeOwner(id);
        if (modal) {
          Object.assign(modal, { view, shown: {}, typed: {}, errors: {} });
          this.show({ kind: 'modal', modal, change: 'updated' });
        } else if (home) {
          this.show({ kind: 'home', user: home, viewId: id, view: p.view as types.HomeView });
        } else {
          return { ok: false, error: 'not_found' };
        }
        return { ok: true, view: { id, ...view } };
      }
      case 'views.publish': {
        const user = String(p.user_id);
        if (!this.users.has(user)) return { ok: false, error: 'not_found' };
        const viewId = this.homes.get(user) ?? `VH${++this.seq}`;
        this.homes.set(user, viewId);
        const view = p.view as types.HomeView;
        this.show({ kind: 'home', user, viewId, view });
        return { ok: true, view: { id: viewId, ...view } };
      }
      case 'files.getUploadURLExternal': {
        const id = `F${++this.seq}`;
        this.uploads.push({ id, filename: basename(str(p.filename)) || 'file.bin', length: Number(p.length), bytes: Buffer.alloc(0), uploaded: false });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal':
        return this.completeUpload(p);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** views.open starts a new stack for the person; views.push adds to it (at most 3 deep). */
  private openView(p: Params, push: boolean): Params {
    const view = p.view as types.ModalView;
    const trigger = parseTrigger(String(p.trigger_id));
    if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (this.now() - trigger.issuedAt > LIMITS.triggerIdSeconds.max * 1000) return { ok: false, error: 'expired_trigger_id' };
    if (this.usedTriggers.has(String(p.trigger_id))) return { ok: false, error: 'exchanged_trigger_id' };
    this.usedTriggers.add(String(p.trigger_id));
    const stack = [...this.modals.values()].filter((m) => m.user === trigger.user);
    if (push && stack.length >= LIMITS.viewStack.max) return { ok: false, error: 'push_limit_reached' };
    if (!push) for (const m of stack) this.modals.delete(m.id);
    const modal: ShownModal = { id: `V${++this.seq}`, user: trigger.user, view, shown: {}, typed: {}, errors: {} };
    this.modals.set(modal.id, modal);
    this.show({ kind: 'modal', modal, change: 'opened' });
    return { ok: true, view: { id: modal.id, ...view } };
  }

  /** users.list, paged by `cursor` and `limit` (Slack: at most 1000 a page, fewer recommended). */
  private usersList(p: Params): Params {
    const all = [...this.users.values()];
    const start = p.cursor ? Number(Buffer.from(String(p.cursor), 'base64').toString('utf8').replace(/^user:/, '')) : 0;
    if (!Number.isInteger(start) || start < 0 || start > all.length) return { ok: false, error: 'invalid_cursor' };
    const asked = Number(p.limit);
    const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, 1000) : 1000;
    const page = all.slice(start, start + limit);
    const next = start + page.length < all.length ? Buffer.from(`user:${start + page.length}`).toString('base64') : '';
    return { ok: true, members: page.map((u) => this.userObject(u)), response_metadata: { next_cursor: next } };
  }

  private userObject(u: SlackUser): Params {
    return {
      id: u.id,
      team_id: this.teamId,
      name: u.name,
      real_name: u.name,
      deleted: u.deleted ?? false,
      is_bot: u.is_bot ?? false,
      tz: u.tz ?? 'Europe/London',
      profile: { real_name: u.name, display_name: u.name, ...(u.email ? { email: u.email } : {}) },
    };
  }

  private completeUpload(p: Params): Params {
    const files = Array.isArray(p.files) ? (p.files as { id: string; title?: string }[]) : [];
    const channel = str(p.channel_id);
    const user = channel === '' ? '' : this.dmUser(channel);
    if (channel !== '' && !user && !this.channels.has(channel)) return { ok: false, error: 'channel_not_found' };
    const done: Params[] = [];
    for (const f of files) {
      const upload = this.uploads.find((u) => u.id === f.id);
      if (!upload?.uploaded) return { ok: false, error: 'file_not_found' };
      // The bytes sent to the upload URL must be the length declared to files.getUploadURLExternal.
      if (upload.bytes.length !== upload.length) return { ok: false, error: 'file_upload_size_mismatch' };
      const title = f.title ?? upload.filename;
      let path = '';
      if (this.o.filesDir) {
        mkdirSync(this.o.filesDir, { recursive: true });
        path = join(this.o.filesDir, upload.filename);
        writeFileSync(path, upload.bytes);
      }
      this.show({ kind: 'file', user: user ?? '', channel, path, title, comment: str(p.initial_comment), bytes: upload.bytes.length });
      done.push({ id: f.id, name: upload.filename, title });
    }
    return { ok: true, files: done };
  }

  private onResponse(target: ResponseTarget, body: Params): void {
    const existing = target.ref ? this.messages.get(target.ref) : undefined;
    if (body.delete_original === true && existing) {
      this.messages.delete(existing.ref);
      this.show({ kind: 'message', message: existing, change: 'deleted' });
      return;
    }
    if (!isMessageBody(body)) return;
    if (body.replace_original === true && existing) {
      Object.assign(existing, { text: str(body.text), blocks: blocksOf(body) });
      this.show({ kind: 'message', message: existing, change: 'updated' });
      return;
    }
    this.putEphemeral(target, body, body.replace_original !== true);
  }

  /** A new ephemeral message for a response target; the target follows it unless `keepTarget`. */
  private putEphemeral(target: ResponseTarget, body: { text?: unknown; blocks?: unknown }, keepTarget: boolean): void {
    const m = this.newMessage({ user: target.user, channel: target.channel, ephemeral: true, text: str(body.text), blocks: blocksOf(body) });
    if (!keepTarget || !target.ref) target.ref = m.ref;
    this.show({ kind: 'message', message: m, change: 'new' });
  }

  private newMessage(m: Omit<ShownMessage, 'ref' | 'ts'>): ShownMessage {
    const n = ++this.seq;
    const msg: ShownMessage = { ...m, ref: `M${n}`, ts: `${Math.floor(this.now() / 1000)}.${String(n).padStart(6, '0')}` };
    this.messages.set(msg.ref, msg);
    return msg;
  }

  private dmUser(channel: string): string | undefined {
    return [...this.users.keys()].find((id) => this.dmChannel(id) === channel);
  }

  private channelExists(channel: string): boolean {
    return this.channels.has(channel) || this.dmUser(channel) !== undefined;
  }

  private inChannel(user: string, channel: string): boolean {
    if (!this.users.has(user)) return false;
    const dm = this.dmUser(channel);
    if (dm !== undefined) return dm === user;
    const members = this.channels.get(channel)?.members;
    return members === undefined || members.includes(user);
  }
}

function isMessageBody(body: unknown): body is { text?: unknown; blocks?: unknown; replace_original?: unknown } {
  return body !== null && typeof body === 'object' && ('text' in body || 'blocks' in body);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function blocksOf(p: { blocks?: unknown }): types.KnownBlock[] | undefined {
  return Array.isArray(p.blocks) ? (p.blocks as types.KnownBlock[]) : undefined;
}

function matches(text: string, needle: string | RegExp): boolean {
  return typeof needle === 'string' ? text.includes(needle) : needle.test(text);
}

function parseJson(text: string): Params {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' ? (v as Params) : { value: v };
  } catch {
    return { raw: text };
  }
}

/** The file's bytes: the `body` part of a multipart form (what the Web API client sends), else the raw body. */
async function uploadedBytes(raw: Buffer, contentType: string): Promise<Buffer> {
  if (!contentType.startsWith('multipart/form-data')) return raw;
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData().catch(() => undefined);
  const part = form?.get('body') ?? form?.get('file');
  if (part instanceof Blob) return Buffer.from(await part.arrayBuffer());
  return Buffer.from(typeof part === 'string' ? part : '');
}

/** Form fields; the Web API client sends objects (view, blocks, files) as JSON strings. */
export function parseWebApiForm(text: string): Params {
  const out: Params = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const t = v.trim();
    if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
      try {
        out[k] = JSON.parse(t);
        continue;
      } catch {
        /* keep the string */
      }
    }
    out[k] = v;
  }
  return out;
}

/** All text a message shows: `text` plus every text inside its blocks, for loose assertions. */
export function messageText(params: Params): string {
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

/** Every button or overflow action_id (with its value) found in a message or view. */
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
