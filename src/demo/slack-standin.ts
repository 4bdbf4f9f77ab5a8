/**
 * A stand-in for Slack, for the offline demo: a small HTTP server on 127.0.0.1 that answers the
 * Web API methods rescue-ring calls (auth.test, chat.*, conversations.open, users.info, views.*,
 * the three files.uploadV2 steps) and the response_urls, and keeps what a user would see (ephemeral
 * messages, DMs, modals, App Home, files). Every change is reported to `onShow` so the terminal can
 * print it. It is loopback HTTP rather than an in-process fetch because rescue-ring posts to
 * response_urls with undici directly, as it must in production.
 */
import { buffer } from 'node:stream/consumers';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import type { types } from '@slack/bolt';

export interface DemoUser {
  id: string;
  name: string;
  isBot?: boolean;
  deleted?: boolean;
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
  | { kind: 'refused'; method: string; error: string };

export interface StandinOptions {
  users: DemoUser[];
  botToken: string;
  teamId: string;
  botUserId: string;
  botId: string;
  /** Where uploaded files are saved. */
  filesDir: string;
  onShow(shown: SlackShows): void;
}

interface ResponseTarget {
  user: string;
  channel: string;
  /** The message this response_url belongs to; absent until the slash command's first reply. */
  ref?: string;
  /** Posts so far: Slack accepts 5 per response_url. */
  posts?: number;
}

/** Slack's limit on posts to one response_url (within 30 minutes). */
const RESPONSE_URL_POSTS = 5;

interface PendingUpload {
  id: string;
  filename: string;
  title?: string;
  bytes?: Buffer;
}

type Params = Record<string, unknown>;

export class SlackStandin {
  readonly users = new Map<string, DemoUser>();
  private readonly messages = new Map<string, ShownMessage>();
  private readonly modals = new Map<string, ShownModal>();
  private readonly homes = new Map<string, string>();
  private readonly responses = new Map<string, ResponseTarget>();
  private readonly uploads = new Map<string, PendingUpload>();
  private seq = 0;
  private port = 0;

  private constructor(
    private readonly server: Server,
    private readonly o: StandinOptions,
  ) {
    for (const u of o.users) this.users.set(u.id, u);
  }

