/**
 * The periodic job main.ts starts: prunes audit entries older than AUDIT_RETENTION_DAYS and
 * rate-limit hits older than the longest limit window. The pruning itself is the store's retention
 * job (on Postgres one replica at a time; on SQLite the database lock serializes it).
 */
import { startRetention } from '../store/state/retention.js';
import type { RescueDeps } from './deps.js';

/** Rate-limit hits are dropped after a day: well past the longest window (the hourly cap). */
const RATE_HIT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Runs once now, then every `intervalMs` (default 1 hour). Returns the stop function. */
export function startHousekeeping(deps: Pick<RescueDeps, 'audit' | 'limits' | 'settings' | 'logger' | 'clock'>, options: { intervalMs?: number } = {}): () => void {
  const job = startRetention(
    { audit: deps.audit, limits: deps.limits },
    {
      auditDays: deps.settings.auditRetentionDays,
      rateHitMaxAgeMs: Math.max(RATE_HIT_MAX_AGE_MS, deps.settings.limits.targetCooldownSeconds * 1000),
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      logger: deps.logger,
      ...(deps.clock ? { now: deps.clock } : {}),
    },
  );
  return () => job.stop();
}
