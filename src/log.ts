import pino, { type Logger, type DestinationStream, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Field names that hold a secret wherever they appear (redacted at the top level and up to two levels down). Add, never remove. */
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
  'CUCM_PASSWORD',
  'METRICS_TOKEN',
];

/**
 * Every object path under which a secret may travel: each secret field at the depths a log call puts
 * it (`{ password }`, `{ slack: config }`, `{ req: { headers } }`, `{ env: process.env }`), up to two
 * levels down. pino replaces the value with "[redacted]". Add to SECRET_FIELDS (never remove) when a
 * new secret-bearing field appears anywhere. Not deeper: a third intermediate wildcard makes the
 * redaction walk into native objects (an http.Server's getters throw "Illegal invocation"), which
 * breaks the log call itself (test/ops/redaction.test.ts logs such objects).
 */
export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) => ['', '*.', '*.*.'].map((depth) => depth + field));

const MAX_LOG_DEPTH = 10;

/**
 * What a log call's object becomes before pino redacts and writes it: plain objects and arrays are
 * copied, errors are left to pino's serializer, dates become ISO strings, buffers their size (never
 * their bytes), and any other object (an http.Server, a socket, an AbortSignal, a database handle)
 * becomes its JSON form or "[ClassName]". The redaction walk would otherwise read the getters of
 * such objects on a copy, which throws ("Illegal invocation") out of the log call and its caller.
 */
export function loggable(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  // Never the bytes: a buffer may hold sealed data or a key.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.constructor.name} ${value.byteLength} bytes]`;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_LOG_DEPTH) return '[Object]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => loggable(v, depth + 1, seen));
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = loggable(v, depth + 1, seen);
      return out;
    }
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'Object';
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      try {
        return loggable(toJSON.call(value), depth + 1, seen);
      } catch {
        return `[${name}]`;
      }
    }
    return `[${name}]`;
  } finally {
    seen.delete(value);
  }
}

/** The levels LOG_LEVEL may name. */
export const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const nonBlank = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.trim());

export interface LoggerSettings {
  /** A pino level (LOG_LEVEL, checked by src/config); blank or unset means info. */
  level?: string;
  /** Where lines go; tests pass a stream that captures them. Defaults to stdout. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    name: settings.name ?? 'rescue-ring',
    // A blank level means the default, not a level named "".
    level: nonBlank(settings.level) ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    formatters: { log: (object) => loggable(object) as Record<string, unknown> },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** A logger that drops everything; for library defaults and quiet tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
