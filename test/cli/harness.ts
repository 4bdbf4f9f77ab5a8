/**
 * Runs `rescue-ring` as a real process (`node --import tsx src/cli.ts ...`) on a real SQLite file in a
 * fresh temp DATA_DIR with its own store key, so tests can run concurrently. Every run is checked for
 * never printing SECRET.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { storeConfigFromEnv } from '../../src/config/store.js';
import { openFullStore } from '../../src/store/index.js';

/** The password the tests give; no run may print it. */
export const SECRET = 'Pa55-SECRET-xyz';

const root = join(import.meta.dirname, '..', '..');
// Absolute, so the CLI can run with its working directory in the temp dir (no stray .env is read).
const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliHarness {
  dataDir: string;
  /** Runs the CLI; `env` entries set to undefined are removed. */
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
  const cli: CliHarness['cli'] = (args, options = {}) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dataDir, ...baseEnv };
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', tsx, join(root, 'src', 'cli.ts'), ...args], { cwd: dataDir, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        expect(stdout + stderr, `secret printed by: ${args.join(' ')}`).not.toContain(SECRET);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(options.input ?? '');
    });
  };
  const file = (name: string, text: string): string => {
    const path = join(dataDir, name);
    writeFileSync(path, text);
    return path;
  };
  return { dataDir, cli, file, store: () => openFullStore(storeConfigFromEnv(baseEnv)), cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}
