/**
 * SIGTERM during a ring, on the real bot process (`node <src/main.ts compiled>`, test/support/entry-points.ts, HTTP mode, fake
 * Slack, simulated phones, temp DATA_DIR). test/slack/main.test.ts checks that the ring finishes
 * (or is cancelled after the grace period), the outcome is posted and the exit code is 0. This adds
 * the rest of the contract: once shutting down, the bot takes no new work (a colleague's rescue
 * sent meanwhile is refused at the door and rings nothing) while the ring in progress goes on; the
 * outcome is in the audit log; the store is closed cleanly (SQLite's WAL folded back, no lock
 * left). And a second signal exits at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startPhone, type SimPhone } from '../../src/sim/index.js';
import { openFullStore } from '../../src/store/index.js';
import { FakeSlack, messageText } from '../support/fake-slack.js';
import { send, slashCommand } from '../support/slack-requests.js';
import { entryPoint } from '../support/entry-points.js';
import { untilDefined } from '../support/until.js';

const SECRET = 'shutdown-test-signing-secret';
const KEYS = `k1:${Buffer.alloc(32, 9).toString('base64')}`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Bot {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
  url: string;
  phones: Record<string, SimPhone>;
  fake: FakeSlack;
  dataDir: string;
}

async function startBot(grace: string): Promise<Bot> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rescue-ring-shutdown-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const fake = await FakeSlack.start();
  cleanups.push(() => fake.stop());
  const phones: Record<string, SimPhone> = {};
  const store = await openFullStore({ dataDir, production: true, keys: KEYS, keyId: 'k1' }, { logger: silentLogger() });
  for (const user of ['U1', 'U2']) {
    const p = await startPhone({ toneTimeScale: 0.1 });
    cleanups.push(() => p.stop());
    phones[user] = p;
    await store.directory.put({ teamId: 'T1', userId: user, address: p.address, username: p.username, password: p.password, rings: 3, intervalSeconds: 2 });
  }
  await store.close();

  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dataDir,
    NODE_ENV: 'production',
    SLACK_SOCKET_MODE: 'false',
    SLACK_BOT_TOKEN: 'xoxb-shutdown-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    // The health listener (/healthz, /readyz, /metrics) on a free port too: several bots run at once.
    HEALTH_PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    STORE_KEYS: KEYS,
    STORE_KEY_ID: 'k1',
    PHONE_ALLOWED_NETWORKS: '127.0.0.0/8',
    SHUTDOWN_GRACE_SECONDS: grace,
    LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, [entryPoint('main')], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout!.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => chunks.push(d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const out = () => chunks.join('');
  const port = await untilDefined(() => {
    const m = /"port":(\d+),"msg":"listening for Slack/.exec(out());
    return m ? Number(m[1]) : undefined;
  }, 'the bot to listen', { timeoutMs: 20_000, lastSeen: out });
  return { child, out, exit, url: `http://127.0.0.1:${port}/slack/events`, phones, fake, dataDir };
}

const rescueOf = (bot: Bot, user: string, responseId: string) => send(bot.url, slashCommand(SECRET, { command: '/rescue', user_id: user, team_id: 'T1', response_url: bot.fake.responseUrl(responseId) }));

describe('SIGTERM during a ring (the real process)', () => {
  it('takes no new work, lets the ring finish, records it, closes the store and exits 0', async () => {
    const bot = await startBot('20');
    const first = await rescueOf(bot, 'U1', 'first');
    expect(first.text).toContain('Ringing your phone');
    await untilDefined(() => (bot.phones.U1!.played.length >= 1 ? true : undefined), 'the first ring', { timeoutMs: 20_000, lastSeen: () => bot.phones.U1!.requests.map((r) => r.path) });

    bot.child.kill('SIGTERM');
    await untilDefined(() => (bot.out().includes('shutting down') ? true : undefined), 'the shutdown to begin', { timeoutMs: 20_000, lastSeen: bot.out });
    // New work is refused at the door: the listener is closed while the ring goes on.
    const refused = await untilDefined(
      async () => {
        try {
          await rescueOf(bot, 'U2', 'late');
          return undefined;
        } catch (err) {
          const code = (err as { cause?: { code?: string } }).cause?.code ?? 'error';
          // The first request's keep-alive connection, closed (or reset) by the server as it shuts
          // down: the next try opens a new connection, which only a closed listener refuses.
          return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' ? undefined : code;
        }
      },
      'the listener to close',
      { timeoutMs: 20_000 },
    );
    expect(refused).toBe('ECONNREFUSED');
    expect(bot.fake.responses('first').some((c) => messageText(c.params).includes('rang 3 times'))).toBe(false);

    expect(await bot.exit).toBe(0);
    expect(bot.phones.U1!.played).toHaveLength(3);
    expect(messageText(bot.fake.responses('first').at(-1)!.params)).toContain('rang 3 times');
    expect(bot.phones.U2!.requests).toHaveLength(0);
    expect(bot.fake.responses('late')).toHaveLength(0);
    expect(bot.out()).toContain('"msg":"stopped"');

    // The store was closed, not abandoned: the WAL is folded back into the file (SQLite removes it
    // on the last clean close), and the outcome is there for the next start.
    const wal = join(bot.dataDir, 'rescue-ring.db-wal');
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    const store = await openFullStore({ dataDir: bot.dataDir, production: true, keys: KEYS, keyId: 'k1' }, { logger: silentLogger() });
    cleanups.push(() => store.close());
    const [entry] = await store.audit.query({ teamId: 'T1', userId: 'U1', limit: 1 });
    expect(entry).toMatchObject({ action: 'rescue', outcome: 'ok', detail: '3 of 3 rings' });
  });

  it('a second signal while rings are finishing exits at once, with code 1', async () => {
    const bot = await startBot('60');
    await rescueOf(bot, 'U1', 'first');
    await untilDefined(() => (bot.phones.U1!.played.length >= 1 ? true : undefined), 'the first ring', { timeoutMs: 20_000, lastSeen: () => bot.phones.U1!.requests.map((r) => r.path) });
    bot.child.kill('SIGTERM');
    await untilDefined(() => (bot.out().includes('shutting down') ? true : undefined), 'the shutdown to begin', { timeoutMs: 20_000, lastSeen: bot.out });
    bot.child.kill('SIGINT');
    expect(await bot.exit).toBe(1);
    expect(bot.out()).toContain('second signal');
    expect(bot.phones.U1!.played.length).toBeLessThan(3);
  });
});
