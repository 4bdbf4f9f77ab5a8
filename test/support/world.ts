/**
 * The one test world: the use cases on the real thing, and by default the whole bot end to end.
 *
 * - A real SQLite file in a temp DATA_DIR, opened from its parts so a test holds the very connection
 *   the bot uses (`db`) and can make it fail the way a real file does; sealed with a key we choose.
 * - Simulated phones over loopback HTTP(S), reached through a phone client whose network policy lists
 *   only 127.0.0.0/8, with short timeouts so a hanging phone fails fast.
 * - A controlled clock (`time`, `advance`) for the limits, the audit log and the scheduler, and the
 *   ring pauses on the test's side (`pauses`, see ring-pauses.ts): no test sleeps through a ring.
 * - Every log line captured (`logs`), to prove no secret is ever written.
 * - With `slack` (the default): Bolt's real HTTP receiver on 127.0.0.1 port 0 receiving signed
 *   requests, and the fake Slack Web API recording every call.
 * - With `scheduler`: the scheduler wired as src/main.ts wires it, on a manual timer: `round()` runs a
 *   round and waits for its reports, so no test sleeps on real minutes; `restart()` closes the app and
 *   the store and opens them again on the same file (phones and fake Slack keep running), like a redeploy.
 *
 * - With `callManager`: the simulated call manager on the same clock, wired as the bot wires it
 *   (connectCallManager: RisPort's budget in the store); `devicePhone` starts a simulated phone on its
 *   own loopback address (127.0.0.x, one port for all, CUCM_PHONE_PORT) that the call manager lists,
 *   and `movePhone` moves it to another address as DHCP would.
 *
 * The test ids (ME, ALICE, TEAM, ...) are defined here and nowhere else.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { Metrics } from '../../src/metrics/index.js';
import { connectCallManager, startRescue, type RegisterInput, type RescueDeps, type RescueRequest } from '../../src/rescue/index.js';
import { Scheduler } from '../../src/rescue/scheduler.js';
import { startCallManagerSim, type SimCucmDevice, type SimCucmOptions, type SimulatedCallManager } from '../../src/sim/cucm/index.js';
import { freePort } from '../../src/sim/free-port.js';
import { type SimPhone, type SimPhoneOptions } from '../../src/sim/index.js';
import type { SlackApp, SlackAppOptions } from '../../src/slack/app.js';
import { slackScheduleReporter } from '../../src/slack/flows/scheduled.js';
import { Keyring, type KeyEntry } from '../../src/store/keyring.js';
import { openSqliteDatabase, sqlitePath } from '../../src/store/sqlite.js';
import { sqliteStoreOn } from '../../src/store/sqlite-state.js';
import type { Store } from '../../src/store/state-types.js';
import type { LogCapture } from './capture.js';
import { simOptions } from './cucm.js';
import { FakeSlack, type FakeUser } from './fake-slack.js';
import { capturingLogger, loopbackRescueDeps, phoneKit, startLoopbackBot } from './loopback-bot.js';
import { RingPauses } from './ring-pauses.js';
import * as req from './slack-requests.js';

export const TEAM = 'T1';
export const ME = 'U0ME';
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';
export const CAROL = 'U0CAROL';
export const ADMIN = 'U0ADMIN';
export const BOT_USER = 'U0BOTTY';
export const GONE = 'U0GONE';
export const NOBODY = 'U0NOBODY';
export const SIGNING_SECRET = 'test-signing-secret-7f3a';
export const BOT_TOKEN = 'xoxb-test-bot-token-9c1d';
/** Recognisable secrets: none may ever show up in the audit table or the logs. */
export const PHONE_PASSWORD = 'pw-SECRET-5d1e9c';
export const PHONE_USER = 'user-SECRET-77ab';
/** The world's clock starts here: 09:00 UTC, 10:00 in Paris, 09:00 in London. */
export const START = new Date('2026-11-28T09:00:00.000Z');

/** The people the fake Slack knows by default. */
export const USERS: FakeUser[] = [
  { id: ME, name: 'me' },
  { id: ALICE, name: 'alice' },
  { id: BOB, name: 'bob' },
  { id: BOT_USER, name: 'somebot', is_bot: true },
  { id: GONE, name: 'gone', deleted: true },
];

