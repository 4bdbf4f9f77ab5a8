/**
 * What every `rescue-ring` verb shares: exit codes, running a verb, option parsers, secret input,
 * the store for the length of one verb, and output for people or scripts.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import pino from 'pino';
import { readConfig } from '../config/index.js';
import { isAppError, errorClass } from '../errors.js';
import { REDACT_PATHS, type Logger } from '../log.js';
import { normalizeFingerprint } from '../phone/client.js';
import type { RescueSettings } from '../rescue/settings.js';
import type { OpenStoreOptions, StoreConfig } from '../store/index.js';

/** Exit codes: scripts rely on these. */
export const ExitCode = {
  Ok: 0,
  /** The phone (or store) answered with a failure, or could not be reached. */
  Failure: 1,
  /**
   * The command line or the operator's input was refused; nothing was attempted or saved: a usage
   * mistake, settings or import rows the checks refuse, an address outside PHONE_ALLOWED_NETWORKS.
   */
  Usage: 2,
} as const;

/**
 * AppError classes that refuse the operator's input (what was typed or the file given) before
 * anything was attempted; they exit 2 like a UsageError. Decided here only (reportError).
 */
const INPUT_REFUSALS: ReadonlySet<string> = new Set([
  'InvalidSettings', // registerPhone's checks, for phones add and every row of phones import
  'CsvImportInvalid', // a phones import file that is not a valid directory CSV
  'InvalidPhoneAddress',
  'PhoneAddressRefused', // outside PHONE_ALLOWED_NETWORKS
  'CallManagerNotConnected', // a device name (SEP...) without CUCM_URL
  'InvalidTone',
  'ToneDenied',
]);

/** The exit code of a verb that failed with `err`. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || (isAppError(err) && INPUT_REFUSALS.has(err.code)) ? ExitCode.Usage : ExitCode.Failure;
}

/** The actor of the audit entries `rescue-ring` writes (Slack user ids start with U or W, so it cannot be one). */
export const CLI_ACTOR = 'cli';

/** A usage problem found before anything was attempted. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface SecretSource {
  /** Read the secret from standard input (first line) instead of the environment or a prompt. */
  stdin?: boolean;
  /** The value of its environment variable (from the configuration), used when given. */
  fromEnv: string | undefined;
  /** Prompt shown on a TTY. */
  prompt: string;
}

/**
 * Reads a password without it ever touching argv: `--password-stdin`, then the environment
 * variable, then a prompt on a terminal that does not echo. Undefined when none is available.
 */
export async function readSecret(source: SecretSource): Promise<string | undefined> {
  if (source.stdin) return readFirstLine(process.stdin);
  if (source.fromEnv !== undefined && source.fromEnv !== '') return source.fromEnv;
  if (!process.stdin.isTTY) return undefined;
  return promptHidden(source.prompt);
}

async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/**
 * Asks on the terminal without echo. Ctrl-C cancels (a UsageError: nothing was attempted); Ctrl-D or
 * the end of input gives undefined, like no password at all. (Without these the prompt was left
 * pending and Node ended the process silently with code 13.)
 */
export async function promptHidden(prompt: string, input: NodeJS.ReadableStream = process.stdin): Promise<string | undefined> {
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const rl = createInterface({ input, output: muted, terminal: true });
  try {
    return await new Promise<string | undefined>((resolve, reject) => {
      rl.once('SIGINT', () => reject(new UsageError('Cancelled at the password prompt; nothing was done.')));
      rl.once('close', () => resolve(undefined));
      rl.question('', resolve);
    });
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

export interface OutputOptions {
  json?: boolean;
}

/** Print a result: JSON for scripts, or the human text. */
export function output(opts: OutputOptions, data: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

/**
 * Report an error and return the exit code (exitCodeOf). AppErrors print their message and hint;
 * anything else prints a generic line (never a stack trace, which may hold request details).
 */
export function reportError(err: unknown, opts: OutputOptions = {}): number {
  const usage = err instanceof UsageError;
  const code = exitCodeOf(err);
  if (opts.json) {
    const body = isAppError(err)
      ? { ok: false, error: err.code, message: err.message, hint: err.hint }
      : { ok: false, error: usage ? 'Usage' : errorClass(err), message: err instanceof Error ? err.message : String(err) };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return code;
  }
  if (isAppError(err)) {
    process.stderr.write(`Error: ${err.message}\n${err.hint}\n`);
  } else {
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  return code;
}

/**
 * Wraps a commander action: its result (or ExitCode.Ok) becomes the exit code, and any error a
 * message, a hint and an exit code (never a stack trace). Commander passes (...arguments, options,
 * command), so the options (for --json) are the second-to-last argument.
 */
export function runVerb<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const opts = (args[args.length - 2] ?? {}) as OutputOptions;
    try {
      process.exitCode = (await fn(...args)) ?? ExitCode.Ok;
    } catch (err) {
      process.exitCode = reportError(err instanceof InvalidArgumentError ? new UsageError(err.message) : err, opts);
    }
  };
}

/** Option parser: a whole number from `min` to `max` (commander reports the message, exit 2). */
export function wholeNumber(name: string, min: number, max: number): (raw: string) => number {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    return Number(raw);
  };
}

/** A SHA-256 certificate fingerprint as typed (64 hex digits, colons allowed), normalized; a UsageError otherwise. */
export function parseFingerprint(raw: string, option: string): string {
  const hex = raw.replace(/:/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new UsageError(`${option} must be a SHA-256 fingerprint: 64 hexadecimal digits, colons allowed.`);
  return normalizeFingerprint(hex);
}

/** Columns padded to their widest cell, two spaces apart; the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** Warnings (store start-up, TLS verification off) as plain lines on stderr, never stdout; never secrets (pino redaction). */
export function stderrLogger(): Logger {
  const destination = {
    write(line: string): void {
      const { msg } = JSON.parse(line) as { msg?: string };
      process.stderr.write(`Warning: ${msg ?? line}\n`);
    },
  };
  return pino({ level: 'warn', redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } }, destination);
}

/** The organisation's settings (defaults, tone list) from the environment; a ConfigError naming every problem. */
export function settingsFromEnv(): RescueSettings {
  return readConfig(['rescue']).rescue;
}

/** Opens the configured store (the environment's), runs `fn`, and always closes the store. */
export async function withStore<S extends { close(): Promise<void> }, T>(
  open: (config: StoreConfig, options: OpenStoreOptions) => Promise<S>,
  fn: (store: S) => Promise<T>,
): Promise<T> {
  const store = await open(readConfig(['store']).store, { logger: stderrLogger() });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The one answer to a password on the command line (`--password=...`, `--password ...`, `--password`),
 * for every verb. Fixed: it never repeats what was typed.
 */
export const PASSWORD_OPTION_REFUSED =
  'Passwords are never taken on the command line (they would stay in the shell history, the process list and CI logs); nothing was done. Set PHONE_PASSWORD, or pipe the password with --password-stdin.';

/** True when an option of the `--password` family other than --password-stdin is among the options (before any `--`). */
export function argvHasPasswordOption(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => /^--password/i.test(a) && a !== '--password-stdin');
}

/** True when `--json` is among the options (before any `--`): for errors commander reports before a verb runs. */
export function argvWantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
