import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeStateContract } from './state-contract.js';
import { makeKey } from './contract.js';
import { Keyring } from '../../src/store/keyring.js';
import { openFullStore } from '../../src/store/index.js';
import { sqlitePath } from '../../src/store/sqlite.js';
import { openSqliteStore } from '../../src/store/sqlite-state.js';
import { DAY_MS, startRetention } from '../../src/store/state/retention.js';

const keyring = new Keyring([makeKey('k1')], 'k1');

describeStateContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-state-'));
  return {
    open: () => openSqliteStore(sqlitePath(dir), keyring),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('openFullStore (SQLite)', () => {
  it('opens directory and state on one connection; close closes it once, and twice is harmless', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-state-'));
    try {
      const store = await openFullStore({ dataDir: dir, production: false }, { keyring });
      expect(store.engine).toBe('sqlite');
      await store.directory.put({ teamId: 'T1', userId: 'U1', address: 'phone-1' });
      await store.tones.set(['Chime.raw']);
      await store.close();
      await store.close();
      await expect(store.tones.get()).rejects.toThrow(/not open/);
      const again = await openFullStore({ dataDir: dir, production: false }, { keyring });
      expect(await again.directory.count()).toBe(1);
      expect(await again.tones.get()).toEqual(['Chime.raw']);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A child process that opens the store, says "ready", waits for "go", then makes `n` takes of one
 * rule at once and prints how many were allowed.
 */
const TAKER = `
const { openSqliteStore } = await import(process.env.STATE_MODULE);
const { Keyring } = await import(process.env.KEYRING_MODULE);
const store = await openSqliteStore(process.env.DB_FILE, new Keyring([{ id: 'k1', key: Buffer.alloc(32, 7) }], 'k1'));
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const rule = { bucket: 'requester:T1:U1:minute', windowMs: 60000, max: 5 };
const decisions = await Promise.all(Array.from({ length: Number(process.env.TAKES) }, () => store.limits.take([rule], new Date())));
process.stdout.write('allowed ' + decisions.filter((d) => d.ok).length + '\\n');
await store.close();
process.stdin.destroy();
`;

describe('SQLite state across processes', () => {
  it('two processes taking at once share one limit: exactly max are allowed in all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-state-'));
    try {
      const src = join(import.meta.dirname, '..', '..', 'src', 'store');
      const env = {
        ...process.env,
        STATE_MODULE: pathToFileURL(join(src, 'sqlite-state.ts')).href,
        KEYRING_MODULE: pathToFileURL(join(src, 'keyring.ts')).href,
        DB_FILE: sqlitePath(dir),
        TAKES: '10',
      };
      const children = [0, 1].map(() => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', TAKER], { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        const ready = new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => ((out += c.toString()), out.includes('ready') && resolve())));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        const done = new Promise<number>((resolve, reject) =>
          child.on('exit', (code) => (code === 0 ? resolve(Number(/allowed (\d+)/.exec(out)?.[1])) : reject(new Error(`taker exited ${code}: ${out}`)))),
        );
        return { child, ready, done };
      });
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.child.stdin.write('go\n');
      const allowed = await Promise.all(children.map((c) => c.done));
      expect(allowed[0]! + allowed[1]!).toBe(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('retention job', () => {
  it('prunes audit entries past the retention and old rate-limit hits, at once and on each round', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-state-'));
    const store = await openSqliteStore(sqlitePath(dir), keyring);
    try {
      const now = new Date('2026-06-01T12:00:00Z');
      const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
      for (const days of [100, 31, 29, 1]) await store.audit.record({ at: ago(days), teamId: 'T1', actorId: 'U1', action: 'rescue', outcome: 'ok' });
      await store.limits.take([{ bucket: 'old', windowMs: 60_000, max: 1 }], ago(2));
      await store.limits.take([{ bucket: 'fresh', windowMs: 60_000, max: 1 }], new Date(now.getTime() - 1_000));
      const job = startRetention(store, { auditDays: 30, now: () => now, intervalMs: 3_600_000 });
      try {
        // The first round started when the job did; runOnce joins it.
        expect(await job.runOnce()).toEqual({ audit: 2, rateHits: 1 });
        expect((await store.audit.query({})).map((e) => Math.round((now.getTime() - e.at.getTime()) / DAY_MS))).toEqual([1, 29]);
        expect(await store.limits.take([{ bucket: 'fresh', windowMs: 60_000, max: 1 }], now)).toMatchObject({ ok: false });
        expect(await job.runOnce()).toEqual({ audit: 0, rateHits: 0 });
      } finally {
        job.stop();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
