/**
 * Device name → current IPv4 address, within RisPort's limits:
 * - a cache of name → { ip, seenAt } fresh for `addressCacheSeconds`;
 * - lookups that miss the cache and arrive within `batchWindowMs` of each other (500 rescues started at
 *   once) are sent as one selectCmDeviceExt of up to 1000 names; a name already waiting or in flight
 *   shares that query's answer;
 * - queries are at least `minQueryIntervalMs` apart (real time): lookups arriving after a query went
 *   wait for the next one, so a burst spread over a second (500 rescues started within one second)
 *   makes two queries, not one per few milliseconds (which would spend CUCM_RIS_PER_MINUTE at once).
 *   One query is in flight at a time. An isolated lookup waits only the batch window;
 * - every query takes one from the RisBudget (RisPortClient does), so rescue-ring stays under
 *   CUCM_RIS_PER_MINUTE; over it, or with RisPort down, the last known address still serves if it is
 *   younger than `staleAddressSeconds`, otherwise the typed error is thrown.
 * `refresh(name)` is for "the cached address did not answer" (the phone moved): it asks RisPort again.
 */
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { isAppError } from '../errors.js';
import { checkDeviceName } from './device-name.js';
import { DeviceNotRegistered, DeviceUnknown } from './errors.js';
import { MAX_DEVICES_PER_QUERY, type RisPortClient } from './risport.js';
import type { DeviceState, ResolvedAddress } from './types.js';

export const DEFAULT_BATCH_WINDOW_MS = 5;
export const DEFAULT_MIN_QUERY_INTERVAL_MS = 1_000;

export interface AddressResolverOptions {
  addressCacheSeconds: number;
  staleAddressSeconds: number;
  clock?: () => Date;
  logger?: Logger;
  /** How long a lookup waits for others to join its query. Default 5 ms. */
  batchWindowMs?: number;
  /** Least time between two queries, real time (a batch of 1000 names goes at once). Default 1 s. */
  minQueryIntervalMs?: number;
}

interface Known {
  ip: string;
  seenAt: number;
}

interface Waiter {
  resolve: (state: DeviceState) => void;
  reject: (err: unknown) => void;
}

export class AddressResolver {
  private readonly cache = new Map<string, Known>();
  /** Names waiting for the next query, each with everyone waiting for it. */
  private pending = new Map<string, Waiter[]>();
  /** Names in a query already sent → that query's answer for them. */
  private readonly inFlight = new Map<string, Promise<DeviceState>>();
  private timer: NodeJS.Timeout | undefined;
  /** One query at a time: names arriving meanwhile wait for the next one. */
  private sending = false;
  private readonly clock: () => Date;
  private readonly logger: Logger;
  private readonly windowMs: number;
  private readonly minIntervalMs: number;
  /** performance.now() when the last query was sent. */
  private lastSentAt = -Infinity;

  constructor(
    private readonly ris: RisPortClient,
    private readonly options: AddressResolverOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? silentLogger();
    this.windowMs = options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS;
    this.minIntervalMs = options.minQueryIntervalMs ?? DEFAULT_MIN_QUERY_INTERVAL_MS;
  }

  /** The device's address: from the cache when fresh, else from RisPort (batched), else a young-enough last known one. */
  async lookup(name: string): Promise<ResolvedAddress> {
    const key = checkDeviceName(name);
    const known = this.cache.get(key);
    if (known && this.clock().getTime() - known.seenAt < this.options.addressCacheSeconds * 1000) {
      return { name: key, ip: known.ip, seenAt: new Date(known.seenAt), source: 'cache' };
    }
    return this.ask(key);
  }

  /** The cached address did not answer: ask RisPort once more (within the rate); the same fallbacks as lookup. */
  refresh(name: string): Promise<ResolvedAddress> {
    return this.ask(checkDeviceName(name));
  }

  /** What the cache holds for a device (fresh or not), for status pages; never asks RisPort. */
  lastKnown(name: string): { ip: string; seenAt: Date } | undefined {
    const known = this.cache.get(checkDeviceName(name));
    return known ? { ip: known.ip, seenAt: new Date(known.seenAt) } : undefined;
  }

  /** Forget every cached address (tests, a changed CUCM_URL). */
  clear(): void {
    this.cache.clear();
  }

  private async ask(key: string): Promise<ResolvedAddress> {
    let state: DeviceState;
    try {
      state = await this.query(key);
    } catch (err) {
      return this.fallback(key, err);
    }
    if (state.kind === 'registered') {
      const seenAt = this.clock().getTime();
      this.cache.set(key, { ip: state.ip, seenAt });
      return { name: key, ip: state.ip, seenAt: new Date(seenAt), source: 'risport' };
    }
    // RisPort answered: the device is not there now, whatever the cache remembers.
    this.cache.delete(key);
    if (state.kind === 'unregistered') throw new DeviceNotRegistered(key, state.status);
    throw new DeviceUnknown(key);
  }

  private fallback(key: string, err: unknown): ResolvedAddress {
    const known = this.cache.get(key);
    const age = known ? this.clock().getTime() - known.seenAt : Infinity;
    const code = isAppError(err) ? err.code : 'Unexpected';
    if (known && age < this.options.staleAddressSeconds * 1000) {
      this.logger.warn({ device: key, error: code, ageSeconds: Math.round(age / 1000) }, 'RisPort unavailable; using the last known address');
      return { name: key, ip: known.ip, seenAt: new Date(known.seenAt), source: 'stale' };
    }
    this.logger.warn({ device: key, error: code }, 'RisPort unavailable and no recent address known');
    throw err;
  }

  /** Joins the query in flight for this name, or the next batch (sent after the window or at 1000 names). */
  private query(key: string): Promise<DeviceState> {
    const flying = this.inFlight.get(key);
    if (flying) return flying;
    return new Promise<DeviceState>((resolve, reject) => {
      const waiters = this.pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (this.pending.size >= MAX_DEVICES_PER_QUERY && !this.sending) this.flush();
      else this.schedule();
    });
  }

  /** The next query goes after the batch window and the spacing, and never while one is in flight. */
  private schedule(): void {
    if (this.timer || this.sending || this.pending.size === 0) return;
    this.timer = setTimeout(() => this.flush(), Math.max(this.windowMs, this.lastSentAt + this.minIntervalMs - performance.now()));
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (batch.size === 0 || this.sending) return;
    this.pending = new Map();
    this.sending = true;
    this.lastSentAt = performance.now();
    const names = [...batch.keys()];
    const answer = this.ris.selectCmDeviceExt(names);
    for (const name of names) {
      const one = answer.then((m) => m.get(name) ?? ({ kind: 'unknown', name } as const));
      one.catch(() => undefined);
      this.inFlight.set(name, one);
    }
    answer.then(
      (states) => {
        for (const [name, waiters] of batch) for (const w of waiters) w.resolve(states.get(name) ?? { kind: 'unknown', name });
      },
      (err: unknown) => {
        for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
      },
    ).finally(() => {
      for (const name of names) this.inFlight.delete(name);
      this.sending = false;
      this.schedule();
    });
  }
}
