/**
 * The wait between a ring's rings, on the test's side (RescueDeps.ringPause): no test sleeps through
 * a ring pause. By default every pause ends at once (and is recorded in `asked`, so a test still sees
 * the interval the ring asked for). `hold()` keeps every pause, current and new, waiting until
 * `release()` or until the ring is stopped: a ring stays "in progress" exactly as long as a test
 * needs, whatever the machine's speed.
 */
import type { RingPause } from '../../src/phone/index.js';

export class RingPauses {
  /** Every pause a ring asked for, in ms, in order. */
  readonly asked: number[] = [];
  private held = false;
  private readonly waiting = new Set<() => void>();
  private readonly heldWaiters = new Set<() => void>();

  readonly pause: RingPause = (ms, signal) => {
    this.asked.push(ms);
    if (signal?.aborted) return Promise.resolve(false);
    if (!this.held) return Promise.resolve(true);
    return new Promise((resolve) => {
      const end = (rang: boolean) => {
        this.waiting.delete(go);
        signal?.removeEventListener('abort', onAbort);
        resolve(rang);
      };
      const go = () => end(true);
      const onAbort = () => end(false);
      this.waiting.add(go);
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const w of this.heldWaiters) w();
      this.heldWaiters.clear();
    });
  };

  /** From now on, pauses wait for `release()` (or the ring's Stop). */
  hold(): void {
    this.held = true;
  }

  /** Ends every waiting pause and lets the next ones end at once. */
  release(): void {
    this.held = false;
    for (const go of [...this.waiting]) go();
  }

  /** How many rings are waiting in a held pause right now. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Resolves once a ring waits in a held pause (at once if one already does); fails after `timeoutMs` saying what was asked. */
  paused(timeoutMs = 10_000): Promise<void> {
    if (this.waiting.size > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.heldWaiters.delete(done);
        reject(new Error(`no ring paused within ${timeoutMs} ms (held: ${this.held}); pauses asked so far: [${this.asked.join(', ')}]`));
      }, timeoutMs);
      this.heldWaiters.add(done);
    });
  }
}