/** Limits that never refuse (the default); `limits: 'configured'` keeps the settings' own defaults. */
const NO_LIMITS = { RESCUE_TARGET_COOLDOWN_SECONDS: '0', RESCUE_TARGET_PER_HOUR: '100000', RESCUE_REQUESTER_PER_MINUTE: '100000' };

/** The use cases alone, as the rescue tests drive them: one ring, the configured limits, phones with recognisable secrets. */
export const USE_CASES: WorldOptions = { slack: false, rings: 1, limits: 'configured', phones: { username: PHONE_USER, password: PHONE_PASSWORD } };

export function makeKey(id: string): KeyEntry {
  return { id, key: randomBytes(32) };
}

export interface SlackOptions {
  /** Default USERS. */
  users?: FakeUser[];
  botToken?: string;
  signingSecret?: string;
  /** App Home's "Recent rescues" from the audit log (as main.ts wires it). Default true. */
  history?: boolean;
  app?: Partial<SlackAppOptions>;
}

export interface WorldOptions {
  /** The bot on loopback against the fake Slack (default), or `false` for the use cases alone. */
  slack?: boolean | SlackOptions;
  /** The scheduler on a manual timer (`round`, `startScheduler`, `restart`). Needs Slack. */
  scheduler?: boolean;
  /** 'controlled' (default): `time` and `advance`; 'system': the real time, for tests that move none (the operations tests). */
  clock?: 'controlled' | 'system';
  /** PHONE_DEFAULT_RINGS; default 2 (the pause between them is 1 s on the world's side). */
  rings?: number;
  /** 'off' (default): no cooldown or rate limit refuses; 'configured': the settings' defaults, or what `env` says. */
  limits?: 'off' | 'configured';
  /** More settings by their environment names; they win over the world's defaults. */
  env?: Record<string, string>;
  /** Raw 32-byte store key (id k1); random by default. */
  storeKey?: Buffer;
  /** A keyring of the test's own instead of one made from `storeKey`. */
  keyring?: Keyring;
  /** An existing DATA_DIR (kept on close); a fresh temp dir by default. */
  dataDir?: string;
  /** Defaults for `phone()`: the world's is `toneTimeScale: 0.02`. */
  phones?: SimPhoneOptions;
  /** Phone client timeouts (short, so a hanging phone fails fast). Default 5 s / 2 s. */
  responseTimeoutMs?: number;
  connectTimeoutMs?: number;
  logLevel?: string;
  /** Start the simulated call manager (these users and devices) and connect the use cases to it. */
  callManager?: SimCucmOptions;
  /** Prometheus metrics wired as src/main.ts wires them, served at `healthUrl`/metrics (behind `token` when given). */
  metrics?: { token?: string; onSlackPort?: boolean };
}

export interface CommandAnswer {
  status: number;
  /** The HTTP body as sent. */
  text: string;
  /** The body as JSON; undefined when empty (or not JSON). */
  body: Record<string, unknown> | undefined;
  /** The response_url id to watch (fake.responses, fake.waitForResponse). */
  responseId: string;
}

export interface World {
  dataDir: string;
  dbFile: string;
  /** The one SQLite connection the bot uses. */
  db: Database;
  store: Store;
  rescue: RescueDeps;
  logs: LogCapture;
  /** The controlled time: limits, audit entries and the scheduler use it; tests move it with `advance`. */
  time: { now: Date };
  advance(ms: number): void;
  /** The ring pauses (the rescue's interval) on the test's side. */
  pauses: RingPauses;
  storeKey: Buffer;
  /** STORE_KEYS for a CLI run on this world's DATA_DIR (the `storeKey`). */
  storeKeys: string;
  phones: SimPhone[];
  /** Starts a simulated phone (kept until close). */
  phone(options?: SimPhoneOptions): Promise<SimPhone>;
  /** Registers `userId`'s phone through the use case, as the Slack form does (not through Slack). */
  register(userId: string, phone: SimPhone, extra?: Partial<RegisterInput>): Promise<void>;

