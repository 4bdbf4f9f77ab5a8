import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDirectoryContract, makeKey, SECRET, type ContractHarness } from './contract.js';
import { describeStateContract } from './state-contract.js';
import { createTestDatabase, describePg, truncateAll, type TestDatabase } from './postgres-harness.js';
import { Keyring } from '../../src/store/keyring.js';
import { REGISTRATION_COLUMNS } from '../../src/store/columns.js';
import { openFullStore, openStore } from '../../src/store/index.js';
import { migratePg, PG_MIGRATIONS, PgDatabase, PgPhoneLock } from '../../src/store/postgres/index.js';
import { PgRateLimiter } from '../../src/store/postgres/state.js';
import { LOCK, LOCK_SPACE, RATE_LOCK_SPACE } from '../../src/store/postgres/locks.js';
import type { Store } from '../../src/store/state-types.js';
import { storeConfigFromEnv } from '../../src/config/store.js';
import { ConfigError } from '../../src/config/env.js';
import { createNetworkPolicy, PhoneClient } from '../../src/phone/index.js';
import { startPhone } from '../../src/sim/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'rescue-ring-pg-'));
const keyring = new Keyring([makeKey('k1')], 'k1');
let db: TestDatabase;

async function until<T>(f: () => Promise<T | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Every test starts from empty tables (the database is migrated once, in beforeAll). */
async function fresh(): Promise<void> {
  await truncateAll(db.admin);
}

describePg('Postgres engine', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    const m = new PgDatabase(db.url);
    await migratePg(m);
    await m.close();
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describeDirectoryContract('postgres', async (): Promise<ContractHarness> => {
    await fresh();
    const q = db.admin;
    return {
      open: (ring) => openStore({ dataDir, production: false, databaseUrl: db.url }, { keyring: ring }),
      moveRow: async (from, to) => {
        await q.query('UPDATE phone_registrations SET team_id = $1, user_id = $2 WHERE team_id = $3 AND user_id = $4', [to.teamId, to.userId, from.teamId, from.userId]);
      },
      flipSealedByte: async (key, offset) => {
        const r = await q.query<{ sealed: Buffer }>('SELECT sealed FROM phone_registrations WHERE team_id = $1 AND user_id = $2', [key.teamId, key.userId]);
        const sealed = Buffer.from(r.rows[0]?.sealed ?? Buffer.alloc(0));
        if (sealed.length === 0) throw new Error('no such row');
        sealed[offset] = (sealed[offset] ?? 0) ^ 0xff;
        await q.query('UPDATE phone_registrations SET sealed = $1 WHERE team_id = $2 AND user_id = $3', [sealed, key.teamId, key.userId]);
      },
      raw: async (key) =>
        (await q.query<{ keyId: string; sealed: Buffer }>('SELECT key_id AS "keyId", sealed FROM phone_registrations WHERE team_id = $1 AND user_id = $2', [key.teamId, key.userId])).rows[0],
      rawKeyIds: async () => (await q.query<{ key_id: string }>('SELECT key_id FROM phone_registrations')).rows.map((r) => r.key_id),
      cleanup: async () => undefined,
    };
  });

  describeStateContract('postgres', async () => {
    await fresh();
    return { open: () => openFullStore({ dataDir, production: false, databaseUrl: db.url }, { keyring }), cleanup: async () => undefined };
  });

  describe('Postgres specifics', () => {
    it('never stores a password, username or address in clear', async () => {
      await fresh();
      const store = await openFullStore({ dataDir, production: false, databaseUrl: db.url }, { keyring });
      const secrets = { address: 'phone-ADDR-7731.example.test', username: 'svc-USER-8842', password: SECRET };
      await store.directory.put({ teamId: 'T1', userId: 'U1', ...secrets, tone: 'Chime.raw' });
      await store.close();
      const dump = (await db.admin.query<{ t: string }>('SELECT t::text AS t FROM phone_registrations t')).rows.map((r) => r.t).join('\n');
      expect(dump).toContain('Chime.raw'); // the scan sees clear columns
      for (const s of Object.values(secrets)) {
        expect(dump).not.toContain(s);
        expect(dump).not.toContain(Buffer.from(s).toString('hex'));
      }
    });

    it('stores big batches in chunks, keeping creation times, and a batch naming one user twice keeps the last', async () => {
      await fresh();
      const store = await openFullStore({ dataDir, production: false, databaseUrl: db.url }, { keyring });
      try {
        const first = await store.directory.put({ teamId: 'T1', userId: 'U00001', address: 'phone-old' });
        const many = Array.from({ length: 2_500 }, (_, i) => ({ teamId: 'T1', userId: `U${String(i).padStart(5, '0')}`, address: `10.1.${i >> 8}.${i & 255}`, password: SECRET, buddies: i % 2 ? ['UA', 'UB'] : [] }));
        const stored = await store.directory.putMany(many);
        expect(stored).toHaveLength(2_500);
        expect(stored[1]?.createdAt.getTime()).toBe(first.createdAt.getTime());
        expect(await store.directory.count()).toBe(2_500);
        expect(await store.directory.get({ teamId: 'T1', userId: 'U02499' })).toMatchObject({ address: '10.1.9.195', password: SECRET, buddies: ['UA', 'UB'] });
        expect((await store.directory.get({ teamId: 'T1', userId: 'U00001' }))?.createdAt.getTime()).toBe(first.createdAt.getTime());
        await store.directory.putMany([
          { teamId: 'T2', userId: 'U1', address: 'first' },
          { teamId: 'T2', userId: 'U1', address: 'second' },
        ]);
        expect((await store.directory.get({ teamId: 'T2', userId: 'U1' }))?.address).toBe('second');
      } finally {
        await store.close();
      }
    });

    it('replicas starting together on an empty database migrate once, without racing', async () => {
      const other = await createTestDatabase('rr_test_mig');
      try {
        const stores = await Promise.all(Array.from({ length: 4 }, () => openFullStore({ dataDir, production: false, databaseUrl: other.url }, { keyring })));
        await Promise.all(stores.map((s) => s.close()));
        const applied = await other.admin.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
        expect(applied.rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
        const again = new PgDatabase(other.url);
        expect(await migratePg(again)).toEqual([]);
        await again.close();
      } finally {
        await other.drop();
      }
    });

    it('refuses a database migrated by a newer rescue-ring', async () => {
      await fresh();
      await db.admin.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')");
      try {
        await expect(openFullStore({ dataDir, production: false, databaseUrl: db.url }, { keyring })).rejects.toMatchObject({ code: 'StoreSchemaTooNew' });
      } finally {
        await db.admin.query('DELETE FROM schema_migrations WHERE version = 999');
      }
    });

    it('a failing migration changes nothing', async () => {
      const other = await createTestDatabase('rr_test_mig');
      try {
        const broken = [...PG_MIGRATIONS, { version: PG_MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half (x int); SELECT * FROM missing_table' }];
        const m = new PgDatabase(other.url);
        await expect(migratePg(m, broken)).rejects.toThrow(/missing_table/);
        await m.close();
        expect((await other.admin.query("SELECT 1 FROM pg_tables WHERE tablename = 'half'")).rowCount).toBe(0);
        expect((await other.admin.query<{ v: number }>('SELECT MAX(version)::int AS v FROM schema_migrations')).rows[0]?.v).toBe(PG_MIGRATIONS.length);
      } finally {
        await other.drop();
      }
    });

    it('prunes the audit log on one replica at a time: a replica that finds the prune running skips it', async () => {
      await fresh();
      const store = await openFullStore({ dataDir, production: false, databaseUrl: db.url }, { keyring });
      try {
        await store.audit.record({ at: new Date(1_000), teamId: 'T1', actorId: 'U1', action: 'rescue', outcome: 'ok' });
        const other = await db.admin.connect();
        try {
          await other.query('BEGIN');
          await other.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, LOCK.auditPrune]);
          expect(await store.audit.prune(new Date(2_000))).toBe(0);
          expect(await store.audit.query({})).toHaveLength(1);
          await other.query('COMMIT');
        } finally {
          other.release();
        }
        expect(await store.audit.prune(new Date(2_000))).toBe(1);
      } finally {
        await store.close();
      }
    });

    it('a lost connection is a StoreUnavailable for the request that hit it, never a crash; the next request reconnects', async () => {
      await fresh();
      const store = await openFullStore({ dataDir, production: false, databaseUrl: db.url }, { keyring });
      try {
        await store.directory.put({ teamId: 'T1', userId: 'U1', address: 'phone-1', password: SECRET });
        // A take waits on its bucket's lock (held here), so its connection is busy when the server
        // ends every rescue-ring connection (a failover, a restart, an admin).
        const holder = await db.admin.connect();
        try {
          await holder.query('BEGIN');
          await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [RATE_LOCK_SPACE, 'b']);
          const failure = store.limits.take([{ bucket: 'b', windowMs: 1_000, max: 1 }], new Date()).then(
            () => undefined,
            (err: unknown) => err,
          );
          await until(
            async () => ((await db.admin.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'rescue-ring' AND wait_event_type = 'Lock'")).rowCount ?? 0) > 0,
            'the take to wait',
          );
          await db.admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'rescue-ring'");
          expect(await failure).toMatchObject({ code: 'StoreUnavailable', message: expect.stringContaining(db.name), hint: expect.stringMatching(/Postgres server/) });
        } finally {
          await holder.query('ROLLBACK');
          holder.release();
        }
        // The pool drops the dead connections and opens new ones.
        expect((await store.directory.get({ teamId: 'T1', userId: 'U1' }))?.password).toBe(SECRET);
        expect(await store.limits.take([{ bucket: 'b', windowMs: 1_000, max: 1 }], new Date())).toEqual({ ok: true });
      } finally {
        await store.close();
      }
    });

    it('a take stuck behind another for longer than the lock timeout fails as StoreUnavailable instead of hanging', async () => {
      await fresh();
      const limiterDb = new PgDatabase(db.url);
      const holder = await db.admin.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [RATE_LOCK_SPACE, 'stuck']);
        const limiter = new PgRateLimiter(limiterDb, { lockTimeoutMs: 50 });
        await expect(limiter.take([{ bucket: 'stuck', windowMs: 1_000, max: 1 }], new Date())).rejects.toMatchObject({ code: 'StoreUnavailable', message: expect.stringContaining('55P03'), hint: expect.stringMatching(/busy/) });
        await holder.query('ROLLBACK');
        expect(await limiter.take([{ bucket: 'stuck', windowMs: 1_000, max: 1 }], new Date())).toEqual({ ok: true });
      } finally {
        holder.release();
        await limiterDb.close();
      }
    });

    it('closing the store twice, or its directory then the store, is harmless', async () => {
      await fresh();
      const store = await openFullStore({ dataDir, production: false, databaseUrl: db.url }, { keyring });
      await store.directory.close();
      await store.close();
      await expect(store.tones.get()).rejects.toMatchObject({ code: 'StoreUnavailable' });
    });

    describe('cross-replica phone lock', () => {
      const open = (): Promise<Store> => openFullStore({ dataDir, production: false, databaseUrl: db.url }, { keyring });

      it('lets one replica at a time hold a phone, in turn', async () => {
        await fresh();
        const [a, b] = [await open(), await open()];
        try {
          const events: string[] = [];
          const releaseA = await a.phoneLock!.acquire('http://10.0.0.1:80');
          events.push('a');
          const bGot = b.phoneLock!.acquire('http://10.0.0.1:80').then((release) => (events.push('b'), release));
          // Another phone is free meanwhile.
          await (await b.phoneLock!.acquire('http://10.0.0.2:80'))();
          events.push('other phone');
          expect(events).toEqual(['a', 'other phone']);
          events.push('a releases');
          await releaseA();
          const releaseB = await bGot;
          expect(events).toEqual(['a', 'other phone', 'a releases', 'b']);
          await releaseB();
          expect((await db.admin.query('SELECT 1 FROM phone_leases')).rowCount).toBe(0);
        } finally {
          await a.close();
          await b.close();
        }
      });

      it('a replica that dies never blocks a phone beyond its lease', async () => {
        await fresh();
        const [dead, alive] = [await open(), await open()];
        try {
          await dead.phoneLock!.acquire('http://10.0.0.1:80');
          await dead.close(); // crashed: never releases, never renews
          const waiting = alive.phoneLock!.acquire('http://10.0.0.1:80');
          // Time passes: the lease runs out (the database clock decides).
          await db.admin.query("UPDATE phone_leases SET expires_at = clock_timestamp() - interval '1 second'");
          const release = await waiting;
          await release();
        } finally {
          await alive.close();
        }
      });

      it('two replicas\' phone clients never send two requests to one phone at once', async () => {
        await fresh();
        const [a, b] = [await open(), await open()];
        const phone = await startPhone({ toneTimeScale: 0.02 });
        try {
          const networkPolicy = createNetworkPolicy(['127.0.0.0/8']);
          const clients = [a, b].map((s) => new PhoneClient({ networkPolicy, phoneLock: s.phoneLock }));
          const target = { address: phone.address, credentials: { username: phone.username, password: phone.password } };
          await Promise.all(Array.from({ length: 12 }, (_, i) => (clients[i % 2] as PhoneClient).execute(target, [{ url: 'Play:Classic1.raw', priority: 2 }])));
          expect(phone.played).toHaveLength(12);
          expect(phone.maxInFlight).toBe(1);
        } finally {
          await phone.stop();
          await a.close();
          await b.close();
        }
      });

      it('the holder renews its lease while the request runs, and only its own lease is released', async () => {
        await fresh();
        const lockDb = new PgDatabase(db.url);
        const lock = new PgPhoneLock(lockDb, { leaseMs: 60_000, renewMs: 20 });
        try {
          const release = await lock.acquire('http://10.0.0.9:80');
          const expiry = async () => (await db.admin.query<{ e: Date }>('SELECT expires_at AS e FROM phone_leases')).rows[0]?.e.getTime();
          const first = await expiry();
          await until(async () => ((await expiry()) ?? 0) > (first ?? 0), 'the lease to be renewed');
          // A lease taken over after expiry (another holder) is not deleted by the old holder's release.
          await db.admin.query("UPDATE phone_leases SET holder = 'someone-else'");
          await release();
          expect((await db.admin.query('SELECT holder FROM phone_leases')).rows).toEqual([{ holder: 'someone-else' }]);
        } finally {
          await lockDb.close();
        }
      });

      it('a waiting request that is aborted stops waiting and takes nothing', async () => {
        await fresh();
        const [a, b] = [await open(), await open()];
        try {
          const releaseA = await a.phoneLock!.acquire('http://10.0.0.1:80');
          const abort = new AbortController();
          const waiting = b.phoneLock!.acquire('http://10.0.0.1:80', abort.signal);
          abort.abort(new Error('user pressed Stop'));
          await expect(waiting).rejects.toThrow('user pressed Stop');
          await releaseA();
          await (await a.phoneLock!.acquire('http://10.0.0.1:80'))();
        } finally {
          await a.close();
          await b.close();
        }
      });
    });
  });

  it('the one column table (src/store/columns.ts) names exactly the columns of phone_registrations', async () => {
    const r = await db.admin.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'phone_registrations'",
    );
    expect(r.rows.map((c) => c.column_name).sort()).toEqual(REGISTRATION_COLUMNS.map((c) => c.column).sort());
  });
});

