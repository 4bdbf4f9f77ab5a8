/**
 * The Bolt app: receiver (Socket Mode by default, HTTP when configured, or one the caller brings),
 * Web API client settings for an interactive bot, our logger, the health endpoints, and every listener.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { SlackConfig } from '../config/slack.js';
import type { Logger } from '../log.js';
import type { RescueDeps } from '../rescue/index.js';
import type { StoreHealth } from '../store/state-types.js';
import { registerActions } from './actions/index.js';
import { boltLogger } from './bolt-logger.js';
import { registerCommands } from './commands/index.js';
import type { RescueHistory, SlackDeps } from './context.js';
import { registerEvents } from './events/index.js';
import { healthHandler, startHealthServer, type MetricsSource, type Readiness } from './health.js';
import { countingFetch } from './slack-metrics.js';
import { Registry, type Registered } from './registry.js';
import { registerShortcuts } from './shortcuts/index.js';
import { SlackTokenRefused } from './errors.js';
import { slackErrorCode } from './slack-errors.js';
import { BackgroundTasks } from './tasks.js';
import { registerUnknownRequests } from './unknown-requests.js';
import { registerViews } from './views/index.js';

/** Idle keep-alive for the HTTP receiver's connections. */
export const HTTP_KEEP_ALIVE_MS = 65_000;

export interface SlackAppOptions {
  /** With `receiver`, only botToken and apiUrl are read: mode, tokens for the transport, ports and host belong to the built-in receivers. */
  config: SlackConfig;
  /**
   * A Bolt Receiver to take requests from instead of the Socket Mode or HTTP receiver the config
   * implies (the offline demo's terminal). Bolt calls its init(app); start() and stop() start and
   * stop it. None of the built-in receivers' extras apply: no /healthz or /readyz (neither routes nor
   * the health listener) and no keep-alive tuning.
   */
  receiver?: Receiver;
  rescue: RescueDeps;
  logger: Logger;
  /** Feeds App Home's "Recent rescues"; without it the section says "No rescues yet". */
  history?: RescueHistory;
  /**
   * Whether the store can answer (for /readyz's `store` check): Store.health(), plus whatever the
   * caller knows (main.ts: "shutting down" once the store is closed). Defaults to always ok.
   */
  storeHealth?: () => Promise<StoreHealth>;
  /** Skip the auth.test call at start-up (tests, or when known). Both must be given. */
  botId?: string;
  botUserId?: string;
  /** Web API retries (default 2) and per-call timeout (default 10 s). */
  retries?: number;
  timeoutMs?: number;
}

