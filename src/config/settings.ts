/**
 * Every setting rescue-ring reads from the environment, described once: its variable, how its text
 * is read (a zod schema, src/config/parsers.ts), its default, whether it is secret, its section and
 * one line on what it does. The start-up check (read.ts), `.env.example` and the README's
 * configuration table (docs.ts, `npm run config:docs`) are all made from this table.
 */
import { z } from 'zod';
import { isAppError } from '../errors.js';
import { LOG_LEVELS } from '../log.js';
import { createNetworkPolicy, DEFAULT_ALLOWED_NETWORKS, type NetworkPolicy } from '../phone/network-policy.js';
import { DEFAULT_TONE, DEFAULT_TONES } from '../phone/tones.js';
import { INTERVAL_RANGE, RINGS_RANGE } from '../rescue/settings.js';
import { bool, httpUrl, int, list, oneOf, pemFile, postgresUrl, prefixed, sha256Fingerprint, text } from './parsers.js';

export const SECTIONS = ['Slack', 'Phones', 'Store and keys', 'Consent, limits and audit', 'Operations', 'Call manager (optional)'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Setting<T> {
  section: Section;
  /** One line: the comment above the variable in .env.example and its row in the README. */
  doc: string;
  /** Reads the variable's trimmed, non-blank text (or the default). */
  parse: z.ZodType<T, z.ZodTypeDef, string>;
  /** Used when the variable is unset or blank; read like a given value, so it is always valid. */
  default?: string;
  /** The README's Default column when the default is not worth printing (a long list), or there is none. */
  shownDefault?: string;
  /** The value .env.example shows: a placeholder or a production choice. Default: the default, else blank. */
  example?: string;
  /** Never logged or echoed; .env.example shows a placeholder at most. */
  secret?: boolean;
}

type WithDefault<T> = Setting<T> & { default: string };
const setting = <T>(s: Setting<T>): Setting<T> => s;
const defaulted = <T>(s: WithDefault<T>): WithDefault<T> => s;

/** PHONE_ALLOWED_NETWORKS: a list of CIDR networks, as the network policy. */
const networks = (): z.ZodType<NetworkPolicy, z.ZodTypeDef, string> =>
  z.string().transform((raw, ctx) => {
    try {
      return createNetworkPolicy(raw.split(','));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `is not usable: ${isAppError(err) ? `${err.message}. ${err.hint}` : String(err)}` });
      return z.NEVER;
    }
  });

const PORT = { min: 0, max: 65535 };

