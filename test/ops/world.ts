/**
 * The bot end to end for the operations tests: Bolt's real HTTP receiver on port 0 receiving signed
 * requests, the fake Slack recording every call, simulated phones, a real SQLite file in a temp
 * DATA_DIR sealed with a key we choose, and every log line captured.
 *
 * Unlike test/slack/harness.ts it builds the SQLite store from its parts, so a test holds the very
 * connection the bot uses and can make it fail the way a real file does (read-only, disk full).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { type RegisterInput, type RescueDeps } from '../../src/rescue/index.js';
import { type SimPhone, type SimPhoneOptions } from '../../src/sim/index.js';
import type { SlackApp } from '../../src/slack/app.js';
import { loadKeyring } from '../../src/store/keyring.js';
import { openSqliteDatabase, sqlitePath } from '../../src/store/sqlite.js';
import { sqliteStoreOn } from '../../src/store/sqlite-state.js';
import type { Store } from '../../src/store/state-types.js';
import type { LogCapture } from '../support/capture.js';
import { FakeSlack, type FakeUser } from '../support/fake-slack.js';
import { capturingLogger, loopbackRescueDeps, phoneKit, startLoopbackBot } from '../support/loopback-bot.js';
import * as req from '../support/slack-requests.js';

export const TEAM = 'T1';

export interface WorldOptions {
  users?: FakeUser[];
  /** Extra settings (environment variable names, read by rescueSettingsFromEnv). Limits are off by default. */
  env?: Record<string, string>;
  botToken?: string;
  signingSecret?: string;
  /** Raw 32-byte store key; random by default. */
  storeKey?: Buffer;
  /** Phone client timeouts (short, so a hanging phone fails fast). */
  responseTimeoutMs?: number;
  connectTimeoutMs?: number;
  logLevel?: string;
}

export interface World {
  fake: FakeSlack;
  bot: SlackApp;
  rescue: RescueDeps;
  store: Store;
  /** The one SQLite connection the bot uses. */
  db: Database;
  dataDir: string;
  dbFile: string;
  url: string;
  logs: LogCapture;
  botToken: string;
  signingSecret: string;
  storeKey: Buffer;
  storeKeys: string;
  phone(options?: SimPhoneOptions): Promise<SimPhone>;
  register(userId: string, phone: SimPhone, extra?: Partial<RegisterInput>): Promise<void>;
  command(userId: string, command: string, text?: string, responseId?: string): Promise<{ status: number; text: string; responseId: string }>;
  interact(payload: Record<string, unknown>): Promise<{ status: number; text: string }>;
  event(ev: Record<string, unknown>): Promise<{ status: number }>;
  /** Waits for background work (rings, follow-up posts) to settle. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

let responses = 0;

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rescue-ring-ops-'));
  const dbFile = sqlitePath(dataDir);
  const { logger, logs } = capturingLogger(options.logLevel);
  const botToken = options.botToken ?? 'xoxb-ops-world-token';
  const signingSecret = options.signingSecret ?? 'ops-world-signing-secret';
  const storeKey = options.storeKey ?? randomBytes(32);
  const storeKeys = `k1:${storeKey.toString('base64')}`;

  const fake = await FakeSlack.start({ users: options.users ?? [], teamId: TEAM });
  const keyring = loadKeyring({ keys: storeKeys, keyId: 'k1', production: true, dataDir });
  const db = openSqliteDatabase(dbFile);
  const store = await sqliteStoreOn(db, keyring);
  const rescue = loopbackRescueDeps(store, logger, {
    env: {
      PHONE_DEFAULT_RINGS: '2',
      PHONE_DEFAULT_INTERVAL_SECONDS: '1',
      RESCUE_TARGET_COOLDOWN_SECONDS: '0',
      RESCUE_TARGET_PER_HOUR: '100000',
      RESCUE_REQUESTER_PER_MINUTE: '100000',
      ...options.env,
    },
    ...(options.responseTimeoutMs !== undefined ? { responseTimeoutMs: options.responseTimeoutMs } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  const { bot, url } = await startLoopbackBot(rescue, logger, fake, { signingSecret, botToken });
  const phones: SimPhone[] = [];

  const settle = async () => {
    await rescue.active.drain(30_000);
    await bot.tasks.idle(10_000);
  };
  return {
    fake,
    bot,
    rescue,
    store,
    db,
    dataDir,
    dbFile,
    url,
    logs,
    botToken,
    signingSecret,
    storeKey,
    storeKeys,
    ...phoneKit(() => rescue, TEAM, phones, 0.02),
    async command(userId, command, text = '', responseId = `ops${++responses}`) {
      const r = await req.send(url, req.slashCommand(signingSecret, { command, text, user_id: userId, team_id: TEAM, response_url: fake.responseUrl(responseId) }));
      return { status: r.status, text: r.text, responseId };
    },
    async interact(payload) {
      const r = await req.send(url, req.interaction(signingSecret, payload));
      return { status: r.status, text: r.text };
    },
    async event(ev) {
      const r = await req.send(url, req.event(signingSecret, ev));
      return { status: r.status };
    },
    settle,
    async close() {
      await bot.stop();
      await rescue.active.drain(0);
      await bot.tasks.idle(5_000);
      await Promise.all(phones.map((p) => p.stop()));
      await store.close();
      await fake.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
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
