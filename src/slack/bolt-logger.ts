/**
 * Bolt (and its WebClient and SocketModeClient) log through our one pino logger. Bolt passes
 * free-form arguments; strings are joined into the message, Errors go under `err`, and anything
 * that looks like a Slack token is masked (pino's path redaction cannot see inside strings).
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../log.js';

const TOKEN = /\b(xox[abposr]|xapp)-[A-Za-z0-9-]+/g;

export function scrubTokens(text: string): string {
  return text.replace(TOKEN, '$1-[redacted]');
}

const TO_PINO: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

export function boltLogger(base: Logger, name = 'bolt'): BoltLogger {
  let log = base.child({ component: name });
  const write = (level: 'debug' | 'info' | 'warn' | 'error', args: unknown[]) => {
    if (!log.isLevelEnabled(level)) return;
    const texts: string[] = [];
    let err: unknown;
    const extra: Record<string, unknown>[] = [];
    for (const a of args) {
      if (a instanceof Error) err = a;
      else if (typeof a === 'string') texts.push(a);
      else if (a && typeof a === 'object') extra.push(a as Record<string, unknown>);
      else texts.push(String(a));
    }
    const msg = scrubTokens(texts.join(' '));
    const fields: Record<string, unknown> = {};
    if (err) fields.err = err;
    if (extra.length > 0) fields.detail = scrubTokens(safeJson(extra.length === 1 ? extra[0] : extra));
    log[level](fields, msg);
  };
  return {
    debug: (...m: unknown[]) => write('debug', m),
    info: (...m: unknown[]) => write('info', m),
    warn: (...m: unknown[]) => write('warn', m),
    error: (...m: unknown[]) => write('error', m),
    // Bolt calls setLevel with its own LogLevel during construction; the operator's LOG_LEVEL wins
    // for our logger, so Bolt may only make its own child quieter, never louder.
    setLevel: (level: LogLevel) => {
      const wanted = TO_PINO[level] ?? 'info';
      if (base.levels.values[wanted]! > base.levels.values[base.level]!) log.level = wanted;
    },
    getLevel: () => {
      const l = log.level;
      return l === 'debug' || l === 'trace' ? LogLevel.DEBUG : l === 'warn' ? LogLevel.WARN : l === 'error' || l === 'fatal' ? LogLevel.ERROR : LogLevel.INFO;
    },
    setName: (n: string) => {
      log = base.child({ component: n });
    },
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (k, x: unknown) => (/token|secret|password|authorization/i.test(k) ? '[redacted]' : x));
  } catch {
    return '[unserializable]';
  }
}
