/**
 * One node-postgres pool per process, shared by the directory and the state tables. Connection
 * problems become StoreUnavailable naming the server (host, port, database), never the password in
 * DATABASE_URL. Transactions always run on one checked-out client.
 */
import pg from 'pg';
import type { Logger } from '../../log.js';
import { StoreUnavailable } from '../errors.js';

export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PgOptions {
  /** Most connections this process opens (DATABASE_POOL_MAX). Default 10. */
  poolMax?: number;
  connectTimeoutMs?: number;
  logger?: Logger;
}

/** `host:port/database` from a URL, for messages: never the user name or password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'the server named by DATABASE_URL';
  }
}

/** SQLSTATE classes and socket errors that mean "the database cannot be reached or used", not a bug. */
function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    // connection, auth, unknown database, resources, shutdown; lock and statement timeouts
    if (/^(08|28|3D|53|57P)/.test(code) || code === '55P03' || code === '57014') return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'].includes(code)) return true;
  }
  const message = err instanceof Error ? err.message : '';
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Cannot use a pool after calling end/i.test(message);
}

function reason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const text = typeof e.message === 'string' ? e.message : String(err);
  // pg messages name users and databases, never passwords; strip anything URL-shaped just in case.
  const safe = text.replace(/postgres(ql)?:\/\/\S+/gi, '[url]');
  return code !== undefined ? `${code}: ${safe}` : safe;
}

export class PgDatabase {
  readonly pool: pg.Pool;
  readonly where: string;
  private closed = false;

  constructor(url: string, options: PgOptions = {}) {
    this.where = describeDatabaseUrl(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      application_name: 'rescue-ring',
      // A database that vanished without closing the connection (failover, network cut) is noticed.
      keepAlive: true,
    });
    // An idle client losing its connection must never crash the process; the next query reconnects.
    this.pool.on('error', (err) => options.logger?.warn({ err: { code: (err as { code?: string }).code, message: reason(err) } }, 'Postgres connection lost (idle); it will be re-opened'));
  }

  /** Operator-facing error for a failure that means the database is not usable. */
  unavailable(err: unknown): StoreUnavailable {
    const code = (err as { code?: unknown }).code;
    const busy = code === '55P03' || code === '57014';
    return new StoreUnavailable(
      `The Postgres database ${this.where} cannot be used (${reason(err)}).`,
      busy
        ? 'The database stayed busy (another rescue-ring replica held a lock too long). Try again in a moment; if it persists, look for a stuck replica or a long transaction in pg_stat_activity.'
        : 'Check that the Postgres server is running and reachable, and that DATABASE_URL names an existing database and a user allowed to use it. Rescue-ring retries on the next request.',
      { cause: err },
    );
  }

  /** Runs `fn`, turning connection-level failures into StoreUnavailable; other errors pass through. */
  async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof StoreUnavailable) && isUnavailable(err)) throw this.unavailable(err);
      throw err;
    }
  }

  query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.guard(() => this.pool.query<R>(sql, values));
  }

  /**
   * Runs `fn` on one client between BEGIN and COMMIT (ROLLBACK on any error). `asyncCommit` skips
   * waiting for the WAL flush at COMMIT (still atomic and isolated; a server crash may forget the
   * last fraction of a second of such commits): only for data that may be lost, like rate-limit hits.
   * `lockTimeoutMs` bounds every lock wait inside (error 55P03, a StoreUnavailable).
   */
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>, options: { asyncCommit?: boolean; lockTimeoutMs?: number } = {}): Promise<T> {
    const begin = [
      'BEGIN',
      ...(options.asyncCommit ? ['SET LOCAL synchronous_commit TO OFF'] : []),
      ...(options.lockTimeoutMs !== undefined ? [`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`] : []),
    ].join('; ');
    return this.withClient(async (client) => {
      await client.query(begin);
      try {
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /** Runs `fn` on one checked-out client (session-level advisory locks need that). */
  withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.guard(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      // A checked-out client whose connection dies emits 'error' besides failing its query; the pool
      // only listens while the client is idle, so without this the process would crash.
      const onError = (err: Error): void => {
        broken = err;
      };
      client.on('error', onError);
      try {
        return await fn(client);
      } catch (err) {
        if (isUnavailable(err)) broken ??= err as Error;
        throw err;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Idempotent: every part of the store may call it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
