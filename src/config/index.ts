/**
 * The configuration: every part, read from the environment (process.env unless given) with the one
 * table of settings (settings.ts). The bot reads every part; a `rescue-ring` verb reads the parts it
 * uses (`readConfig(['store', 'rescue'])`), so it is refused only for settings it would use.
 */
import type { NetworkPolicy } from '../phone/network-policy.js';
import { callManagerPart } from './call-manager.js';
import type { Env } from './env.js';
import { part, readParts } from './read.js';
import { rescuePart } from './rescue.js';
import { slackPart } from './slack.js';
import { storePart } from './store.js';

export { ConfigError, type Env } from './env.js';
export { README_SLACK_SETUP, type MetricsEndpoint, type SlackConfig, type SlackMode } from './slack.js';
export type { CallManagerConfig } from './call-manager.js';
export { storeConfigFromEnv } from './store.js';
export { rescueSettingsFromEnv } from './rescue.js';

/** How the bot and the CLI reach phones. */
export interface PhonesConfig {
  /** PHONE_ALLOWED_NETWORKS. */
  networkPolicy: NetworkPolicy;
  /** PHONE_RESPONSE_TIMEOUT_SECONDS, in ms: a Play is answered when its tone ends. */
  responseTimeoutMs: number;
  /** PHONE_PASSWORD: the CLI's phone password, so it never goes on the command line. Secret. */
  password?: string;
}

const PARTS = {
  slack: slackPart,
  store: storePart,
  rescue: rescuePart,
  phones: part(['PHONE_ALLOWED_NETWORKS', 'PHONE_RESPONSE_TIMEOUT_SECONDS', 'PHONE_PASSWORD'], ({ values: v }): PhonesConfig => ({
    networkPolicy: v.PHONE_ALLOWED_NETWORKS,
    responseTimeoutMs: v.PHONE_RESPONSE_TIMEOUT_SECONDS * 1000,
    password: v.PHONE_PASSWORD,
  })),
  /** LOG_LEVEL: a pino level. */
  logLevel: part(['LOG_LEVEL'], ({ values: v }) => v.LOG_LEVEL),
  /** SHUTDOWN_GRACE_SECONDS, in ms: how long rings in progress may go on after SIGTERM. */
  shutdownGraceMs: part(['SHUTDOWN_GRACE_SECONDS'], ({ values: v }) => v.SHUTDOWN_GRACE_SECONDS * 1000),
  /** NO_COLOR: the terminal demo prints no colours. */
  noColor: part(['NO_COLOR'], ({ given }) => given('NO_COLOR')),
  /** Undefined when CUCM_URL is unset. */
  callManager: callManagerPart,
};

type Parts = typeof PARTS;
export type PartName = keyof Parts;

/** The whole configuration, as the bot reads it. */
export type Config = { [K in PartName]: ReturnType<Parts[K]['build']> };

/** Every part of the configuration; throws ConfigError naming every problem at once. */
export function readConfig(env?: Env): Config;
/** The named parts only, checking only the variables they use; throws ConfigError naming every problem at once. */
export function readConfig<K extends PartName>(parts: readonly K[], env?: Env): Pick<Config, K>;
export function readConfig(partsOrEnv?: readonly PartName[] | Env, maybeEnv?: Env): Partial<Config> {
  const names = Array.isArray(partsOrEnv) ? (partsOrEnv as readonly PartName[]) : (Object.keys(PARTS) as PartName[]);
  const env = (Array.isArray(partsOrEnv) ? maybeEnv : (partsOrEnv as Env | undefined)) ?? process.env;
  return readParts(Object.fromEntries(names.map((n) => [n, PARTS[n]])), env) as Partial<Config>;
}

/**
 * The value of a variable whose name the operator chose at run time (`rescue-ring sim --password-env
 * NAME`); every other setting is in settings.ts. Undefined when unset or blank.
 */
export function variableNamed(name: string, env: Env = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