export const SETTINGS = {
  // --- Slack
  SLACK_BOT_TOKEN: setting({
    section: 'Slack',
    doc: 'Bot User OAuth Token (xoxb-...), from "OAuth & Permissions" on api.slack.com/apps. Required.',
    parse: prefixed('xoxb-', 'must be a bot token starting with "xoxb-" (OAuth & Permissions > Bot User OAuth Token)'),
    shownDefault: '(required)',
    example: 'xoxb-your-bot-token',
    secret: true,
  }),
  SLACK_SOCKET_MODE: defaulted({
    section: 'Slack',
    doc: 'true = Socket Mode (no public URL needed; needs SLACK_APP_TOKEN); false = HTTP mode (needs SLACK_SIGNING_SECRET).',
    parse: bool(),
    default: 'true',
  }),
  SLACK_APP_TOKEN: setting({
    section: 'Slack',
    doc: 'Socket Mode only: app-level token (xapp-...) with connections:write, from "Basic Information > App-Level Tokens".',
    parse: prefixed('xapp-', 'must be an app-level token starting with "xapp-" (Basic Information > App-Level Tokens)'),
    shownDefault: '(Socket Mode)',
    example: 'xapp-your-app-token',
    secret: true,
  }),
  SLACK_SIGNING_SECRET: setting({
    section: 'Slack',
    doc: 'HTTP mode only: "Basic Information > App Credentials > Signing Secret".',
    parse: text(),
    shownDefault: '(HTTP mode)',
    secret: true,
  }),
  SLACK_API_URL: setting({
    section: 'Slack',
    doc: 'Web API base URL override (an enterprise proxy, or a fake Slack in tests); blank = https://slack.com/api/.',
    parse: httpUrl('https://slack.com/api/'),
    shownDefault: 'Slack',
  }),

  // --- Phones
  PHONE_ALLOWED_NETWORKS: defaulted({
    section: 'Phones',
    doc: `CIDR list of networks phones may be in; blank = ${DEFAULT_ALLOWED_NETWORKS.join(',')}. Loopback and link-local are refused unless listed.`,
    parse: networks(),
    default: DEFAULT_ALLOWED_NETWORKS.join(','),
    shownDefault: 'private ranges',
    example: '',
  }),
  PHONE_DEFAULT_USERNAME: setting({
    section: 'Phones',
    doc: 'Shared phone service account used when a person saves no username of their own (blank = none).',
    parse: text(),
  }),
  PHONE_DEFAULT_PASSWORD: setting({
    section: 'Phones',
    doc: 'Its password (secret; blank = none, so everyone saves their own).',
    parse: text(),
    secret: true,
  }),
  PHONE_PASSWORD: setting({
    section: 'Phones',
    doc: 'CLI only (`rescue-ring ring|status|screenshot|phones add`): the phone password, so it never goes on the command line.',
    parse: text(),
    secret: true,
  }),
  PHONE_TONES: defaulted({
    section: 'Phones',
    doc: 'Ringtone file names offered in /phone (comma-separated); blank = the stock CUCM list (Piano2.raw is never sent). An imported ring list replaces it.',
    parse: list(),
    default: DEFAULT_TONES.join(','),
    shownDefault: 'stock CUCM list',
    example: '',
  }),
  PHONE_DEFAULT_TONE: defaulted({
    section: 'Phones',
    doc: 'Ringtone used when a person picks none; must be in PHONE_TONES.',
    parse: text(),
    default: DEFAULT_TONE,
  }),
  PHONE_DEFAULT_RINGS: defaulted({
    section: 'Phones',
    doc: `Rings per rescue when a person picks none (${RINGS_RANGE.min}-${RINGS_RANGE.max}).`,
    parse: int(RINGS_RANGE),
    default: '3',
  }),
  PHONE_DEFAULT_INTERVAL_SECONDS: defaulted({
    section: 'Phones',
    doc: `Seconds between rings when a person picks none (${INTERVAL_RANGE.min}-${INTERVAL_RANGE.max}).`,
    parse: int(INTERVAL_RANGE),
    default: '3',
  }),
  PHONE_RESPONSE_TIMEOUT_SECONDS: defaulted({
    section: 'Phones',
    doc: 'Seconds the bot waits for a phone to answer one request (a Play is answered when its tone ends); 1-300.',
    parse: int({ min: 1, max: 300 }),
    default: '15',
  }),
  CALL_CHECK: defaulted({
    section: 'Phones',
    doc: 'Ask the phone whether it is on a call before each ring and skip it if so (turn off only for phones that answer wrongly).',
    parse: bool(),
    default: 'true',
  }),

  // --- Store and keys
  DATA_DIR: defaulted({
    section: 'Store and keys',
    doc: 'Folder of the SQLite file (and of the development key when no key is set); mount it as a volume.',
    parse: text(),
    default: './data',
  }),
  STORE_KEYS: setting({
    section: 'Store and keys',
    doc: 'Encryption keys as id:base64key,... (secret); make one with `rescue-ring keys generate`. Required when NODE_ENV=production.',
    parse: text(),
    secret: true,
  }),
  STORE_KEY_ID: setting({
    section: 'Store and keys',
    doc: 'Id of the key new registrations are sealed with (one of the ids in STORE_KEYS or STORE_KEY_FILE); blank = the only key.',
    parse: text(),
    shownDefault: 'the only key',
  }),
  STORE_KEY_FILE: setting({
    section: 'Store and keys',
    doc: 'Alternative to STORE_KEYS: a file of id:base64key lines (e.g. a mounted secret), readable by rescue-ring only.',
    parse: text(),
  }),
  DATABASE_URL: setting({
    section: 'Store and keys',
    doc: 'Postgres instead of SQLite, for more than one replica: postgres://USER:PASSWORD@HOST:5432/DATABASE (secret; blank = SQLite).',
    parse: postgresUrl(),
    shownDefault: 'none (SQLite)',
    secret: true,
  }),
  DATABASE_POOL_MAX: defaulted({
    section: 'Store and keys',
    doc: 'Most Postgres connections each replica opens (only with DATABASE_URL).',
    parse: int({ min: 1, max: 1000 }),
    default: '10',
  }),

  // --- Consent, limits and audit
  ADMIN_USER_IDS: defaulted({
    section: 'Consent, limits and audit',
    doc: 'Slack user ids (comma-separated) who may test-ring anyone\'s phone and manage registrations.',
    parse: list(),
    default: '',
  }),
  ALLOW_TEAMMATE_RESCUE: defaulted({
    section: 'Consent, limits and audit',
    doc: 'false turns off ringing a colleague\'s phone for the whole workspace (/rescue for yourself still works).',
    parse: bool(),
    default: 'true',
  }),
  RESCUE_TARGET_COOLDOWN_SECONDS: defaulted({
    section: 'Consent, limits and audit',
    doc: 'Least seconds between two rescues of the same person (0 = no cooldown).',
    parse: int({ min: 0 }),
    default: '120',
  }),
  RESCUE_TARGET_PER_HOUR: defaulted({
    section: 'Consent, limits and audit',
    doc: 'Most rescues of one person per hour.',
    parse: int({ min: 1 }),
    default: '6',
  }),
  RESCUE_REQUESTER_PER_MINUTE: defaulted({
    section: 'Consent, limits and audit',
    doc: 'Most rescues one person may start per minute.',
    parse: int({ min: 1 }),
    default: '5',
  }),
  AUDIT_RETENTION_DAYS: defaulted({
    section: 'Consent, limits and audit',
    doc: 'Days the audit log (who rang whom, when, outcome) is kept.',
    parse: int({ min: 1, max: 36_500 }),
    default: '90',
  }),

  // --- Operations
  PORT: defaulted({
    section: 'Operations',
    doc: 'HTTP mode: port of /slack/events, /healthz and /readyz.',
    parse: int(PORT),
    default: '3000',
  }),
  HEALTH_PORT: defaulted({
    section: 'Operations',
    doc: 'Port of the small listener for /healthz, /readyz and /metrics, in both modes (0 = none; in HTTP mode /healthz and /readyz are on PORT as well).',
    parse: int(PORT),
    default: '3001',
  }),
  METRICS_ENABLED: defaulted({
    section: 'Operations',
    doc: 'false turns off the Prometheus metrics at /metrics.',
    parse: bool(),
    default: 'true',
  }),
  METRICS_TOKEN: setting({
    section: 'Operations',
    doc: 'When set, /metrics wants "Authorization: Bearer <token>" and answers 401 otherwise (secret).',
    parse: text(),
    secret: true,
  }),
  METRICS_ON_SLACK_PORT: defaulted({
    section: 'Operations',
    doc: 'HTTP mode: also serve /metrics on PORT, the port Slack reaches (off: only on HEALTH_PORT).',
    parse: bool(),
    default: 'false',
  }),
  HOST: defaulted({
    section: 'Operations',
    doc: 'Address the HTTP listener(s) bind to.',
    parse: text(),
    default: '0.0.0.0',
  }),
  SHUTDOWN_GRACE_SECONDS: defaulted({
    section: 'Operations',
    doc: 'Seconds rings in progress may go on after SIGTERM/SIGINT before they are cancelled (0-600).',
    parse: int({ min: 0, max: 600 }),
    default: '10',
  }),
  LOG_LEVEL: defaulted({
    section: 'Operations',
    doc: `Log level: ${LOG_LEVELS.slice(0, -1).join(', ')} or ${LOG_LEVELS.at(-1) ?? ''}.`,
    parse: oneOf(LOG_LEVELS),
    default: 'info',
  }),
  NODE_ENV: setting({
    section: 'Operations',
    doc: 'production = refuse to start without STORE_KEYS/STORE_KEY_FILE (never invent a key).',
    parse: text(),
    example: 'production',
  }),
  NO_COLOR: setting({
    section: 'Operations',
    doc: 'Any value turns colours off in the terminal demo (npm run demo).',
    parse: text(),
  }),

  // --- Call manager (optional)
  CUCM_URL: setting({
    section: 'Call manager (optional)',
    doc: 'The call manager (CUCM), e.g. https://cucm.example.com:8443 (AXL and RisPort70 on that host; http:// for labs and the simulator); blank = no call manager.',
    parse: httpUrl('https://cucm.example.com:8443'),
    shownDefault: 'none',
  }),
  CUCM_USERNAME: setting({
    section: 'Call manager (optional)',
    doc: 'The call manager application user rescue-ring signs in as (AXL and RisPort roles). Required with CUCM_URL.',
    parse: text(),
  }),
  CUCM_PASSWORD: setting({
    section: 'Call manager (optional)',
    doc: 'Its password (secret). Required with CUCM_URL.',
    parse: text(),
    secret: true,
  }),
  CUCM_AXL_VERSION: defaulted({
    section: 'Call manager (optional)',
    doc: 'AXL schema version the call manager speaks: 11.0, 11.5, 12.0, 12.5, 14.0 or 15.0.',
    parse: oneOf(['11.0', '11.5', '12.0', '12.5', '14.0', '15.0']),
    default: '12.5',
  }),
  CUCM_TLS_CA_FILE: setting({
    section: 'Call manager (optional)',
    doc: 'HTTPS: verify the call manager\'s certificate against this CA (a readable PEM file).',
    parse: pemFile(),
  }),
  CUCM_TLS_FINGERPRINT: setting({
    section: 'Call manager (optional)',
    doc: 'HTTPS: accept only the certificate with this SHA-256 fingerprint (64 hex digits, colons allowed), like a phone\'s --tls-pin.',
    parse: sha256Fingerprint(),
  }),
  CUCM_TLS_TRUST_ON_FIRST_USE: defaulted({
    section: 'Call manager (optional)',
    doc: 'HTTPS: pin the certificate the call manager shows the first time (its Tomcat certificate is usually self-signed).',
    parse: bool(),
    default: 'false',
  }),
  CUCM_PHONE_PORT: defaulted({
    section: 'Call manager (optional)',
    doc: 'Port rescue-ring uses for a phone whose address came from the call manager (1-65535).',
    parse: int({ min: 1, max: 65535 }),
    default: '80',
  }),
  CUCM_PHONE_SCHEME: defaulted({
    section: 'Call manager (optional)',
    doc: 'Scheme for a phone whose address came from the call manager: http or https.',
    parse: oneOf(['http', 'https']),
    default: 'http',
  }),
  CUCM_ADDRESS_CACHE_SECONDS: defaulted({
    section: 'Call manager (optional)',
    doc: 'Seconds a phone address from RisPort is used before it is asked again (1-86400).',
    parse: int({ min: 1, max: 86_400 }),
    default: '300',
  }),
  CUCM_RIS_PER_MINUTE: defaulted({
    section: 'Call manager (optional)',
    doc: 'Most RisPort queries rescue-ring sends a minute, all replicas together (1-18; the cluster allows about 15 for every tool).',
    parse: int({ min: 1, max: 18 }),
    default: '10',
  }),
  CUCM_STALE_ADDRESS_SECONDS: defaulted({
    section: 'Call manager (optional)',
    doc: 'When RisPort cannot answer, a last known address younger than this many seconds is still rung (0-2592000).',
    parse: int({ min: 0, max: 2_592_000 }),
    default: '86400',
  }),
} as const;

export type SettingName = keyof typeof SETTINGS;

type ValueOf<S> = S extends WithDefault<infer T> ? T : S extends Setting<infer T> ? T | undefined : never;

/** Every setting's typed value (undefined when a setting without a default is unset). */
export type Values = { [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