  // With Slack (the default); each throws in a world started with `slack: false`.
  fake: FakeSlack;
  bot: SlackApp;
  url: string;
  botToken: string;
  signingSecret: string;
  /** A signed slash command. */
  command(userId: string, command: string, text?: string, responseId?: string): Promise<CommandAnswer>;
  /** A signed interactivity payload. */
  interact(payload: Record<string, unknown>): Promise<Omit<CommandAnswer, 'responseId'>>;
  event(ev: Record<string, unknown>): Promise<{ status: number }>;
  /** Waits for background work (rings, follow-up posts) to settle. */
  settle(): Promise<void>;

  // With `scheduler`; each throws in a world without it.
  scheduler: Scheduler;
  /** One scheduler round (as the timer would run it), then waits for its Slack reports. */
  round(): Promise<number>;
  /** What the bot does at start: arm the scheduler (first round at once) and run that round. */
  startScheduler(): Promise<void>;
  /** Closes app and store, moves the clock by `downMs`, opens both again on the same file. */
  restart(downMs: number): Promise<void>;

  /** GET /metrics on the health listener (only with `metrics`); `token` as the bearer token. */
  scrape(token?: string): Promise<{ status: number; text: string }>;
  /** The simulated call manager (only with `callManager`). */
  cucm: SimulatedCallManager;
  /** A simulated phone the call manager lists as `device.name`, registered at 127.0.0.`hostByte` (CUCM_PHONE_PORT). */
  devicePhone(device: SimCucmDevice, hostByte: number, options?: SimPhoneOptions): Promise<SimPhone>;
  /** The phone gets another address (DHCP): a phone with its credentials answers there, the old address refuses, the call manager knows the new one. */
  movePhone(device: string, from: SimPhone, hostByte: number): Promise<SimPhone>;

  close(): Promise<void>;
}

interface Running {
  store: Store;
  db: Database;
  rescue: RescueDeps;
  bot?: { app: SlackApp; url: string; healthUrl?: string };
  scheduler?: { it: Scheduler; timers: (() => void)[] };
}

