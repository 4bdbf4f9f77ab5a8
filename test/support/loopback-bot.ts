/**
 * The pieces every end-to-end world builds the same way: a logger whose every line is kept, the use
 * cases over a store with phones reachable on loopback only, and the real Bolt app (HTTP receiver
 * on 127.0.0.1 port 0) talking to the fake Slack.
 */
import { rescueSettingsFromEnv } from '../../src/config/index.js';
import type { SlackConfig } from '../../src/config/slack.js';
import { createLogger, type Logger } from '../../src/log.js';
import { createNetworkPolicy, PhoneClient, type RingPause } from '../../src/phone/index.js';
import type { Metrics } from '../../src/metrics/index.js';
import { meteredStore, phoneObserver, recentRescues, registerPhone, rescueDeps, watchRescues, type RegisterInput, type RescueDeps } from '../../src/rescue/index.js';
import { startPhone, type SimPhone, type SimPhoneOptions } from '../../src/sim/index.js';
import { createSlackApp, type SlackApp, type SlackAppOptions } from '../../src/slack/app.js';
import type { Store } from '../../src/store/state-types.js';
import { LogCapture } from './capture.js';
import type { FakeSlack } from './fake-slack.js';

/** A logger that keeps every line in `logs` (debug level by default). */
export function capturingLogger(level = 'debug'): { logger: Logger; logs: LogCapture } {
  const logs = new LogCapture();
  return { logger: createLogger({ level, destination: logs.stream }), logs };
}

export interface LoopbackDepsOptions {
  /** Settings by their environment names (the test's defaults; nothing is added). */
  env: Record<string, string>;
  clock?: () => Date;
  /** The wait between rings (RescueDeps.ringPause); a real timer by default. */
  ringPause?: RingPause;
  /** Phone client timeouts: short, so a hanging phone fails fast. Default 2 s / 1 s. */
  responseTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Wired as src/main.ts wires it: the store's operations timed, phone requests observed, the gauges watched. */
  metrics?: Metrics;
}

/** The use cases over `store`; phones may be reached on 127.0.0.0/8 only. Throws on a bad setting. */
export function loopbackRescueDeps(store: Store, logger: Logger, options: LoopbackDepsOptions): RescueDeps {
  const settings = rescueSettingsFromEnv(options.env);
  const { metrics } = options;
  const phones = new PhoneClient({
    networkPolicy: createNetworkPolicy(['127.0.0.0/8']),
    responseTimeoutMs: options.responseTimeoutMs ?? 2_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 1_000,
    logger,
    ...(metrics ? { observe: phoneObserver(metrics) } : {}),
  });
  const rescue = rescueDeps(metrics ? meteredStore(store, metrics) : store, {
    phones,
    settings,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ringPause ? { ringPause: options.ringPause } : {}),
    ...(metrics ? { metrics } : {}),
  });
  if (metrics) watchRescues(metrics, { rescue, phones, store });
  return rescue;
}

export interface LoopbackBotOptions {
  signingSecret: string;
  botToken: string;
  /** App Home's "Recent rescues" from the audit log (as main.ts wires it). Default true. */
  history?: boolean;
  app?: Partial<SlackAppOptions>;
  /** Serve /metrics (the use cases' registry) on a health listener of its own, optionally behind a token. */
  metrics?: { token?: string; onSlackPort?: boolean };
}

/** Starts the real Bolt app in HTTP mode on 127.0.0.1 port 0 against the fake Slack; `url` is /slack/events. */
export async function startLoopbackBot(rescue: RescueDeps, logger: Logger, fake: FakeSlack, options: LoopbackBotOptions): Promise<{ bot: SlackApp; url: string; healthUrl?: string }> {
  const config: SlackConfig = {
    mode: 'http',
    botToken: options.botToken,
    signingSecret: options.signingSecret,
    port: 0,
    healthPort: 0,
    host: '127.0.0.1',
    apiUrl: fake.apiUrl,
    ...(options.metrics ? { metrics: { onSlackPort: false, ...options.metrics } } : {}),
  };
  const bot = createSlackApp({
    config,
    rescue,
    logger,
    ...(options.history === false ? {} : { history: (key, limit) => recentRescues(rescue, key, limit) }),
    botId: fake.botId,
    botUserId: fake.botUserId,
    retries: 1,
    timeoutMs: 3_000,
    ...options.app,
  });
  const { port, healthPort } = await bot.start({ port: 0, host: '127.0.0.1', ...(options.metrics ? { healthPort: 0 } : {}) });
  return { bot, url: `http://127.0.0.1:${port}/slack/events`, ...(healthPort !== undefined ? { healthUrl: `http://127.0.0.1:${healthPort}` } : {}) };
}

/** A world's simulated phones: `phone` starts one (kept in `phones`, for the world to stop), `register` registers it as the Slack form does. */
export interface PhoneKit {
  phone(options?: SimPhoneOptions): Promise<SimPhone>;
  register(userId: string, phone: SimPhone, extra?: Partial<RegisterInput>): Promise<void>;
}

/** `rescue`: the world's current use cases (a getter, for worlds that restart). */
export function phoneKit(rescue: () => RescueDeps, teamId: string, phones: SimPhone[], toneTimeScale: number): PhoneKit {
  return {
    async phone(options = {}) {
      const p = await startPhone({ toneTimeScale, ...options });
      phones.push(p);
      return p;
    },
    async register(userId, phone, extra = {}) {
      // An HTTPS phone by its URL, so the registration says HTTPS; a plain one by host:port, as people type it.
      const address = phone.url.startsWith('https:') ? phone.url : phone.address;
      await registerPhone(rescue(), { teamId, userId, address, username: phone.username, password: phone.password, ...extra });
    },
  };
}
