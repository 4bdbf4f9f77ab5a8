/**
 * Work a listener starts after its ack (a ring, an upload, the follow-up posts). Listeners return
 * at once so Slack never waits; failures are logged, never unhandled; shutdown waits for the rest.
 */
import type { Logger } from '../log.js';

export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(what: string, work: () => Promise<void>): void {
    const p: Promise<void> = Promise.resolve()
      .then(work)
      .catch((err: unknown) => this.logger.error({ err, task: what }, 'background task failed'))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves when every task has finished, or after `timeoutMs`; true when all finished. */
  async idle(timeoutMs = 30_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = (async () => {
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      return true as const;
    })();
    const result = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    return result;
  }
}