  static async start(options: StandinOptions): Promise<SlackStandin> {
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
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** For `SLACK_API_URL` / `clientOptions.slackApiUrl`. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  get teamId(): string {
    return this.o.teamId;
  }

  userName(id: string): string {
    return this.users.get(id)?.name ?? id;
  }

  userByName(name: string): DemoUser | undefined {
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

  /** A response_url for a new slash command typed by `user` in `channel`. */
  commandResponseUrl(user: string, channel: string): { id: string; url: string } {
    const id = `r${++this.seq}`;
    this.responses.set(id, { user, channel });
    return { id, url: `${this.url}/response/${id}` };
  }

  /** A response_url bound to a message already shown (a button in it was pressed). */
  messageResponseUrl(ref: string): string {
    const m = this.messages.get(ref);
    const id = `r${++this.seq}`;
    this.responses.set(id, { user: m?.user ?? '', channel: m?.channel ?? '', ref });
    return `${this.url}/response/${id}`;
  }

  /** What a slash command's ack carried: the first ephemeral reply (nothing when empty). */
  showAck(responseId: string, body: unknown): void {
    const target = this.responses.get(responseId);
    const message = typeof body === 'string' ? { text: body } : body;
    if (!target || !isMessageBody(message)) return;
    this.putEphemeral(target, message, false);
  }

  /** What a view_submission's ack carried: field errors, a new view, or nothing (the modal closes). */
  viewAck(viewId: string, body: unknown): void {
    const modal = this.modals.get(viewId);
    if (!modal) return;
    const b = (body ?? {}) as { response_action?: string; errors?: Record<string, string>; view?: types.ModalView };
    if (b.response_action === 'errors') {
      modal.errors = b.errors ?? {};
      this.o.onShow({ kind: 'modal', modal, change: 'errors' });
    } else if ((b.response_action === 'update' || b.response_action === 'push') && b.view) {
      Object.assign(modal, { view: b.view, shown: {}, typed: {}, errors: {} });
      this.o.onShow({ kind: 'modal', modal, change: 'updated' });
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
    this.o.onShow({ kind: 'modal', modal, change: 'closed' });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await buffer(req);
    const path = new URL(req.url ?? '/', this.url).pathname;
    const json = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));

    if (req.method === 'POST' && path.startsWith('/response/')) {
      const target = this.responses.get(path.slice('/response/'.length));
      if (!target) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no_such_url');
      target.posts = (target.posts ?? 0) + 1;
      if (target.posts > RESPONSE_URL_POSTS) {
        this.o.onShow({ kind: 'refused', method: 'a post to a response_url', error: 'used_url (more than 5 posts)' });
        return void res.writeHead(404, { 'content-type': 'text/plain' }).end('used_url');
      }
      this.onResponse(target, parseJson(raw.toString('utf8')));
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }
    const bearer = String(req.headers.authorization ?? '');
    const authorized = bearer === `Bearer ${this.o.botToken}`;
    if (req.method === 'POST' && path.startsWith('/upload/')) {
      const upload = this.uploads.get(path.slice('/upload/'.length));
      if (!upload || !authorized) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not_found');
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': String(req.headers['content-type'] ?? '') } }).formData();
      const part = form.get('body');
      upload.bytes = part instanceof Blob ? Buffer.from(await part.arrayBuffer()) : Buffer.from(typeof part === 'string' ? part : '');
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${upload.bytes.length}`);
    }
    if (req.method !== 'POST' || !path.startsWith('/api/')) return void res.writeHead(404).end();

    const method = path.slice('/api/'.length);
    if (!authorized) return json(200, { ok: false, error: 'invalid_auth' });
    const type = String(req.headers['content-type'] ?? '');
    const params = type.startsWith('application/json') ? parseJson(raw.toString('utf8')) : parseWebApiForm(raw.toString('utf8'));
    const answer = this.answer(method, params);
    if (answer.ok === false) this.o.onShow({ kind: 'refused', method, error: String(answer.error) });
    json(200, answer);
  }

  private answer(method: string, p: Params): Params {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://demo.slack.invalid/', team: 'Demo office', user: 'rescue-ring', team_id: this.o.teamId, user_id: this.o.botUserId, bot_id: this.o.botId };
      case 'users.info': {
        const u = this.users.get(String(p.user));
        if (!u) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id: u.id, team_id: this.o.teamId, name: u.name, real_name: u.name, deleted: u.deleted ?? false, is_bot: u.isBot ?? false, tz: 'Europe/London' } };
      }
      case 'conversations.open': {
        const user = String(p.users ?? '');
        if (!this.users.has(user)) return { ok: false, error: 'user_not_found' };
        return { ok: true, channel: { id: this.dmChannel(user) } };
      }
      case 'chat.postMessage': {
        const channel = String(p.channel ?? '');
        const user = this.dmUser(channel);
        if (!user) return { ok: false, error: 'channel_not_found' };
        const m = this.newMessage({ user, channel, ephemeral: false, text: str(p.text), blocks: blocksOf(p) });
        this.o.onShow({ kind: 'message', message: m, change: 'new' });
        return { ok: true, channel, ts: m.ts, message: { text: m.text } };
      }
      case 'chat.update': {
        const m = [...this.messages.values()].find((x) => x.channel === p.channel && x.ts === p.ts && !x.ephemeral);
        if (!m) return { ok: false, error: 'message_not_found' };
        Object.assign(m, { text: str(p.text), blocks: blocksOf(p) });
        this.o.onShow({ kind: 'message', message: m, change: 'updated' });
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
      }
      case 'chat.postEphemeral': {
        const user = String(p.user ?? '');
        if (!this.users.has(user)) return { ok: false, error: 'user_not_in_channel' };
        const m = this.newMessage({ user, channel: String(p.channel ?? ''), ephemeral: true, text: str(p.text), blocks: blocksOf(p) });
        this.o.onShow({ kind: 'message', message: m, change: 'new' });
        return { ok: true, message_ts: m.ts };
      }
      case 'views.open':
      case 'views.push': {
        const view = p.view as types.ModalView | undefined;
        if (!view || view.type !== 'modal') return { ok: false, error: 'invalid_arguments' };
        if (typeof p.trigger_id !== 'string' || p.trigger_id === '') return { ok: false, error: 'invalid_trigger_id' };
        const user = p.trigger_id.split('.')[0] ?? '';
        const modal: ShownModal = { id: `V${++this.seq}`, user, view, shown: {}, typed: {}, errors: {} };
        this.modals.set(modal.id, modal);
        this.o.onShow({ kind: 'modal', modal, change: 'opened' });
        return { ok: true, view: { id: modal.id, ...view } };
      }
      case 'views.update': {
        const modal = this.modals.get(String(p.view_id ?? ''));
        const view = p.view as types.ModalView | undefined;
        if (!modal || !view) return { ok: false, error: 'not_found' };
        Object.assign(modal, { view, shown: {}, typed: {}, errors: {} });
        this.o.onShow({ kind: 'modal', modal, change: 'updated' });
        return { ok: true, view: { id: modal.id, ...view } };
      }
      case 'views.publish': {
        const user = String(p.user_id ?? '');
        const view = p.view as types.HomeView | undefined;
        if (!this.users.has(user) || !view) return { ok: false, error: 'invalid_arguments' };
        const viewId = this.homes.get(user) ?? `VH${++this.seq}`;
        this.homes.set(user, viewId);
        this.o.onShow({ kind: 'home', user, viewId, view });
        return { ok: true, view: { id: viewId, ...view } };
      }
      case 'files.getUploadURLExternal': {
        const id = `F${++this.seq}`;
        this.uploads.set(id, { id, filename: basename(str(p.filename) || 'file.bin') });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal':
        return this.completeUpload(p);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private completeUpload(p: Params): Params {
    const files = Array.isArray(p.files) ? (p.files as { id: string; title?: string }[]) : [];
    const channel = str(p.channel_id);
    const user = this.dmUser(channel);
    if (!user) return { ok: false, error: 'channel_not_found' };
    const done: Params[] = [];
    for (const f of files) {
      const upload = this.uploads.get(f.id);
      if (!upload?.bytes) return { ok: false, error: 'file_not_found' };
      mkdirSync(this.o.filesDir, { recursive: true });
      const path = join(this.o.filesDir, upload.filename);
      writeFileSync(path, upload.bytes);
      this.uploads.delete(f.id);
      this.o.onShow({ kind: 'file', user, channel, path, title: f.title ?? upload.filename, comment: str(p.initial_comment), bytes: upload.bytes.length });
      done.push({ id: f.id, name: upload.filename, title: f.title ?? upload.filename });
    }
    return { ok: true, files: done };
  }

  private onResponse(target: ResponseTarget, body: Params): void {
    const existing = target.ref ? this.messages.get(target.ref) : undefined;
    if (body.delete_original === true && existing) {
      this.messages.delete(existing.ref);
      this.o.onShow({ kind: 'message', message: existing, change: 'deleted' });
      return;
    }
    if (!isMessageBody(body)) return;
    if (body.replace_original === true && existing) {
      Object.assign(existing, { text: str(body.text), blocks: blocksOf(body) });
      this.o.onShow({ kind: 'message', message: existing, change: 'updated' });
      return;
    }
    this.putEphemeral(target, body, body.replace_original !== true);
  }

  /** A new ephemeral message for a response target; the target follows it unless `keepTarget`. */
  private putEphemeral(target: ResponseTarget, body: { text?: unknown; blocks?: unknown }, keepTarget: boolean): void {
    const m = this.newMessage({ user: target.user, channel: target.channel, ephemeral: true, text: str(body.text), blocks: blocksOf(body) });
    if (!keepTarget || !target.ref) target.ref = m.ref;
    this.o.onShow({ kind: 'message', message: m, change: 'new' });
  }

  private newMessage(m: Omit<ShownMessage, 'ref' | 'ts'>): ShownMessage {
    const n = ++this.seq;
    const msg: ShownMessage = { ...m, ref: `M${n}`, ts: `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, '0')}` };
    this.messages.set(msg.ref, msg);
    return msg;
  }

  private dmUser(channel: string): string | undefined {
    return [...this.users.keys()].find((id) => this.dmChannel(id) === channel);
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

function parseJson(text: string): Params {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' ? (v as Params) : {};
  } catch {
    return {};
  }
}

/** Form fields; the Web API client sends objects (view, blocks, files) as JSON strings. Also used by the tests' fake Slack. */
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
