/**
 * rescue-ring's share of RisPort's rate (CUCM_RIS_PER_MINUTE) counted in the store's rate limiter: one
 * sliding minute for every process and replica on the same store (Postgres across replicas; the SQLite
 * file across the bot and the CLI). RisPort's own limit is for the whole cluster, so a per-process
 * budget would multiply by the number of replicas.
 */
import type { RisBudget } from '../callmanager/index.js';
import { RIS_WINDOW_MS } from '../callmanager/index.js';
import type { RateLimiter } from '../store/state-types.js';

export const RIS_BUCKET = 'cucm:risport';

export class StoreRisBudget implements RisBudget {
  constructor(
    private readonly limits: RateLimiter,
    readonly perMinute: number,
  ) {}

  async take(now: Date): Promise<boolean> {
    const decision = await this.limits.take([{ bucket: RIS_BUCKET, windowMs: RIS_WINDOW_MS, max: this.perMinute }], now);
    return decision.ok;
  }
}
