/**
 * The whole bot, end to end, on loopback: Bolt's real HTTP receiver on port 0 receiving signed
 * requests, the fake Slack Web API recording every call, simulated phones, a real SQLite file in a
 * temp dir, and a log capture (to prove no secret is ever written).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RescueDeps, type RegisterInput } from '../../src/rescue/index.js';
import { type SimPhone, type SimPhoneOptions } from '../../src/sim/index.js';
import type { SlackApp, SlackAppOptions } from '../../src/slack/app.js';
import { openFullStore } from '../../src/store/index.js';
import type { PhoneDirectory } from '../../src/store/types.js';
import { FakeSlack, type FakeUser } from '../support/fake-slack.js';
import { capturingLogger, loopbackRescueDeps, phoneKit, startLoopbackBot } from '../support/loopback-bot.js';
import * as req from '../support/slack-requests.js';

export const SIGNING_SECRET = 'test-signing-secret-7f3a';
export const BOT_TOKEN = 'xoxb-test-bot-token-9c1d';
export const ME = 'U0ME';
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';
export const BOT_USER = 'U0BOTTY';
export const GONE = 'U0GONE';
export const NOBODY = 'U0NOBODY';
export const TEAM = 'T1';

export const USERS: FakeUser[] = [
  { id: ME, name: 'me' },
  { id: ALICE, name: 'alice' },
  { id: BOB, name: 'bob' },
  { id: BOT_USER, name: 'somebot', is_bot: true },
  { id: GONE, name: 'gone', deleted: true },
];

export interface Harness {
  fake: FakeSlack;
  bot: SlackApp;
  rescue: RescueDeps;
  directory: PhoneDirectory;
  url: string;
  logs: string[];
  phones: SimPhone[];
  /** Starts a simulated phone with short tones (kept until close). */
  phone(options?: SimPhoneOptions): Promise<SimPhone>;
  /** Registers `userId`'s phone through the use case (not Slack). */
  register(userId: string, phone: SimPhone, extra?: Partial<RegisterInput>): Promise<void>;
  /** A signed slash command; returns the HTTP answer and the response_url id to watch. */
  command(userId: string, command: string, text?: string): Promise<{ status: number; body: Record<string, unknown> | undefined; responseId: string }>;
  /** A signed interactivity payload. */
  interact(payload: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> | undefined }>;
  event(ev: Record<string, unknown>): Promise<{ status: number }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** The workspace's people; default USERS. */
  users?: FakeUser[];
  app?: Partial<SlackAppOptions>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-slack-'));
  const { logger, logs: capture } = capturingLogger();
  const logs = capture.chunks;
  const fake = await FakeSlack.start({ users: options.users ?? USERS, teamId: TEAM });
  const store = await openFullStore({ dataDir: dir, production: false }, { logger });
  const directory = store.directory;
  const rescue = loopbackRescueDeps(store, logger, {
    env: {
      PHONE_DEFAULT_RINGS: '3',
      PHONE_DEFAULT_INTERVAL_SECONDS: '1',
      RESCUE_TARGET_COOLDOWN_SECONDS: '0',
      RESCUE_TARGET_PER_HOUR: '10000',
      RESCUE_REQUESTER_PER_MINUTE: '10000',
      ...options.env,
    },
  });
  const { bot, url } = await startLoopbackBot(rescue, logger, fake, { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, ...(options.app ? { app: options.app } : {}) });
  const phones: SimPhone[] = [];

  const parse = (text: string): Record<string, unknown> | undefined => (text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>));
  let n = 0;
  const h: Harness = {
    fake,
    bot,
    rescue,
    directory,
    url,
    logs,
    phones,
    ...phoneKit(() => rescue, TEAM, phones, 0.05),
    async command(userId, command, text = '') {
      const responseId = `cmd${++n}`;
      const r = await req.send(url, req.slashCommand(SIGNING_SECRET, { command, text, user_id: userId, team_id: TEAM, response_url: fake.responseUrl(responseId) }));
      return { status: r.status, body: parse(r.text), responseId };
    },
    async interact(payload) {
      const r = await req.send(url, req.interaction(SIGNING_SECRET, payload));
      return { status: r.status, body: parse(r.text) };
    },
    async event(ev) {
      const r = await req.send(url, req.event(SIGNING_SECRET, ev));
      return { status: r.status };
    },
    async close() {
      await bot.stop();
      await rescue.active.drain(0);
      await bot.tasks.idle(5_000);
      await Promise.all(phones.map((p) => p.stop()));
      await store.close();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** The DM channel the fake Slack opens with `userId` (conversations.open). */
export const dmOf = (userId: string): string => `D${userId.slice(1)}`;

/** The text of an ack body (slash command HTTP answer). */
export function ackText(body: Record<string, unknown> | undefined): string {
  if (!body) return '';
  const parts = [typeof body.text === 'string' ? body.text : ''];
  JSON.stringify(body.blocks ?? [], (k, v: unknown) => {
    if (k === 'text' && typeof v === 'string') parts.push(v);
    return v;
  });
  return parts.join('\n');
}
