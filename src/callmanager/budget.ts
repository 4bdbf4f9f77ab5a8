/**
 * rescue-ring's own share of RisPort's rate: at most `perMinute` queries in any sliding minute. The
 * interface is one method so the integrator can back it with the Postgres store (one budget across
 * replicas); the default lives in memory.
 */

export interface RisBudget {
  /** Take one query from the budget at `now`; false when the last minute already holds `perMinute`. */
  take(now: Date): Promise<boolean>;
}

export const RIS_WINDOW_MS = 60_000;

/** The in-memory sliding-minute budget (one process). */
export class MemoryRisBudget implements RisBudget {
  private readonly taken: number[] = [];

  constructor(readonly perMinute: number) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError('perMinute must be a positive integer');
  }

  take(now: Date): Promise<boolean> {
    const t = now.getTime();
    while (this.taken.length > 0 && this.taken[0]! <= t - RIS_WINDOW_MS) this.taken.shift();
    if (this.taken.length >= this.perMinute) return Promise.resolve(false);
    this.taken.push(t);
    return Promise.resolve(true);
  }
}
