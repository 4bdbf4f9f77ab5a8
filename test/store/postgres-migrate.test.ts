/**
 * `rescue-ring migrate-store --from sqlite --to postgres`, run as a real process: a SQLite store
 * with registrations and every state table is copied into a fresh Postgres database, still sealed,
 * verified, and a second run adds nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../cli/harness.js';
import { createTestDatabase, describePg, type TestDatabase } from './postgres-harness.js';
import { Keyring } from '../../src/store/keyring.js';
import { openFullStore } from '../../src/store/index.js';
import { sqlitePath } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/state-types.js';

const SECRET = 'Pa55-SECRET-migrate';
const DB_PASSWORD = 'DB-PW-not-needed-4471'; // trust auth ignores it; it must still never be printed
const SLOW = 120_000;

function withPassword(url: string): string {
  const u = new URL(url);
  u.password = DB_PASSWORD;
  return u.toString();
}

/** The CLI in env's DATA_DIR, with env (and PATH) as its environment; no run may print the phone password or the database's. */
function cli(args: string[], env: Record<string, string>) {
  return runCli(args, { cwd: env.DATA_DIR, env, secrets: [SECRET, DB_PASSWORD] });
}

const keyBytes = randomBytes(32);
const keyring = new Keyring([{ id: 'k1', key: keyBytes }], 'k1');
const T0 = Date.now();

async function fill(store: Store): Promise<void> {
  await store.directory.putMany(
    Array.from({ length: 25 }, (_, i) => ({ teamId: i < 20 ? 'T1' : 'T2', userId: `U${i}`, address: `10.0.0.${i}`, username: `svc-${i}`, password: SECRET, buddies: i === 3 ? ['U1', 'U2'] : [], permission: i === 3 ? ('buddies' as const) : undefined })),
  );
  await store.directory.put({ teamId: 'T1', userId: 'UNOPW', address: 'phone-x', rings: 4, intervalSeconds: 2.5, tone: 'Chime.raw' });
  for (let i = 0; i < 30; i++) await store.audit.record({ at: new Date(T0 - i * 1000), teamId: 'T1', actorId: `U${i % 3}`, targetId: i % 2 ? `U${i}` : undefined, action: 'rescue', outcome: i % 5 ? 'ok' : 'failed', errorClass: i % 5 ? undefined : 'PhoneTimeout', detail: i === 0 ? '2 of 3 rings' : undefined });
  await store.limits.take([{ bucket: 'target:T1:U2:cooldown', windowMs: 120_000, max: 1 }], new Date(T0 - 40_000));
  await store.schedules.add({ teamId: 'T1', requesterId: 'U1', targetId: 'U2', dueAt: new Date(T0 + 600_000), coverStory: 'Facilities: your car', replyTo: 'D1' });
  const cancelled = await store.schedules.add({ teamId: 'T1', requesterId: 'U1', targetId: 'U3', dueAt: new Date(T0 + 900_000) });
  await store.schedules.cancel('T1', 'U1', cancelled.id);
  await store.tones.set(['Classic1.raw', 'Chime.raw']);
}

