import pino, { type Logger, type DestinationStream, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Field names that hold a secret wherever they appear (redacted at every depth up to three levels). */
export const SECRET_FIELDS: readonly string[] = [
  'password',
  'credentials',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'authorization',
  'Authorization',
  'key',
  'keys',
  'storeKeys',
  'secret',
  'databaseUrl',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'PHONE_PASSWORD',
  'PHONE_DEFAULT_PASSWORD',
  'STORE_KEYS',
  'DATABASE_URL',
];

/**
 * Every object path under which a secret may travel. pino replaces the value with "[redacted]".
 * Add to this list (never remove) when a new secret-bearing field appears anywhere.
 */
export const REDACT_PATHS: readonly string[] = [
  ...new Set([
    'password',
    '*.password',
    '*.*.password',
    'credentials',
    '*.credentials',
    'token',
    '*.token',
    'botToken',
    'appToken',
    'signingSecret',
    '*.signingSecret',
    'authorization',
    'Authorization',
    '*.authorization',
    '*.Authorization',
    'headers.authorization',
    '*.headers.authorization',
    'key',
    'keys',
    '*.key',
    'storeKeys',
    'secret',
    '*.secret',
    'SLACK_BOT_TOKEN',
    'SLACK_APP_TOKEN',
    'SLACK_SIGNING_SECRET',
    'PHONE_PASSWORD',
    'PHONE_DEFAULT_PASSWORD',
    'STORE_KEYS',
    'DATABASE_URL',
    'databaseUrl',
    // The store configuration (StoreConfig) when logged as a nested object, e.g. { store: config }.
    '*.keys',
    '*.databaseUrl',
    // Every secret field at every depth a log call puts it (`{ slack: config }`, `{ req: { phone } }`,
    // `{ env: process.env }`, `{ err: { config: { headers } } }`), up to three levels down.
    ...SECRET_FIELDS.flatMap((field) => ['', '*.', '*.*.', '*.*.*.'].map((depth) => depth + field)),
  ]),
];

export interface LoggerSettings {
  level?: string;
  /** Where lines go; tests pass a stream that captures them. Defaults to stdout. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    name: settings.name ?? 'rescue-ring',
    level: settings.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** A logger that drops everything; for library defaults and quiet tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
