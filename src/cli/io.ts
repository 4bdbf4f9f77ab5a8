/**
 * What every `rescue-ring` verb shares: exit codes, secret input, and output for people or scripts.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { isAppError, errorClass } from '../errors.js';

/** Exit codes: scripts rely on these. */
export const ExitCode = {
  Ok: 0,
  /** The phone (or store) answered with a failure, or could not be reached. */
  Failure: 1,
  /** The command line or input was wrong; nothing was attempted. */
  Usage: 2,
} as const;

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
  /** Environment variable to read first. */
  envName: string;
  /** Prompt shown on a TTY. */
  prompt: string;
}

/**
 * Reads a password without it ever touching argv: `--password-stdin`, then the environment
 * variable, then a prompt on a terminal that does not echo. Undefined when none is available.
 */
export async function readSecret(source: SecretSource, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (source.stdin) return readFirstLine(process.stdin);
  const fromEnv = env[source.envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) return undefined;
  return promptHidden(source.prompt);
}

async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function promptHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
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
 * Report an error and return the exit code. AppErrors print their message and hint; anything else
 * prints a generic line (never a stack trace, which may hold request details).
 */
export function reportError(err: unknown, opts: OutputOptions = {}): number {
  const usage = err instanceof UsageError;
  const code = usage ? ExitCode.Usage : ExitCode.Failure;
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