describePg('migrate-store --from sqlite --to postgres', () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let source: { audit: unknown; pending: unknown; regs: unknown };

  beforeAll(async () => {
    db = await createTestDatabase('rr_test_copy');
    dataDir = mkdtempSync(join(tmpdir(), 'rescue-ring-migrate-'));
    env = { DATA_DIR: dataDir, DATABASE_URL: withPassword(db.url), HOME: dataDir };
    const store = await openFullStore({ dataDir, production: false }, { keyring });
    await fill(store);
    source = { audit: await store.audit.query({ limit: 1000 }), pending: await store.schedules.pending({}), regs: (await store.directory.list()).rows };
    await store.close();
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'copies the sealed directory and the state, verifies it, and a second run adds nothing',
    async () => {
      const first = await cli(['migrate-store', '--from', 'sqlite', '--to', 'postgres', '--batch-size', '7', '--json'], env);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const report = JSON.parse(first.stdout) as { ok: boolean; tables: { table: string; source: number; target: number; added: number }[] };
      expect(report.ok).toBe(true);
      const byTable = Object.fromEntries(report.tables.map((t) => [t.table, t]));
      expect(byTable.phone_registrations).toEqual({ table: 'phone_registrations', source: 26, target: 26, added: 26 });
      expect(byTable.audit_log).toMatchObject({ source: 30, target: 30, added: 30 });
      expect(byTable.scheduled_rescues).toMatchObject({ source: 2, target: 2, added: 2 });
      expect(byTable.rate_hits).toMatchObject({ source: 1, target: 1, added: 1 });
      expect(byTable.tone_list).toMatchObject({ source: 1, target: 1, added: 1 });
      expect(byTable.store_key_checks).toMatchObject({ source: 1, added: 1 });

      // Sealed bytes and key ids are byte for byte the same: nothing was decrypted on the way.
      const sqlite = new BetterSqlite3(sqlitePath(dataDir), { readonly: true });
      const raw = sqlite.prepare<[], { team_id: string; user_id: string; key_id: string; sealed: Buffer }>('SELECT team_id, user_id, key_id, sealed FROM phone_registrations ORDER BY team_id, user_id').all();
      sqlite.close();
      const copied = (await db.admin.query<{ team_id: string; user_id: string; key_id: string; sealed: Buffer }>('SELECT team_id, user_id, key_id, sealed FROM phone_registrations ORDER BY team_id, user_id')).rows;
      expect(copied).toEqual(raw);

      // The Postgres store opens with the same key and gives everything back.
      const pgStore = await openFullStore({ dataDir, production: false, databaseUrl: db.url }, { keyring });
      try {
        expect((await pgStore.directory.get({ teamId: 'T1', userId: 'U3' }))?.password).toBe(SECRET);
        expect((await pgStore.directory.list()).rows).toEqual(source.regs);
        expect(await pgStore.audit.query({ limit: 1000 })).toEqual(source.audit);
        expect(await pgStore.schedules.pending({})).toEqual(source.pending);
        expect(await pgStore.tones.get()).toEqual(['Classic1.raw', 'Chime.raw']);
        // The cooldown holds across the move.
        expect(await pgStore.limits.take([{ bucket: 'target:T1:U2:cooldown', windowMs: 120_000, max: 1 }], new Date(T0))).toEqual({
          ok: false,
          bucket: 'target:T1:U2:cooldown',
          retryAfterMs: 80_000,
        });
      } finally {
        await pgStore.close();
      }

      // The admin verbs work on Postgres the same way (DATABASE_URL and the same key).
      const listed = await cli(['phones', 'list', '--json'], { ...env, STORE_KEYS: `k1:${keyBytes.toString('base64')}`, STORE_KEY_ID: 'k1' });
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.stdout) as { rows: unknown[] }).rows).toHaveLength(26);

      const second = await cli(['migrate-store', '--from', 'sqlite', '--to', 'postgres'], env);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/phone_registrations\s+26 in SQLite\s+0 new\s+26 now in Postgres/);
      expect(second.stdout).toMatch(/audit_log\s+30 in SQLite\s+0 new\s+30 now in Postgres/);
      expect(second.stderr).toContain('rows stay sealed');
    },
    SLOW,
  );

  it(
    'refuses to mix in a store sealed with a different key under the same id, copying nothing',
    async () => {
      const other = await createTestDatabase('rr_test_copy');
      try {
        const impostor = await openFullStore({ dataDir, production: false, databaseUrl: other.url }, { keyring: new Keyring([{ id: 'k1', key: randomBytes(32) }], 'k1') });
        await impostor.close();
        const run = await cli(['migrate-store', '--from', 'sqlite', '--to', 'postgres'], { ...env, DATABASE_URL: withPassword(other.url) });
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/different key under the id\(s\) "k1".*Nothing was copied/);
        expect((await other.admin.query('SELECT 1 FROM phone_registrations')).rowCount).toBe(0);
      } finally {
        await other.drop();
      }
    },
    SLOW,
  );

  it(
    'says what is missing: no SQLite store, no DATABASE_URL, an unsupported direction',
    async () => {
      const empty = mkdtempSync(join(tmpdir(), 'rescue-ring-migrate-'));
      try {
        const noFile = await cli(['migrate-store', '--from', 'sqlite', '--to', 'postgres'], { ...env, DATA_DIR: empty, HOME: empty });
        expect(noFile.code).toBe(2);
        expect(noFile.stderr).toMatch(/no SQLite store at .*rescue-ring\.db/);
        const noUrl = await cli(['migrate-store', '--from', 'sqlite', '--to', 'postgres'], { DATA_DIR: dataDir, HOME: dataDir });
        expect(noUrl.code).toBe(2);
        expect(noUrl.stderr).toMatch(/DATABASE_URL is not set/);
        const back = await cli(['migrate-store', '--from', 'postgres', '--to', 'sqlite'], env);
        expect(back.code).toBe(2);
        expect(back.stderr).toMatch(/--from sqlite --to postgres/);
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
    },
    SLOW,
  );
});
