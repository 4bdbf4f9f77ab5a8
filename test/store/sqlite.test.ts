import { mkdtempSync, readFileSync, existsSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it, afterEach } from 'vitest';
import { describeDirectoryContract, makeKey, SECRET, type ContractHarness } from './contract.js';
import { EncryptedDirectory, openDirectory } from '../../src/store/directory.js';
import { Keyring } from '../../src/store/keyring.js';
import { openSqliteDatabase, sqlitePath, SqliteRows } from '../../src/store/sqlite.js';
import { REGISTRATION_COLUMNS } from '../../src/store/columns.js';
import { checkMigrationList, SQLITE_MIGRATIONS } from '../../src/store/migrations.js';
import { StoreDatabaseEmpty, StoreSchemaTooNew } from '../../src/store/errors.js';
import { openFullStore, openStore } from '../../src/store/index.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rescue-ring-store-'));
}

async function makeSqliteHarness(): Promise<ContractHarness> {
  const dir = tempDir();
  const file = sqlitePath(dir);
  const raw = openSqliteDatabase(file);
  return {
    open: (keyring) => openDirectory(new SqliteRows(openSqliteDatabase(file)), keyring),
    moveRow: async (from, to) => {
      raw.prepare('UPDATE phone_registrations SET team_id = ?, user_id = ? WHERE team_id = ? AND user_id = ?').run(to.teamId, to.userId, from.teamId, from.userId);
    },
    flipSealedByte: async (key, offset) => {
      const row = raw.prepare<[string, string], { sealed: Buffer }>('SELECT sealed FROM phone_registrations WHERE team_id = ? AND user_id = ?').get(key.teamId, key.userId);
      if (row === undefined) throw new Error('no such row');
      const sealed = Buffer.from(row.sealed);
      sealed[offset] = (sealed[offset] ?? 0) ^ 0xff;
      raw.prepare('UPDATE phone_registrations SET sealed = ? WHERE team_id = ? AND user_id = ?').run(sealed, key.teamId, key.userId);
    },
    raw: async (key) =>
      raw.prepare<[string, string], { keyId: string; sealed: Buffer }>('SELECT key_id AS keyId, sealed FROM phone_registrations WHERE team_id = ? AND user_id = ?').get(key.teamId, key.userId),
    rawKeyIds: async () => raw.prepare<[], { key_id: string }>('SELECT key_id FROM phone_registrations').all().map((r) => r.key_id),
    cleanup: async () => {
      raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeDirectoryContract('sqlite', makeSqliteHarness);

describe('SQLite engine', () => {
  const dirs: string[] = [];
  const newDir = (): string => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('never writes a password, username or address in clear to the database, WAL or shm file', async () => {
    const dir = newDir();
    const keys = makeKey('k1');
    const store = await openStore({ dataDir: dir, production: false }, { keyring: new Keyring([keys], 'k1') });
    const secrets = { address: 'phone-ADDR-7731.example.test', username: 'svc-USER-8842', password: SECRET };
    await store.put({ teamId: 'T1', userId: 'U1', ...secrets, tone: 'Chime.raw' });
    await store.putMany([{ teamId: 'T1', userId: 'U2', ...secrets }]);
    await store.rekey();
    const files = () => ['', '-wal', '-shm'].map((s) => `${sqlitePath(dir)}${s}`).filter((f) => existsSync(f));
    const scan = () => {
      const seen = files();
      expect(seen.length).toBeGreaterThan(0);
      for (const f of seen) {
        const bytes = readFileSync(f);
        for (const s of Object.values(secrets)) {
          expect(bytes.includes(Buffer.from(s, 'utf8')), `${s} in ${f}`).toBe(false);
          expect(bytes.includes(Buffer.from(s, 'utf16le')), `${s} (utf16) in ${f}`).toBe(false);
        }
        // Sanity: the scan can see clear text in these files (the non-secret tone is there).
        if (f.endsWith('-wal') || f === sqlitePath(dir)) tone.push(bytes.includes(Buffer.from('Chime.raw')));
      }
    };
    const tone: boolean[] = [];
    scan(); // while open, rows still in the WAL
    await store.close();
    scan(); // after the checkpoint on close
    expect(tone).toContain(true);
  });

  it('runs its migrations once and records them', async () => {
    const dir = newDir();
    const file = sqlitePath(dir);
    openSqliteDatabase(file).close();
    const db = openSqliteDatabase(file);
    const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(applied).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('applies appended migrations in order and refuses a database newer than itself', () => {
    const dir = newDir();
    const file = sqlitePath(dir);
    const extra = [...SQLITE_MIGRATIONS, { version: SQLITE_MIGRATIONS.length + 1, name: 'test table', up: (db: BetterSqlite3.Database) => db.exec('CREATE TABLE t (x INTEGER) STRICT') }];
    openSqliteDatabase(file, extra).close();
    const err = (() => {
      try {
        openSqliteDatabase(file);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(StoreSchemaTooNew);
    expect(() => checkMigrationList([{ version: 2, name: 'gap', up: () => undefined }])).toThrow(/expected 1/);
    expect(() => checkMigrationList(SQLITE_MIGRATIONS)).not.toThrow();
  });

  it('a failing migration changes nothing', () => {
    const file = sqlitePath(newDir());
    const broken = [...SQLITE_MIGRATIONS, { version: SQLITE_MIGRATIONS.length + 1, name: 'broken', up: (db: BetterSqlite3.Database) => db.exec('CREATE TABLE half (x INTEGER); SELECT * FROM missing_table') }];
    expect(() => openSqliteDatabase(file, broken)).toThrow(/missing_table/);
    const db = new BetterSqlite3(file);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: SQLITE_MIGRATIONS.length });
    db.close();
  });

  it('two processes writing at once lose nothing', async () => {
    const dir = newDir();
    const key = makeKey('k1');
    const env = { ...process.env, DATA_DIR: dir, STORE_KEYS: `k1:${key.key.toString('base64')}`, STORE_KEY_ID: 'k1' };
    const writer = join(import.meta.dirname, 'fixtures', 'writer.ts');
    const children = ['A', 'B'].map((prefix) => {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, prefix, '500'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      const ready = new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => ((out += c.toString()), out.includes('ready') && resolve())));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const done = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${prefix} exited ${code}: ${out}`)))));
      return { child, ready, done };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin.write('go\n');
    await Promise.all(children.map((c) => c.done));
    const store = await openStore({ dataDir: dir, production: false }, { keyring: new Keyring([key], 'k1') });
    const { rows, unreadable } = await store.list();
    expect(unreadable).toEqual([]);
    expect(rows).toHaveLength(1000 + 1);
    expect((await store.get({ teamId: 'T1', userId: 'A499' }))?.password).toBe(SECRET);
    expect((await store.get({ teamId: 'T1', userId: 'B0' }))?.password).toBe(SECRET);
    const shared = await store.get({ teamId: 'T1', userId: 'SHARED' });
    expect(shared?.password).toBe(SECRET);
    await store.close();
  });

  it('a database held locked past the busy timeout gives a specific error, not a crash', async () => {
    const file = sqlitePath(newDir());
    const holder = openSqliteDatabase(file);
    const rows = new SqliteRows(openSqliteDatabase(file, SQLITE_MIGRATIONS, 50));
    const d = new EncryptedDirectory(rows, new Keyring([makeKey('k1')], 'k1'));
    holder.exec('BEGIN EXCLUSIVE');
    try {
      await expect(d.put({ teamId: 'T1', userId: 'U1', address: 'phone-1', password: SECRET })).rejects.toMatchObject({
        code: 'StoreUnavailable',
        message: expect.stringMatching(/locked by another process for more than 50 ms/),
      });
    } finally {
      holder.exec('ROLLBACK');
    }
    await d.put({ teamId: 'T1', userId: 'U1', address: 'phone-1', password: SECRET });
    expect(await d.count()).toBe(1);
    await d.close();
    holder.close();
  });

  it('openFullStore waits for a lock only as long as asked (the bot asks for less than Slack\'s 3 s)', async () => {
    const dataDir = newDir();
    const store = await openFullStore({ dataDir, production: false }, { keyring: new Keyring([makeKey('k1')], 'k1'), busyTimeoutMs: 40 });
    const holder = openSqliteDatabase(sqlitePath(dataDir));
    holder.exec('BEGIN EXCLUSIVE');
    try {
      await expect(store.limits.take([{ bucket: 'b', windowMs: 60_000, max: 5 }], new Date())).rejects.toMatchObject({
        code: 'StoreUnavailable',
        message: expect.stringMatching(/locked by another process for more than 40 ms/),
      });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(await store.limits.take([{ bucket: 'b', windowMs: 60_000, max: 5 }], new Date())).toEqual({ ok: true });
    await store.close();
  });

  it('the one column table (src/store/columns.ts) names exactly the columns of phone_registrations', () => {
    const db = openSqliteDatabase(sqlitePath(newDir()));
    const columns = db.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'phone_registrations\')').all();
    db.close();
    expect(columns.map((c) => c.name).sort()).toEqual(REGISTRATION_COLUMNS.map((c) => c.column).sort());
  });

  it('a row whose buddies column does not parse is reported unreadable (corrupt), and the other rows still read', async () => {
    const dir = newDir();
    const keyring = new Keyring([makeKey('k1')], 'k1');
    const store = await openStore({ dataDir: dir, production: false }, { keyring });
    await store.put({ teamId: 'T1', userId: 'U1', address: 'phone-1', password: SECRET, buddies: ['U2'] });
    await store.put({ teamId: 'T1', userId: 'U2', address: 'phone-2', password: SECRET });
    const raw = new BetterSqlite3(sqlitePath(dir));
    raw.prepare("UPDATE phone_registrations SET buddies = '[\"U2\"' WHERE user_id = 'U1'").run();
    raw.close();
    const { rows, unreadable } = await store.list();
    expect(rows.map((r) => r.userId)).toEqual(['U2']);
    expect(unreadable).toMatchObject([{ teamId: 'T1', userId: 'U1', reason: 'corrupt' }]);
    await store.close();
  });

  it('a brand-new store makes its own file, owner-only, with its header written, and leaves no draft behind', async () => {
    const dir = newDir();
    const keyring = new Keyring([makeKey('k1')], 'k1');
    const store = await openFullStore({ dataDir: dir, production: false }, { keyring });
    await store.close();
    const file = sqlitePath(dir);
    expect(statSync(file).size).toBeGreaterThan(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.includes('.new-'))).toEqual([]);
    const again = await openStore({ dataDir: dir, production: false }, { keyring });
    expect(await again.count()).toBe(0);
    await again.close();
  });

  it('a database file emptied to 0 bytes is refused with what happened and what to do, never taken as a new empty store', async () => {
    const dir = newDir();
    const keyring = new Keyring([makeKey('k1')], 'k1');
    const store = await openStore({ dataDir: dir, production: false }, { keyring });
    await store.put({ teamId: 'T1', userId: 'U1', address: 'phone-1', password: SECRET });
    await store.close();
    const file = sqlitePath(dir);
    truncateSync(file, 0);
    for (const open of [() => openStore({ dataDir: dir, production: false }, { keyring }), () => openFullStore({ dataDir: dir, production: false }, { keyring })]) {
      const err = await open().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreDatabaseEmpty);
      expect((err as StoreDatabaseEmpty).message).toContain(`${file} is empty (0 bytes)`);
      expect((err as StoreDatabaseEmpty).hint).toMatch(/Restore .* from your backup/);
      expect((err as StoreDatabaseEmpty).hint).toMatch(/delete the empty file/);
    }
    expect(() => openSqliteDatabase(file)).toThrow(StoreDatabaseEmpty);
    // Refusing changed nothing: the operator still has the file as it was found.
    expect(statSync(file).size).toBe(0);
  });

  it('npm start on a directory whose database file was emptied says so and exits 1', async () => {
    const dir = newDir();
    const key = makeKey('k1');
    const keys = `k1:${key.key.toString('base64')}`;
    const seeded = await openStore({ dataDir: dir, production: false }, { keyring: new Keyring([key], 'k1') });
    await seeded.close();
    truncateSync(sqlitePath(dir), 0);
    const main = join(import.meta.dirname, '..', '..', 'src', 'main.ts');
    const env = { PATH: process.env.PATH ?? '', HOME: dir, SLACK_SOCKET_MODE: 'false', HEALTH_PORT: '0', SLACK_BOT_TOKEN: 'xoxb-test-0000', SLACK_SIGNING_SECRET: 's', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, STORE_KEYS: keys, STORE_KEY_ID: 'k1' };
    const tsx = pathToFileURL(join(import.meta.dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', tsx, main], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(err).toContain(`${sqlitePath(dir)} is empty (0 bytes)`);
    expect(err).toMatch(/delete the empty file/);
    expect(code).toBe(1);
  });

  it('DATABASE_URL selects Postgres: a server that cannot be reached is StoreUnavailable, without the URL password', async () => {
    const err = await openStore(
      { dataDir: newDir(), production: false, databaseUrl: 'postgres://rr:Db-Secret-991@127.0.0.1:1/rescue' },
      { keyring: new Keyring([makeKey('k')], 'k') },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'StoreUnavailable' });
    expect(JSON.stringify({ message: (err as Error).message, hint: (err as { hint?: string }).hint })).not.toContain('Db-Secret-991');
  });
});
