/**
 * Store.health() on Postgres: SELECT 1 through the pool (so a dead idle connection is replaced, as
 * for any query) within PG_HEALTH_TIMEOUT_MS. The reason names the failure (a socket error code or
 * SQLSTATE, with the server's message when it has one), never DATABASE_URL or a password.
 */
import type { StoreHealth } from '../state-types.js';
import type { PgDatabase } from './database.js';

export const PG_HEALTH_TIMEOUT_MS = 2_000;

/** Why the health query failed, as a short secret-free sentence. */
function failure(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  // pg messages name users and databases, never passwords; strip anything URL-shaped just in case.
  const safe = message.replace(/postgres(ql)?:\/\/\S+/gi, '[url]').slice(0, 200);
  // A socket error (ECONNREFUSED, ETIMEDOUT...) says it all in its code.
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `PostgreSQL does not answer (${code})`;
  // A SQLSTATE (28P01 authentication, 3D000 no such database, 57P01 shut down...) needs the server's words.
  if (typeof code === 'string') return `PostgreSQL refuses the health query (${code}: ${safe})`;
  return `PostgreSQL does not answer (${safe})`;
}

export async function pgHealth(db: PgDatabase, timeoutMs = PG_HEALTH_TIMEOUT_MS): Promise<StoreHealth> {
  if (db.isClosed) return { ok: false, reason: 'the store is closed' };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  // pool.query directly: PgDatabase.query would wrap the driver's error into a longer operator message.
  const answer = db.pool.query('SELECT 1').then(
    (): StoreHealth => ({ ok: true }),
    (err: unknown): StoreHealth => ({ ok: false, reason: failure(err) }),
  );
  try {
    const first = await Promise.race([answer, late]);
    return first === 'late' ? { ok: false, reason: `PostgreSQL does not answer within ${timeoutMs / 1000} s` } : first;
  } finally {
    clearTimeout(timer);
  }
}
