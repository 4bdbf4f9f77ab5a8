/**
 * Runs `rescue-ring` as a real process (`node <src/cli.ts compiled for this run> ...`, see
 * test/support/entry-points.ts): the one way tests do it.
 * `runCli` gives the process a clean environment and a working directory of the test's choosing, feeds
 * or closes stdin, and checks every run for never printing the test's secrets. `cliHarness` runs it on
 * a real SQLite file in a fresh temp DATA_DIR with its own store key, so tests can run concurrently.
 */
import { spawn, type ChildProcessByStdio, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, expect } from 'vitest';
import { storeConfigFromEnv } from '../../src/config/store.js';
import { openFullStore } from '../../src/store/index.js';
import { entryPoint } from '../support/entry-points.js';

/** The password the tests give; no run may print it. */
export const SECRET = 'Pa55-SECRET-xyz';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnCliOptions {
  cwd: string;
  /** The whole environment of the process: nothing is added. */
  env: NodeJS.ProcessEnv;
  /** 'pipe' (the default) to write to stdin, 'ignore' for none (/dev/null). */
  stdin?: 'pipe' | 'ignore';
  /** Kills the process (SIGTERM) after this long. */
  timeoutMs?: number;
}

/** Starts the CLI with stdout and stderr piped, for tests that talk to it while it runs. */
export function spawnCli(args: readonly string[], options: SpawnCliOptions & { stdin: 'ignore' }): ChildProcessByStdio<null, Readable, Readable>;
export function spawnCli(args: readonly string[], options: SpawnCliOptions & { stdin?: 'pipe' }): ChildProcessWithoutNullStreams;
export function spawnCli(args: readonly string[], { cwd, env, stdin = 'pipe', timeoutMs }: SpawnCliOptions) {
  // Absolute, so the CLI can run with its working directory in a temp dir (no stray .env is read).
  return spawn(process.execPath, [entryPoint('cli'), ...args], { cwd, env, stdio: [stdin, 'pipe', 'pipe'], timeout: timeoutMs });
}

export interface RunCliOptions {
  /** The working directory; also HOME unless `env` sets it. */
  cwd: string;
  /** Added to PATH and HOME, the only variables of this process passed on; entries set to undefined are removed. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed; without it the process has no stdin (/dev/null). */
  input?: string;
  /** Strings no run may print: stdout and stderr are checked for each when the process ends. */
  secrets?: readonly string[];
  /** Kills the process (SIGTERM) after this long; its code is then null. */
  timeoutMs?: number;
}

/** Runs the CLI to the end and returns its exit code and output. */
export function runCli(args: readonly string[], { cwd, env: given = {}, input, secrets = [], timeoutMs }: RunCliOptions): Promise<CliResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: cwd };
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = input === undefined ? spawnCli(args, { cwd, env, stdin: 'ignore', timeoutMs }) : spawnCli(args, { cwd, env, timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        for (const secret of secrets) expect(stdout + stderr, `secret printed by: ${args.join(' ')}`).not.toContain(secret);
        resolve({ code, stdout, stderr });
      } catch (leak) {
        reject(leak); // fails the test at its await, not as an error outside it after a timeout
      }
    });
    child.stdin?.end(input);
  });
}

export interface CliHarness {
  dataDir: string;
  /** DATA_DIR and the store key every run gets. */
  baseEnv: Readonly<Record<string, string>>;
  /** Runs the CLI; `env` entries set to undefined are removed. No run may print SECRET. */
  cli(args: readonly string[], options?: { env?: Record<string, string | undefined>; input?: string }): Promise<CliResult>;
  /** Writes a file into DATA_DIR and returns its path. */
  file(name: string, text: string): string;
  /** The whole store on the same SQLite file, as the bot would open it; close it after use. */
  store(): ReturnType<typeof openFullStore>;
  /** Removes DATA_DIR. */
  cleanup(): void;
}

export function cliHarness(): CliHarness {
  const dataDir = mkdtempSync(join(tmpdir(), 'rescue-ring-cli-'));
  const baseEnv: Record<string, string> = { DATA_DIR: dataDir, STORE_KEYS: `k1:${randomBytes(32).toString('base64')}`, STORE_KEY_ID: 'k1' };
  const cli: CliHarness['cli'] = (args, options = {}) =>
    runCli(args, { cwd: dataDir, env: { ...baseEnv, ...options.env }, input: options.input ?? '', secrets: [SECRET] });
  const file = (name: string, text: string): string => {
    const path = join(dataDir, name);
    writeFileSync(path, text);
    return path;
  };
  return { dataDir, baseEnv, cli, file, store: () => openFullStore(storeConfigFromEnv(baseEnv)), cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** A fresh harness per call (tests run concurrently), every one removed after the file's tests. */
export function harnessPerTest(): () => CliHarness {
  const made: CliHarness[] = [];
  afterAll(() => {
    for (const h of made) h.cleanup();
  });
  return () => {
    const h = cliHarness();
    made.push(h);
    return h;
  };
}

/** A phone system ring list (`tones import` input) offering these files. */
export function ringListXml(...files: string[]): string {
  const rings = files.map((f) => `  <Ring>\n    <DisplayName>${f.replace('.raw', '')}</DisplayName>\n    <FileName>${f}</FileName>\n  </Ring>`);
  return `<?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneRingList>\n${rings.join('\n')}\n</CiscoIPPhoneRingList>\n`;
}

/** One entry of `rescue-ring audit --json`. */
export interface AuditJsonEntry {
  actorId: string;
  targetId?: string;
  action: string;
  outcome: string;
  errorClass?: string;
  detail?: string;
}
