/**
 * At most one request in flight per phone: phones serve one request at a time, and Play blocks
 * until the tone ends. Callers wait their turn in order; a waiting caller can abort.
 */

interface Waiter {
  grant: () => void;
}

export type Release = () => void;

/** The abort reason as an Error (the signal's own reason when it is one). */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new DOMException('The operation was aborted', 'AbortError');
}

export class PerKeyQueue {
  private readonly queues = new Map<string, Waiter[]>();
  private readonly busy = new Set<string>();

  /** Number of keys currently in use (for tests and metrics). */
  get activeKeys(): number {
    return this.busy.size;
  }

  /** Callers waiting for their turn, over every key (metrics). */
  get waiting(): number {
    let n = 0;
    for (const waiters of this.queues.values()) n += waiters.length;
    return n;
  }

  /**
   * The release function at once when the key is free (nobody holds or waits for it), else undefined
   * (then wait with acquire()). Throws the abort reason when the signal has already fired.
   */
  tryAcquire(key: string, signal?: AbortSignal): Release | undefined {
    if (signal?.aborted) throw abortReason(signal);
    if (this.busy.has(key)) return undefined;
    this.busy.add(key);
    return this.releaser(key);
  }

  /** Resolves with a release function when it is this caller's turn. */
  acquire(key: string, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (!this.busy.has(key)) {
      this.busy.add(key);
      return Promise.resolve(this.releaser(key));
    }
    return new Promise<Release>((resolve, reject) => {
      const waiters = this.queues.get(key) ?? [];
      this.queues.set(key, waiters);
      const onAbort = (): void => {
        const i = waiters.indexOf(waiter);
        if (i !== -1) waiters.splice(i, 1);
        if (waiters.length === 0 && this.queues.get(key) === waiters) this.queues.delete(key);
        reject(abortReason(signal!));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser(key));
        },
      };
      waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(key: string): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const waiters = this.queues.get(key);
      const next = waiters?.shift();
      if (waiters && waiters.length === 0) this.queues.delete(key);
      if (next) next.grant();
      else this.busy.delete(key);
    };
  }
}

/**
 * A per-phone lock shared by several processes (replicas), taken around each request to a phone
 * AFTER the in-process queue (so only one local caller waits on it per phone). The Postgres store
 * provides one (a lease that expires, so a crashed replica never blocks a phone for good).
 */
export interface PhoneLock {
  /** Resolves with a release function when this process may talk to the phone; rejects on abort. */
  acquire(phoneKey: string, signal?: AbortSignal): Promise<() => Promise<void>>;
}
