/**
 * The bot end to end with a controlled clock and the scheduler wired as src/main.ts wires it:
 * Bolt's real HTTP receiver on port 0 (signed requests), the fake Slack Web API, simulated phones,
 * a real SQLite file. The scheduler's timer is manual: `round()` runs a round and waits for its
 * reports, so no test sleeps on real minutes. `restart()` closes the app and the store and opens them
 * again on the same SQLite file (the phones and the fake Slack keep running), like a bot redeploy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RegisterInput, type RescueDeps } from '../../src/rescue/index.js';
import { Scheduler } from '../../src/rescue/scheduler.js';
import { type SimPhone, type SimPhoneOptions } from '../../src/sim/index.js';
import type { SlackApp } from '../../src/slack/app.js';
import { slackScheduleReporter } from '../../src/slack/flows/scheduled.js';
import { openFullStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/state-types.js';
import { FakeSlack } from '../support/fake-slack.js';
import { capturingLogger, loopbackRescueDeps, phoneKit, startLoopbackBot } from '../support/loopback-bot.js';
import * as req from '../support/slack-requests.js';
import { BOT_TOKEN, SIGNING_SECRET, TEAM, USERS } from './harness.js';

export { ALICE, BOB, ME, TEAM, ackText } from './harness.js';

/** 09:00 UTC: 10:00 in Paris, 09:00 in London. */
export const START = new Date('2026-11-28T09:00:00.000Z');

export interface World {
  fake: FakeSlack;
  bot: SlackApp;
  rescue: RescueDeps;
  store: Store;
  scheduler: Scheduler;
  logs: string[];
  time: { now: Date };
  advance(ms: number): void;
  /** One scheduler round (as the timer would run it), then waits for its Slack reports. */
  round(): Promise<number>;
  /** What the bot does at start: arm the scheduler (first round at once) and run that round. */
  startScheduler(): Promise<void>;
  phone(options?: SimPhoneOptions): Promise<SimPhone>;
  register(userId: string, phone: SimPhone, extra?: Partial<RegisterInput>): Promise<void>;
  command(userId: string, text: string): Promise<{ status: number; body: Record<string, unknown> | undefined; responseId: string }>;
  interact(payload: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> | undefined }>;
  /** Closes app and store, moves the clock by `downMs`, opens both again on the same file. */
  restart(downMs: number): Promise<void>;
  close(): Promise<void>;
}

interface Running {
  store: Store;
  rescue: RescueDeps;
  bot: SlackApp;
  url: string;
  scheduler: Scheduler;
  timers: (() => void)[];
}

export async function startWorld(options: { env?: Record<string, string> } = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-scheduled-'));
  const { logger, logs: capture } = capturingLogger();
  const logs = capture.chunks;
  const fake = await FakeSlack.start({ users: USERS, teamId: TEAM });
  const time = { now: START };
  const phones: SimPhone[] = [];

  const open = async (): Promise<Running> => {
    const store = await openFullStore({ dataDir: dir, production: false }, { logger });
    const rescue = loopbackRescueDeps(store, logger, {
      env: {
        PHONE_DEFAULT_RINGS: '2',
        PHONE_DEFAULT_INTERVAL_SECONDS: '1',
        RESCUE_TARGET_COOLDOWN_SECONDS: '0',
        RESCUE_TARGET_PER_HOUR: '10000',
        RESCUE_REQUESTER_PER_MINUTE: '10000',
        ...options.env,
      },
      clock: () => time.now,
    });
    const { bot, url } = await startLoopbackBot(rescue, logger, fake, { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, history: false });
    const timers: (() => void)[] = [];
    const scheduler = new Scheduler(rescue, { report: slackScheduleReporter(bot.app.client, { rescue, logger }), timer: { set: (fn) => timers.push(fn), clear: () => undefined } });
    return { store, rescue, bot, url, scheduler, timers };
  };
  const shut = async (r: Running) => {
    await r.scheduler.stop();
    await r.bot.stop();
    await r.rescue.active.drain(0);
    await r.bot.tasks.idle(5_000);
    await r.scheduler.idle();
    await r.store.close();
  };

  let cur = await open();
  const parse = (text: string): Record<string, unknown> | undefined => (text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>));
  let n = 0;
  const world: World = {
    fake,
    get bot() {
      return cur.bot;
    },
    get rescue() {
      return cur.rescue;
    },
    get store() {
      return cur.store;
    },
    get scheduler() {
      return cur.scheduler;
    },
    logs,
    time,
    advance(ms) {
      time.now = new Date(time.now.getTime() + ms);
    },
    async round() {
      const claimed = await cur.scheduler.tick();
      await cur.scheduler.idle();
      await cur.bot.tasks.idle(5_000);
      return claimed;
    },
    async startScheduler() {
      cur.scheduler.start();
      const first = cur.timers.shift();
      if (!first) throw new Error('the scheduler did not arm its first round');
      first();
      await cur.scheduler.idle();
    },
    ...phoneKit(() => cur.rescue, TEAM, phones, 0.02),
    async command(userId, text) {
      const responseId = `sched${++n}`;
      const r = await req.send(cur.url, req.slashCommand(SIGNING_SECRET, { command: '/rescue', text, user_id: userId, team_id: TEAM, response_url: fake.responseUrl(responseId) }));
      return { status: r.status, body: parse(r.text), responseId };
    },
    async interact(payload) {
      const r = await req.send(cur.url, req.interaction(SIGNING_SECRET, payload));
      return { status: r.status, body: parse(r.text) };
    },
    async restart(downMs) {
      await shut(cur);
      world.advance(downMs);
      cur = await open();
    },
    async close() {
      await shut(cur);
      await Promise.all(phones.map((p) => p.stop()));
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Posts of one kind to a user's DM with the app (conversations.open gives D + id without U/W). */
export function dmsTo(fake: FakeSlack, userId: string): string[] {
  const channel = `D${userId.replace(/^[UW]/, '')}`;
  return fake.callsTo('chat.postMessage').filter((c) => c.params.channel === channel).map((c) => String(c.params.text ?? ''));
}
