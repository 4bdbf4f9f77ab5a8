/**
 * `npm start`: the bot. Reads .env and the environment, reports every configuration problem at
 * once, opens the store, builds the use cases and the Slack app, and shuts down cleanly on
 * SIGTERM/SIGINT (stop taking work, let rings finish within a grace period, close the store, exit 0).
 */
import 'dotenv/config';
import { pathToFileURL } from 'node:url';
import { ConfigError, readConfig, README_SLACK_SETUP, type Config, type Env } from './config/index.js';
import { isAppError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { PhoneClient } from './phone/index.js';
import { Metrics } from './metrics/index.js';
import { connectCallManager, meteredStore, phoneObserver, recentRescues, rescueDeps, startHousekeeping, watchRescues, type RescueDeps } from './rescue/index.js';
import { startScheduler } from './rescue/scheduler.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import { slackScheduleReporter } from './slack/flows/scheduled.js';
import { openFullStore, type Store, type StoreHealth } from './store/index.js';

/** How long a SQLite write may wait for a lock held by another process (the CLI). */
const BOT_SQLITE_BUSY_TIMEOUT_MS = 1_000;

/** Starts the bot with the configuration read from `env` (the process environment when not given). */
export async function main(env?: Env): Promise<void> {
  let config: Config;
  try {
    config = readConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`rescue-ring cannot start.\n${err.message}\nSee ${README_SLACK_SETUP} and .env.example for every setting.\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const { slack, store: storeConfig, rescue: settings, phones: phoneConfig, shutdownGraceMs: graceMs } = config;

  const logger = createLogger({ level: config.logLevel });
  let store: Store;
  try {
    // A CLI command holding the SQLite file blocks the whole bot while the driver waits: wait at most
    // 1 s (then that request gets "try again in a moment"), not 5 s past every pending ack.
    store = await openFullStore(storeConfig, { logger, busyTimeoutMs: BOT_SQLITE_BUSY_TIMEOUT_MS });
  } catch (err) {
    logger.fatal({ err: isAppError(err) ? { code: err.code, message: err.message } : err }, 'cannot open the phone directory');
    process.stderr.write(`rescue-ring cannot open its phone directory: ${isAppError(err) ? `${err.message}\n${err.hint}` : String(err)}\n`);
    process.exitCode = 1;
    return;
  }
  let storeOpen = true;
  // /readyz: what the store says about itself while it is open; once closed for shutdown, not ready.
  const storeHealth = (): Promise<StoreHealth> => (storeOpen ? store.health() : Promise.resolve({ ok: false, reason: 'shutting down' }));

  // Prometheus metrics (METRICS_ENABLED, default on): the store's operations timed, every phone request counted.
  const metrics = slack.metrics ? new Metrics() : undefined;
  const metered = metrics ? meteredStore(store, metrics) : store;
  const phones = new PhoneClient({
    networkPolicy: phoneConfig.networkPolicy,
    logger,
    responseTimeoutMs: phoneConfig.responseTimeoutMs,
    ...(metered.phoneLock ? { phoneLock: metered.phoneLock } : {}),
    ...(metrics ? { observe: phoneObserver(metrics) } : {}),
  });
  const callManager = connectCallManager(config.callManager, { limits: metered.limits, logger, dataDir: storeConfig.dataDir });
  const rescue: RescueDeps = rescueDeps(metered, { phones, settings, logger, ...(callManager ? { callManager } : {}), ...(metrics ? { metrics } : {}) });
  if (metrics) watchRescues(metrics, { rescue, phones, store: { engine: store.engine, health: storeHealth, schedules: store.schedules } });
  const stopHousekeeping = startHousekeeping(rescue);
  const bot = createSlackApp({ config: slack, rescue, logger, storeHealth, history: (key, limit) => recentRescues(rescue, key, limit) });
  // Scheduled rescues: the first round runs at once (rescues due while the bot was down fire or are reported missed).
  const scheduler = startScheduler(rescue, { report: slackScheduleReporter(bot.app.client, { rescue, logger }) });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A second signal (Ctrl-C twice): the operator does not want to wait for rings to finish.
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, ringing: rescue.active.size, graceMs }, 'shutting down: no new requests; letting rings in progress finish');
    stopHousekeeping();
    await scheduler.stop();
    await stopGracefully(bot, rescue, logger, graceMs);
    await scheduler.idle();
    await callManager?.close().catch((err: unknown) => logger.warn({ err }, 'closing the call manager connection failed'));
    await store.close().catch((err: unknown) => logger.warn({ err }, 'closing the store failed'));
    storeOpen = false;
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  try {
    const who = await bot.checkToken();
    logger.info(who, 'Slack accepted the bot token');
    const started = await bot.start();
    logger.info({ mode: slack.mode, port: started.port, healthPort: started.healthPort }, 'rescue-ring is running');
  } catch (err) {
    logger.fatal({ err: isAppError(err) ? { code: err.code, message: err.message } : err }, 'could not connect to Slack');
    const detail = isAppError(err) ? `${err.message}\n${err.hint}` : `${err instanceof Error ? err.message : String(err)}\nCheck the tokens (see ${README_SLACK_SETUP}).`;
    process.stderr.write(`rescue-ring could not start its Slack connection: ${detail}\n`);
    stopHousekeeping();
    await scheduler.stop();
    await callManager?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    process.exit(1);
  }
}

/** Stop taking work, let rings finish (or cancel them after `graceMs`), then let follow-up posts go out. */
export async function stopGracefully(bot: SlackApp, rescue: RescueDeps, logger: Logger, graceMs: number): Promise<void> {
  await bot.stop();
  await rescue.active.drain(graceMs);
  const flushed = await bot.tasks.idle(5_000);
  if (!flushed) logger.warn({ pending: bot.tasks.size }, 'some Slack follow-up posts did not finish before shutdown');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) await main();
