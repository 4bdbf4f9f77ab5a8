/**
 * The retention job: every `intervalMs`, deletes audit entries older than `auditDays` and rate-limit
 * hits older than any window. Safe to start on every replica: on Postgres each prune runs on one
 * replica at a time (the others skip that round, see postgres/state.ts); on SQLite the database
 * lock serializes them.
 */
import type { Logger } from '../../log.js';
import type { Store } from '../state-types.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionOptions {
  /** Keep audit entries this many days (AUDIT_RETENTION_DAYS). */
  auditDays: number;
  /** Rate-limit hits older than this are dropped; must exceed the longest rule window. Default 1 day. */
  rateHitMaxAgeMs?: number;
  /** Default 1 hour; the first run happens right away. */
  intervalMs?: number;
  logger?: Logger;
  now?: () => Date;
}

export interface RetentionJob {
  /** One pass now (also what the timer runs). */
  runOnce(): Promise<{ audit: number; rateHits: number }>;
  stop(): void;
}

export function startRetention(store: Pick<Store, 'audit' | 'limits'>, options: RetentionOptions): RetentionJob {
  const now = options.now ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 60 * 60 * 1000;
  const hitAge = options.rateHitMaxAgeMs ?? DAY_MS;
  let running: Promise<{ audit: number; rateHits: number }> | undefined;

  const runOnce = (): Promise<{ audit: number; rateHits: number }> => {
    running ??= (async () => {
      try {
        const t = now().getTime();
        const audit = await store.audit.prune(new Date(t - options.auditDays * DAY_MS));
        const rateHits = await store.limits.prune(new Date(t - hitAge));
        if (audit + rateHits > 0) options.logger?.info({ audit, rateHits, auditDays: options.auditDays }, 'retention: pruned old entries');
        return { audit, rateHits };
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const tick = (): void => {
    runOnce().catch((err: unknown) => options.logger?.warn({ err }, 'retention: prune failed; will retry next round'));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return { runOnce, stop: () => clearInterval(timer) };
}
