/**
 * One request per phone across replicas: a lease row per phone, taken with one INSERT ... ON CONFLICT
 * that succeeds only when the row is free or its lease has expired (database clock, so replica clocks
 * do not matter). The holder renews it while the request runs; a replica that dies stops renewing,
 * so the phone is free again one lease later. Waiters poll (with jitter) and honour their AbortSignal.
 *
 * A lease rather than a session advisory lock: an advisory lock would pin one pooled connection per
 * phone for the whole request (a 500-phone fan-out would need 500 connections).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { PhoneLock } from '../../phone/queue.js';
import { abortReason } from '../../phone/queue.js';
import type { PgDatabase } from './database.js';

export interface PgPhoneLockOptions {
  /** How long a lease lasts without renewal (how long a dead replica can block a phone). Default 20 s. */
  leaseMs?: number;
  /** How often the holder renews. Default a quarter of leaseMs. */
  renewMs?: number;
  /** Base wait between attempts while another replica holds the phone. Default 40 ms (plus jitter). */
  pollMs?: number;
}

export class PgPhoneLock implements PhoneLock {
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly pollMs: number;
  private readonly owner = `${hostname()}:${process.pid}`;

  constructor(
    private readonly db: PgDatabase,
    options: PgPhoneLockOptions = {},
  ) {
    this.leaseMs = Math.max(10, options.leaseMs ?? 20_000);
    this.renewMs = Math.max(5, options.renewMs ?? Math.floor(this.leaseMs / 4));
    this.pollMs = Math.max(1, options.pollMs ?? 40);
  }

  /** One attempt: true when this holder now has the lease. */
  private async tryTake(phoneKey: string, holder: string): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO phone_leases (phone_key, holder, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (phone_key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE phone_leases.expires_at < clock_timestamp()`,
      [phoneKey, holder, this.leaseMs],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async acquire(phoneKey: string, signal?: AbortSignal): Promise<() => Promise<void>> {
    const holder = `${this.owner}:${randomUUID()}`;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      if (await this.tryTake(phoneKey, holder)) break;
      await pause(this.pollMs + Math.floor(Math.random() * this.pollMs), signal);
    }
    const renew = setInterval(() => {
      this.db
        .query(`UPDATE phone_leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE phone_key = $1 AND holder = $2`, [phoneKey, holder, this.leaseMs])
        .catch(() => undefined); // a failed renewal only shortens the lease
    }, this.renewMs);
    renew.unref();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      await this.db.query('DELETE FROM phone_leases WHERE phone_key = $1 AND holder = $2', [phoneKey, holder]);
    };
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