export interface SlackApp {
  app: App;
  registered: Registered;
  tasks: BackgroundTasks;
  /**
   * Starts listening. `listen` overrides the configured port/host (tests use port 0): in HTTP mode for
   * /slack/events (+ /healthz, /readyz), in Socket Mode for the health listener; `healthPort` for the
   * health listener in either mode (/healthz, /readyz, /metrics; HEALTH_PORT, 0 = none); a custom
   * receiver ignores it. Returns the bound ports (and the HTTP server in HTTP mode, for measurements).
   */
  start(listen?: { port?: number; host?: string; healthPort?: number }): Promise<{ port?: number; healthPort?: number; server?: Server }>;
  /** Stops taking new requests (receiver and health listener). Work in progress is left to drain. */
  stop(): Promise<void>;
  /** Slack connected (Socket Mode), listening (HTTP), or the custom receiver started. */
  connected(): boolean;
  /** Asks Slack whether the bot token works (auth.test); throws SlackTokenRefused with what to do. */
  checkToken(): Promise<{ teamId?: string; botUserId?: string }>;
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { config, logger } = options;
  const log = boltLogger(logger);
  // Metrics (METRICS_ENABLED): the use cases' registry, served at /metrics; every Web API call counted.
  const metrics = config.metrics && options.rescue.metrics ? options.rescue.metrics : undefined;
  const metricsSource: MetricsSource | undefined = metrics ? { text: () => metrics.text(), ...(config.metrics?.token !== undefined ? { token: config.metrics.token } : {}) } : undefined;
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/` } : {}),
    // An interactive bot: a few quick retries, not the default ten retries over thirty minutes.
    retryConfig: { retries: options.retries ?? 2, factor: 2, minTimeout: 300, maxTimeout: 3_000, randomize: true },
    timeout: options.timeoutMs ?? 10_000,
    ...(metrics ? { fetch: countingFetch(metrics) } : {}),
  };
  let connected = false;
  const storeHealth = options.storeHealth ?? (async (): Promise<StoreHealth> => ({ ok: true }));
  const readiness: Readiness = {
    checks: {
      store: storeHealth,
      slack: () => (connected ? { ok: true } : { ok: false, reason: config.mode === 'socket' && !options.receiver ? 'not connected to Slack (Socket Mode): starting or reconnecting' : 'not listening for Slack: starting or stopping' }),
    },
  };

  let receiver: Receiver;
  let socket: SocketModeReceiver | undefined;
  let http: HTTPReceiver | undefined;
  if (options.receiver) {
    receiver = options.receiver;
  } else if (config.mode === 'socket') {
    socket = new SocketModeReceiver({ appToken: config.appToken ?? '', logger: log, installerOptions: { clientOptions } });
    socket.client.on('connected', () => {
      connected = true;
      logger.info('connected to Slack (Socket Mode)');
    });
    socket.client.on('disconnected', () => {
      connected = false;
      logger.warn('disconnected from Slack (Socket Mode); reconnecting');
    });
    receiver = socket;
  } else {
    // /metrics on the port Slack reaches only when the operator asks (METRICS_ON_SLACK_PORT).
    const onSlackPort = config.metrics?.onSlackPort === true ? metricsSource : undefined;
    const health = healthHandler(readiness, onSlackPort);
    http = new HTTPReceiver({
      signingSecret: config.signingSecret ?? '',
      endpoints: '/slack/events',
      logger: log,
      customRoutes: [
        { path: '/healthz', method: ['GET', 'HEAD'], handler: health },
        { path: '/readyz', method: ['GET', 'HEAD'], handler: health },
        ...(onSlackPort ? [{ path: '/metrics', method: ['GET', 'HEAD'], handler: health }] : []),
      ],
    });
    receiver = http;
  }

  // Bolt uses a given receiver as it is: no signingSecret, appToken or socketMode is passed (the built-in
  // receivers above hold their own, and Bolt refuses a custom receiver together with socketMode: true).
  const app = new App({
    token: config.botToken,
    receiver,
    logger: log,
    clientOptions,
    // No conversation state is kept between events; Bolt's default in-memory store only costs time and memory.
    convoStore: false,
    ...(options.botId && options.botUserId ? { botId: options.botId, botUserId: options.botUserId } : {}),
  });
  // Listeners report their own failures to the user; anything reaching here is logged, never rethrown.
  app.error(async (error) => {
    logger.error({ err: error, slackError: slackErrorCode(error) }, 'unhandled error in a Slack listener');
  });

  const tasks = new BackgroundTasks(logger);
  const deps: SlackDeps = { rescue: options.rescue, logger, tasks, ...(options.history ? { history: options.history } : {}) };
  const registry = new Registry();
  registerCommands(app, registry, deps);
  registerShortcuts(app, registry, deps);
  registerActions(app, registry, deps);
  registerViews(app, registry, deps);
  registerEvents(app, registry, deps);
  registerUnknownRequests(app, registry, deps);

  let healthServer: Server | undefined;
  return {
    app,
    registered: registry.registered,
    tasks,
    connected: () => connected,
    async checkToken() {
      try {
        const r = await app.client.auth.test();
        return { teamId: r.team_id, botUserId: r.user_id };
      } catch (err) {
        throw new SlackTokenRefused(slackErrorCode(err));
      }
    },
    async start(listen = {}) {
      const host = listen.host ?? config.host;
      const startHealth = async (port: number | undefined): Promise<number | undefined> => {
        if (port === undefined) return undefined;
        const h = await startHealthServer(readiness, port, host, metricsSource);
        healthServer = h.server;
        logger.info({ port: h.port, metrics: metricsSource !== undefined }, `health listener on /healthz, /readyz${metricsSource ? ' and /metrics' : ''}`);
        return h.port;
      };
      if (http) {
        const server = (await app.start({ port: listen.port ?? config.port, host })) as Server;
        // Keep Slack's (or a proxy's) connections open between requests: Node closes idle ones after
        // 5 s, so a burst after a quiet spell arrived on fresh connections, accepted one per turn of
        // the event loop (measured in bench/parts/slack.ts). Longer than common load-balancer idle timeouts.
        server.keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
        server.headersTimeout = HTTP_KEEP_ALIVE_MS + 1_000;
        connected = true;
        const port = (server.address() as AddressInfo).port;
        logger.info({ port }, 'listening for Slack on /slack/events (HTTP mode)');
        // The health listener (with /metrics) on its own port: HEALTH_PORT, or listen.healthPort (tests: 0).
        const healthPort = await startHealth(listen.healthPort ?? (config.healthPort > 0 ? config.healthPort : undefined));
        return { port, server, ...(healthPort !== undefined ? { healthPort } : {}) };
      }
      if (options.receiver) {
        await app.start();
        connected = true;
        return {};
      }
      const healthPort = await startHealth(listen.healthPort ?? listen.port ?? (config.healthPort > 0 ? config.healthPort : undefined));
      await app.start();
      return { healthPort };
    },
    async stop() {
      connected = false;
      await app.stop().catch((err: unknown) => logger.warn({ err }, 'stopping the Slack receiver failed'));
      if (healthServer) {
        const s = healthServer;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
