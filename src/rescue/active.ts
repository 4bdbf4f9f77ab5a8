/**
 * The rescues ringing right now in this process: found by id (Stop button), by requester
 * (`/rescue stop`) and by target (never ring one phone twice at once); drained on shutdown.
 */
import { randomUUID } from 'node:crypto';

export interface ActiveRescue {
  readonly id: string;
  readonly teamId: string;
  readonly requesterId: string;
  readonly targetId: string;
  readonly controller: AbortController;
  readonly done: Promise<unknown>;
}

export class ActiveRescues {
  private readonly byId = new Map<string, ActiveRescue>();
  /** Keyed `team/target`: the check every /rescue makes stays O(1) with hundreds ringing. */
  private readonly byTarget = new Map<string, ActiveRescue>();

  /** Registers a rescue unless its target is already ringing; returns undefined in that case. */
  begin(teamId: string, requesterId: string, targetId: string, run: (signal: AbortSignal, id: string) => Promise<unknown>): ActiveRescue | undefined {
    const targetKey = keyOf(teamId, targetId);
    if (this.byTarget.has(targetKey)) return undefined;
    const controller = new AbortController();
    const id = randomUUID();
    const rescue: ActiveRescue = {
      id,
      teamId,
      requesterId,
      targetId,
      controller,
      done: Promise.resolve()
        .then(() => run(controller.signal, id))
        .finally(() => {
          this.byId.delete(id);
          this.byTarget.delete(targetKey);
        }),
    };
    this.byId.set(id, rescue);
    this.byTarget.set(targetKey, rescue);
    return rescue;
  }

  get(id: string): ActiveRescue | undefined {
    return this.byId.get(id);
  }

  forTarget(teamId: string, targetId: string): ActiveRescue | undefined {
    return this.byTarget.get(keyOf(teamId, targetId));
  }

  byRequester(teamId: string, requesterId: string): ActiveRescue[] {
    return [...this.byId.values()].filter((r) => r.teamId === teamId && r.requesterId === requesterId);
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * Shutdown: wait up to `graceMs` for rings in progress to finish, then cancel the rest and wait
   * for them to settle. Resolves when nothing is ringing.
   */
  async drain(graceMs: number): Promise<void> {
    const all = () => Promise.allSettled([...this.byId.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const first = await Promise.race([all().then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (first === 'timeout') {
      for (const r of this.byId.values()) r.controller.abort(new Error('shutting down'));
      await all();
    }
  }
}

function keyOf(teamId: string, userId: string): string {
  return `${teamId}/${userId}`;
}
