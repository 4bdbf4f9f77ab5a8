/**
 * `npm start` as a real process: configuration problems reported all at once, and SIGTERM during
 * a ring (stop taking work, let the ring finish or cancel it after the grace period, post the
 * outcome, close the store, exit 0).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startPhone, type SimPhone } from '../../src/sim/index.js';
import { openFullStore } from '../../src/store/index.js';
import { FakeSlack, messageText } from '../support/fake-slack.js';
import { send, slashCommand } from '../support/slack-requests.js';
import { entryPoint } from '../support/entry-points.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function start(env: Record<string, string>, cwd: string): Run {
  const child = spawn(process.execPath, [entryPoint('main')], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { child, stdout: [], stderr: [], exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (d: Buffer) => run.stdout.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => run.stderr.push(d.toString()));
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return run;
}

async function until<T>(f: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-main-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('npm start', () => {
  it('names every missing variable, where to get it and the README section, and exits 2', async () => {
    const run = start({}, tempDir());
    expect(await run.exit).toBe(2);
    const err = run.stderr.join('');
    expect(err).toContain('SLACK_BOT_TOKEN is missing');
    expect(err).toContain('SLACK_APP_TOKEN is missing');
    expect(err).toContain('OAuth & Permissions');
    expect(err).toContain('README.md#create-the-slack-app');
  });

  it('reports malformed values too, all at once', async () => {
    const run = start({ SLACK_SOCKET_MODE: 'false', SLACK_BOT_TOKEN: 'oops', PORT: 'eighty', PHONE_ALLOWED_NETWORKS: '10.0.0.0/99', PHONE_RESPONSE_TIMEOUT_SECONDS: '0' }, tempDir());
    expect(await run.exit).toBe(2);
    const err = run.stderr.join('');
    expect(err).toContain('SLACK_BOT_TOKEN must be a bot token');
    expect(err).toContain('SLACK_SIGNING_SECRET is missing');
    expect(err).toContain('PORT must be a whole number');
    expect(err).toContain('PHONE_ALLOWED_NETWORKS');
    expect(err).toContain('PHONE_RESPONSE_TIMEOUT_SECONDS');
    expect(err).not.toContain('oops');
  });

  it('a bot token Slack refuses stops the start with what to do, and exits 1', async () => {
    const dir = tempDir();
    const fake = await FakeSlack.start();
    cleanups.push(() => fake.stop());
    fake.setFault('auth.test', { kind: 'error', error: 'invalid_auth' });
    const run = start({ SLACK_SOCKET_MODE: 'false', SLACK_BOT_TOKEN: 'xoxb-revoked-0000', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: fake.apiUrl, PORT: '0', HEALTH_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir }, dir);
    expect(await run.exit).toBe(1);
    const err = run.stderr.join('');
    expect(err).toContain('invalid_auth');
    expect(err).toContain('Copy the Bot User OAuth Token');
    expect(err + run.stdout.join('')).not.toContain('xoxb-revoked-0000');
  });

  for (const [name, grace, expectPlays, expectText] of [
    ['lets the ring in progress finish', '10', 3, 'rang 3 times'],
    ['cancels the ring when the grace period is over', '0', -1, 'Stopped'],
  ] as const) {
    it(`on SIGTERM during a ring: ${name}, posts the outcome, exits 0`, async () => {
      const dir = tempDir();
      const fake = await FakeSlack.start();
      cleanups.push(() => fake.stop());
      const phone: SimPhone = await startPhone({ toneTimeScale: 0.2 });
      cleanups.push(() => phone.stop());
      const store = await openFullStore({ dataDir: dir, production: false }, { logger: silentLogger() });
      await store.directory.put({ teamId: 'T1', userId: 'U1', address: phone.address, username: phone.username, password: phone.password, rings: 3, intervalSeconds: 1 });
      await store.close();

      const secret = 'main-test-signing-secret';
      const run = start(
        {
          SLACK_SOCKET_MODE: 'false',
          SLACK_BOT_TOKEN: 'xoxb-main-test',
          SLACK_SIGNING_SECRET: secret,
          SLACK_API_URL: fake.apiUrl,
          PORT: '0',
          // The health listener (/healthz, /readyz, /metrics) on a free port too: several bots run at once.
          HEALTH_PORT: '0',
          HOST: '127.0.0.1',
          DATA_DIR: dir,
          PHONE_ALLOWED_NETWORKS: '127.0.0.0/8',
          SHUTDOWN_GRACE_SECONDS: grace,
          LOG_LEVEL: 'info',
        },
        dir,
      );
      const port = await until(() => {
        const m = /"port":(\d+),"msg":"listening for Slack/.exec(run.stdout.join(''));
        return m ? Number(m[1]) : undefined;
      }, 'the bot to listen');
      const url = `http://127.0.0.1:${port}/slack/events`;
      const r = await send(url, slashCommand(secret, { command: '/rescue', user_id: 'U1', team_id: 'T1', response_url: fake.responseUrl('term') }));
      expect(r.text, run.stdout.join('')).toContain('Ringing your phone');
      await until(() => (phone.played.length >= 1 ? true : undefined), 'the first ring');
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      const posts = fake.responses('term');
      expect(messageText(posts.at(-1)!.params)).toContain(expectText);
      if (expectPlays > 0) expect(phone.played).toHaveLength(expectPlays);
      else expect(phone.played.length).toBeLessThan(3);
      expect(run.stdout.join('')).toContain('shutting down');
      expect(run.stdout.join('') + run.stderr.join('')).not.toContain(phone.password);
    });
  }
});
