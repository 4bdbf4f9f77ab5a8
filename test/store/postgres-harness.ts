/**
 * Postgres for tests: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names a
 * server; each test file creates a database of its own (unique name) and drops it afterwards, so
 * runs never collide. Without a server the Postgres tests are skipped with ONE line saying why and
 * how to run them, unless REQUIRE_POSTGRES_TESTS=1 (CI), where a missing server fails the run.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, it } from 'vitest';

export const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUIRED = process.env.REQUIRE_POSTGRES_TESTS === '1';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unavailable = await probe();

/** Prints the skip line once per vitest run (test files run in sibling worker processes). */
function sayOnce(line: string): void {
  try {
    closeSync(openSync(join(tmpdir(), `rescue-ring-pg-skip-${process.ppid}`), 'wx'));
    console.warn(line);
  } catch {
    // another file of this run said it already
  }
}

/** `describe` for tests that need a Postgres server. */
export function describePg(name: string, body: () => void): void {
  if (unavailable === undefined) {
    describe(name, body);
    return;
  }
  const where = new URL(SERVER_URL).host;
  if (REQUIRED) {
    describe(name, () => {
      it('needs the Postgres server named by TEST_DATABASE_URL', () => {
        throw new Error(`REQUIRE_POSTGRES_TESTS=1 but Postgres at ${where} does not answer (${unavailable}). Start it (.ci/run does: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start).`);
      });
    });
    return;
  }
  sayOnce(`Postgres tests skipped: no server answers at ${where} (${unavailable}). To run them, start PostgreSQL (trust auth for user postgres) or set TEST_DATABASE_URL=postgres://USER@HOST:PORT/postgres.`);
  describe.skip(name, body);
}

export function databaseUrl(name: string): string {
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  /** A pool on the test database, for playing the attacker, the crash or the operator. */
  admin: pg.Pool;
  drop(): Promise<void>;
}

/** Creates a database named uniquely for this run; `drop()` removes it (closing any connection left). */
export async function createTestDatabase(prefix = 'rr_test'): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const server = new pg.Client({ connectionString: SERVER_URL });
  await server.connect();
  try {
    await server.query(`CREATE DATABASE "${name}"`);
  } finally {
    await server.end();
  }
  const url = databaseUrl(name);
  const admin = new pg.Pool({ connectionString: url, max: 4 });
  // DROP ... WITH (FORCE) ends connections still closing; an idle client's error must not fail the run.
  admin.on('error', () => undefined);
  return {
    name,
    url,
    admin,
    drop: async () => {
      await admin.end().catch(() => undefined);
      const c = new pg.Client({ connectionString: SERVER_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Empties every table of the store (between tests sharing one database). */
export async function truncateAll(pool: pg.Pool): Promise<void> {
  const r = await pool.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'");
  if (r.rows.length > 0) await pool.query(`TRUNCATE ${r.rows.map((t) => `"${t.tablename}"`).join(', ')}`);
}