describe('Postgres engine without a server', () => {
  it('names the server, never the password, when it cannot connect', async () => {
    const url = 'postgres://rescue:DB-PASSWORD-5521@127.0.0.1:1/rescue_ring';
    const err = await openFullStore({ dataDir, production: false, databaseUrl: url }, { keyring }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'StoreUnavailable' });
    expect((err as Error).message).toContain('127.0.0.1:1/rescue_ring');
    expect((err as Error).message).not.toContain('DB-PASSWORD-5521');
    expect((err as { hint: string }).hint).toMatch(/DATABASE_URL/);
  });

  it('checks DATABASE_URL and DATABASE_POOL_MAX at start-up, never echoing the URL', () => {
    expect(storeConfigFromEnv({ DATABASE_URL: 'postgres://u:pw@db:5432/rr', DATABASE_POOL_MAX: '4' })).toMatchObject({ databaseUrl: 'postgres://u:pw@db:5432/rr', databasePoolMax: 4 });
    expect(storeConfigFromEnv({ DATABASE_URL: 'postgresql://db/rr' }).databasePoolMax).toBe(10);
    const err = (() => {
      try {
        storeConfigFromEnv({ DATABASE_URL: 'mysql://u:PW-9931@db/rr', DATABASE_POOL_MAX: '0' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toHaveLength(2);
    expect((err as Error).message).toMatch(/DATABASE_URL must be a Postgres URL/);
    expect((err as Error).message).toMatch(/DATABASE_POOL_MAX/);
    expect((err as Error).message).not.toContain('PW-9931');
  });

  it('never generates a development key for a shared Postgres store', async () => {
    const err = await openFullStore({ dataDir, production: false, databaseUrl: 'postgres://u@127.0.0.1:1/rr' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'StoreKeyRequired', hint: expect.stringMatching(/same STORE_KEYS/) });
    expect(existsSync(join(dataDir, 'store.key'))).toBe(false);
  });

  it('refuses a DATABASE_URL that is not a Postgres URL', async () => {
    await expect(openFullStore({ dataDir, production: false, databaseUrl: 'mysql://x@127.0.0.1/db' }, { keyring })).rejects.toMatchObject({
      code: 'StoreUnavailable',
      message: expect.stringMatching(/postgres:\/\//),
    });
  });
});