let responses = 0;

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rescue-ring-world-'));
  const dbFile = sqlitePath(dataDir);
  const { logger, logs } = capturingLogger(options.logLevel);
  const storeKey = options.storeKey ?? randomBytes(32);
  const keyring = options.keyring ?? new Keyring([{ id: 'k1', key: storeKey }], 'k1');
  const slack: SlackOptions | undefined = options.slack === false ? undefined : options.slack === true || options.slack === undefined ? {} : options.slack;
  if (options.scheduler && !slack) throw new Error('startWorld: the scheduler reports on Slack; do not combine it with slack: false');
  const botToken = slack?.botToken ?? BOT_TOKEN;
  const signingSecret = slack?.signingSecret ?? SIGNING_SECRET;
  const time = { now: START };
  const pauses = new RingPauses();
  const phones: SimPhone[] = [];
  const fake = slack ? await FakeSlack.start({ users: slack.users ?? USERS, teamId: TEAM }) : undefined;
  const cucm = options.callManager ? await startCallManagerSim({ clock: () => time.now, ...options.callManager }) : undefined;
  const devicePort = cucm ? await freePort() : 0;

  const open = async (): Promise<Running> => {
    const db = openSqliteDatabase(dbFile);
    const store = await sqliteStoreOn(db, keyring);
    const rescue = loopbackRescueDeps(store, logger, {
      env: {
        PHONE_DEFAULT_RINGS: String(options.rings ?? 2),
        PHONE_DEFAULT_INTERVAL_SECONDS: '1',
        ADMIN_USER_IDS: ADMIN,
        ...(options.limits === 'configured' ? {} : NO_LIMITS),
        ...options.env,
      },
      clock: options.clock === 'system' ? () => new Date() : () => time.now,
      ringPause: pauses.pause,
      responseTimeoutMs: options.responseTimeoutMs ?? 5_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 2_000,
      ...(options.metrics ? { metrics: new Metrics({ processMetrics: false }) } : {}),
    });
    const callManager = cucm
      ? connectCallManager(simOptions(cucm.url, { phonePort: devicePort }), {
          limits: store.limits,
          logger,
          dataDir,
          ...(options.clock === 'system' ? {} : { clock: () => time.now }),
          tuning: { minQueryIntervalMs: 0, timeouts: { connectMs: 500, totalMs: 2_000 } },
        })
      : undefined;
    if (callManager) rescue.callManager = callManager;
    if (!slack || !fake) return { store, db, rescue };
    const { bot, url, healthUrl } = await startLoopbackBot(rescue, logger, fake, {
      signingSecret,
      botToken,
      ...(slack.history === false ? { history: false } : {}),
      app: { storeHealth: () => store.health(), ...slack.app },
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    if (!options.scheduler) return { store, db, rescue, bot: { app: bot, url, ...(healthUrl ? { healthUrl } : {}) } };
    const timers: (() => void)[] = [];
    const scheduler = new Scheduler(rescue, { report: slackScheduleReporter(bot.app.client, { rescue, logger }), timer: { set: (fn) => timers.push(fn), clear: () => undefined } });
    return { store, db, rescue, bot: { app: bot, url, ...(healthUrl ? { healthUrl } : {}) }, scheduler: { it: scheduler, timers } };
  };
  const shut = async (r: Running) => {
    await r.scheduler?.it.stop();
    await r.bot?.app.stop();
    await r.rescue.active.drain(0);
    await r.bot?.app.tasks.idle(5_000);
    await r.scheduler?.it.idle();
    await r.rescue.callManager?.close();
    await r.store.close();
  };

  let cur = await open();
  const needSlack = (): { fake: FakeSlack; app: SlackApp; url: string } => {
    if (!fake || !cur.bot) throw new Error('this world was started with slack: false');
    return { fake, app: cur.bot.app, url: cur.bot.url };
  };
  const needScheduler = (): { it: Scheduler; timers: (() => void)[] } => {
    if (!cur.scheduler) throw new Error('this world was started without scheduler: true');
    return cur.scheduler;
  };
  const answer = (r: { status: number; text: string }) => {
    let body: Record<string, unknown> | undefined;
    try {
      body = r.text === '' ? undefined : (JSON.parse(r.text) as Record<string, unknown>);
    } catch {
      body = undefined;
    }
    return { status: r.status, text: r.text, body };
  };

  const world: World = {
    dataDir,
    dbFile,
    get db() {
      return cur.db;
    },
    get store() {
      return cur.store;
    },
    get rescue() {
      return cur.rescue;
    },
    logs,
    time,
    advance(ms) {
      if (options.clock === 'system') throw new Error('this world runs on the system clock (clock: "system")');
      time.now = new Date(time.now.getTime() + ms);
    },
    pauses,
    storeKey,
    storeKeys: `k1:${storeKey.toString('base64')}`,
    phones,
    ...phoneKit(() => cur.rescue, TEAM, phones, 0.02),
    get fake() {
      return needSlack().fake;
    },
    get bot() {
      return needSlack().app;
    },
    get url() {
      return needSlack().url;
    },
    botToken,
    signingSecret,
    async command(userId, command, text = '', responseId = `cmd${++responses}`) {
      const s = needSlack();
      const r = await req.send(s.url, req.slashCommand(signingSecret, { command, text, user_id: userId, team_id: TEAM, response_url: s.fake.responseUrl(responseId) }));
      return { ...answer(r), responseId };
    },
    async interact(payload) {
      return answer(await req.send(needSlack().url, req.interaction(signingSecret, payload)));
    },
    async event(ev) {
      const r = await req.send(needSlack().url, req.event(signingSecret, ev));
      return { status: r.status };
    },
    async settle() {
      await cur.rescue.active.drain(30_000);
      await cur.bot?.app.tasks.idle(10_000);
    },
    get scheduler() {
      return needScheduler().it;
    },
    async round() {
      const s = needScheduler().it;
      const claimed = await s.tick();
      await s.idle();
      await cur.bot?.app.tasks.idle(5_000);
      return claimed;
    },
    async startScheduler() {
      const s = needScheduler();
      s.it.start();
      const first = s.timers.shift();
      if (!first) throw new Error('the scheduler did not arm its first round');
      first();
      await s.it.idle();
    },
    async restart(downMs) {
      needScheduler();
      await shut(cur);
      world.advance(downMs);
      cur = await open();
    },
    async scrape(token) {
      const base = cur.bot?.healthUrl;
      if (!base) throw new Error('this world was started without metrics (or without slack)');
      const res = await fetch(`${base}/metrics`, token !== undefined ? { headers: { authorization: `Bearer ${token}` } } : {});
      return { status: res.status, text: await res.text() };
    },
    get cucm() {
      if (!cucm) throw new Error('this world was started without callManager');
      return cucm;
    },
    async devicePhone(device, hostByte, o = {}) {
      const host = `127.0.0.${hostByte}`;
      const phone = await world.phone({ ...o, host, port: devicePort });
      world.cucm.addDevice({ ...device, ip: host });
      return phone;
    },
    async movePhone(device, from, hostByte) {
      const host = `127.0.0.${hostByte}`;
      const moved = await world.phone({ host, port: devicePort, username: from.username, password: from.password });
      await from.stop();
      world.cucm.moveDevice(device, host);
      return moved;
    },
    async close() {
      pauses.release();
      await shut(cur);
      await Promise.all(phones.map((p) => p.stop()));
      await fake?.stop();
      await cucm?.stop();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      // Slack would have refused these: a test passes only if everything the app sent would reach a person.
      // A test that provokes a refusal on purpose takes it with fake.takeRefusals() and asserts on it.
      const refused = fake?.takeRefusals() ?? [];
      if (refused.length > 0) throw new Error(`Slack would have refused what the app sent:\n${refused.map((r) => `  ${r.method}: ${r.error} ${r.messages.join(' ')}`).join('\n')}`);
    },
  };
  if (options.phones) {
    const defaults = options.phones;
    const start = world.phone;
    world.phone = (o = {}) => start({ ...defaults, ...o });
  }
  return world;
}

/** Starts a rescue (in TEAM) and waits for it: 'ok' or 'failed:<code>', or the refusal's code and hint. */
export async function attempt(w: Pick<World, 'rescue'>, request: Omit<RescueRequest, 'teamId'>): Promise<{ result: string; hint?: string }> {
  try {
    const outcome = await (await startRescue(w.rescue, { teamId: TEAM, ...request })).done;
    return { result: outcome.ok ? 'ok' : `failed:${outcome.error.code}` };
  } catch (err) {
    const e = err as { code: string; hint: string };
    return { result: e.code, hint: e.hint };
  }
}

/** The DM channel the fake Slack opens with `userId` (conversations.open: D + the id without U/W). */
export const dmOf = (userId: string): string => `D${userId.replace(/^[UW]/, '')}`;

/** Posts to a user's DM with the app, as text. */
export function dmsTo(fake: FakeSlack, userId: string): string[] {
  return fake
    .callsTo('chat.postMessage')
    .filter((c) => c.params.channel === dmOf(userId))
    .map((c) => String(c.params.text ?? ''));
}

/** The text of an ack body (slash command HTTP answer), block texts included. */
export function ackText(body: Record<string, unknown> | undefined): string {
  if (!body) return '';
  const parts = [typeof body.text === 'string' ? body.text : ''];
  JSON.stringify(body.blocks ?? [], (k, v: unknown) => {
    if (k === 'text' && typeof v === 'string') parts.push(v);
    return v;
  });
  return parts.join('\n');
}

/** The settings modal as Slack submits it (block ids and action ids of src/slack/ids.ts). */
export function settingsForm(f: { address: string; username?: string; password?: string; tone?: string; rings?: string; interval?: string; permission?: string; buddies?: string[]; coverStory?: string }): req.StateValues {
  const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
  return {
    address: text(f.address),
    username: text(f.username),
    password: text(f.password),
    tone: { value: { type: 'static_select', selected_option: f.tone === undefined ? null : { value: f.tone } } },
    rings: { value: { type: 'number_input', value: f.rings ?? null } },
    interval: { value: { type: 'number_input', value: f.interval ?? null } },
    permission: { value: { type: 'radio_buttons', selected_option: f.permission === undefined ? null : { value: f.permission } } },
    buddies: { value: { type: 'multi_users_select', selected_users: f.buddies ?? [] } },
    ...(f.coverStory !== undefined ? { cover_story: text(f.coverStory) } : {}),
  };
}
