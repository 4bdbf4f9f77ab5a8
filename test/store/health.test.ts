/**
 * Store.health(): whether the store can answer now, with a reason an operator can act on. SQLite:
 * the file still at its path, the same file, readable and writable (an open connection would go on
 * reading and writing a deleted or replaced file without a word). Postgres: SELECT 1 within 2 s,
 * through a TCP relay the test cuts, silences and closes.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, truncateSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeKey } from './contract.js';
import { createTestDatabase, describePg, SERVER_URL, type TestDatabase } from './postgres-harness.js';
import { until } from '../support/until.js';
import { Keyring } from '../../src/store/keyring.js';
import { openFullStore, type Store, type StoreHealth } from '../../src/store/index.js';
import { sqlitePath } from '../../src/store/sqlite.js';

const keyring = new Keyring([makeKey('k1')], 'k1');
const root = process.getuid?.() === 0;

describe('SQLite store health', () => {
  let dir: string;
  let file: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rescue-ring-health-'));
    file = sqlitePath(dir);
    store = await openFullStore({ dataDir: dir, production: false }, { keyring });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ok on a fresh store', async () => {
    expect(store.engine).toBe('sqlite');
    expect(await store.health()).toEqual({ ok: true });
  });

  it('is not ok, naming the file, while the file is gone (renamed away), and ok again once it is back', async () => {
    renameSync(file, `${file}.away`);
    expect(await store.health()).toEqual({ ok: false, reason: `the SQLite file ${file} is gone` });
    // The connection itself still answers from the moved file: only the path tells.
    expect(await store.directory.count()).toBe(0);
    renameSync(`${file}.away`, file);
    expect(await store.health()).toEqual({ ok: true });
  });

  it('is not ok when the data folder is gone', async () => {
    renameSync(dir, `${dir}.away`);
    try {
      expect(await store.health()).toEqual({ ok: false, reason: `the SQLite file ${file} is gone` });
    } finally {
      renameSync(`${dir}.away`, dir);
    }
    expect(await store.health()).toEqual({ ok: true });
  });

  it('is not ok when the file was deleted and a copy put in its place: the connection still writes to the deleted one', async () => {
    copyFileSync(file, `${file}.backup`);
    rmSync(file);
    expect(await store.health()).toEqual({ ok: false, reason: `the SQLite file ${file} is gone` });
    copyFileSync(`${file}.backup`, file);
    expect(await store.health()).toEqual({ ok: false, reason: `the SQLite file ${file} was replaced by another file since rescue-ring opened it; restart rescue-ring to use it` });
    // A store opened on it (the restart) is ok.
    await store.close();
    store = await openFullStore({ dataDir: dir, production: false }, { keyring });
    expect(await store.health()).toEqual({ ok: true });
  });

  it('is not ok when the path is now a folder', async () => {
    renameSync(file, `${file}.away`);
    mkdirSync(file);
    expect(await store.health()).toEqual({ ok: false, reason: `the SQLite file ${file} is not a regular file any more` });
    rmSync(file, { recursive: true });
    renameSync(`${file}.away`, file);
    expect(await store.health()).toEqual({ ok: true });
  });

  it('is not ok when the file was emptied (0 bytes: its contents were lost)', async () => {
    truncateSync(file, 0);
    expect(await store.health()).toEqual({ ok: false, reason: `the SQLite file ${file} is empty (0 bytes): its contents were lost` });
  });

  it.skipIf(root)('is not ok while the file is not readable and writable by this process (chmod 000), ok again after chmod 600', async () => {
    chmodSync(file, 0o000);
    expect(await store.health()).toEqual({ ok: false, reason: `the SQLite file ${file} is not readable and writable by this process (EACCES)` });
    chmodSync(file, 0o600);
    expect(await store.health()).toEqual({ ok: true });
  });

  it.skipIf(root)('is not ok while the file is read-only (chmod 400)', async () => {
    chmodSync(file, 0o400);
    expect(await store.health()).toEqual({ ok: false, reason: `the SQLite file ${file} is not readable and writable by this process (EACCES)` });
    chmodSync(file, 0o600);
    expect(await store.health()).toEqual({ ok: true });
  });

  it('is not ok once closed, and never throws', async () => {
    await store.close();
    expect(await store.health()).toEqual({ ok: false, reason: 'the store is closed' });
  });
});

/** A TCP relay to the Postgres server that the test can silence (accepts, never answers) or close (nothing listens). */
class Relay {
  mode: 'forward' | 'silent' = 'forward';
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      this.track(client);
      if (this.mode === 'silent') return;
      const upstream = createConnection(this.target);
      this.track(upstream);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => this.sockets.delete(s));
  }

  /** Drops every connection through the relay (as a network cut or a restarted server would). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Stops listening: connections to the port are refused. */
  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.cut();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

describePg('Postgres store health', () => {
  const PASSWORD = 'pw-health-Secret-7c1';
  let db: TestDatabase;
  let relay: Relay;
  let store: Store;
  let url: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'rescue-ring-pg-health-'));

  beforeAll(async () => {
    db = await createTestDatabase('rr_health');
    const server = new URL(SERVER_URL);
    relay = new Relay({ host: server.hostname, port: Number(server.port || 5432) });
    await relay.start();
    // Through the relay, with a password in the URL (trust auth ignores it): it must never show in a reason.
    const u = new URL(db.url);
    u.host = `127.0.0.1:${relay.port}`;
    u.password = PASSWORD;
    url = u.toString();
    store = await openFullStore({ dataDir, production: false, databaseUrl: url }, { keyring, poolMax: 2 });
  });
  afterAll(async () => {
    await store?.close();
    await relay?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const secretFree = (h: StoreHealth): void => {
    const text = JSON.stringify(h);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('postgres://');
    expect(text).not.toContain(url);
  };

  it('is ok while the server answers', async () => {
    expect(store.engine).toBe('postgres');
    expect(await store.health()).toEqual({ ok: true });
  });

  it('is not ok within 2 s while the server accepts connections but does not answer, and ok again once it does', async () => {
    relay.mode = 'silent';
    relay.cut();
    const started = Date.now();
    // The first try may find the pooled connection just cut ("Connection terminated"); then a new one hangs.
    const hung = await until(() => store.health(), (h) => !h.ok && h.reason === 'PostgreSQL does not answer within 2 s', 'health reporting no answer within 2 s', { timeoutMs: 15_000 });
    secretFree(hung);
    expect(Date.now() - started).toBeLessThan(15_000);
    relay.mode = 'forward';
    relay.cut();
    expect(await until(() => store.health(), (h) => h.ok, 'health ok again', { timeoutMs: 15_000 })).toEqual({ ok: true });
  }, 30_000);

  it('is not ok with ECONNREFUSED when nothing listens on the port, without the URL or password', async () => {
    await relay.close();
    const refused = await until(() => store.health(), (h) => !h.ok && h.reason.includes('ECONNREFUSED'), 'health reporting ECONNREFUSED', { timeoutMs: 15_000 });
    expect(refused).toEqual({ ok: false, reason: 'PostgreSQL does not answer (ECONNREFUSED)' });
    secretFree(refused);
  });

  it('is not ok once closed', async () => {
    await store.close();
    expect(await store.health()).toEqual({ ok: false, reason: 'the store is closed' });
  });
});
