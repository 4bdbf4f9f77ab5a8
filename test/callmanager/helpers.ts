/**
 * One call-manager world per test: the simulated call manager over real HTTP on loopback, a client
 * built with createCallManager against it, one controllable clock shared by both, and every log
 * line captured (to look for the password). Everything is stopped after each test.
 */
import { afterEach } from 'vitest';
import { createCallManager, type CallManager, type CallManagerDeps, type CallManagerOptions } from '../../src/callmanager/index.js';
import { createLogger } from '../../src/log.js';
import { startCallManagerSim, type SimCucmOptions, type SimulatedCallManager } from '../../src/sim/cucm/index.js';
import { LogCapture } from '../support/capture.js';
import { simOptions } from '../support/cucm.js';

export { simOptions };

export const T0 = Date.parse('2026-12-04T10:00:00Z');

export interface World {
  sim: SimulatedCallManager;
  cm: CallManager;
  logs: LogCapture;
  /** Moves the shared clock forward. */
  advance(ms: number): void;
  clock: () => Date;
  options: CallManagerOptions;
}

export interface WorldOptions {
  sim?: SimCucmOptions;
  client?: Partial<CallManagerOptions>;
  deps?: CallManagerDeps;
}

/** Call at the top level of a test file; `world()` starts one world, stopped after each test. */
export function worlds(): (o?: WorldOptions) => Promise<World> {
  const started: World[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async (w) => {
      await w.cm.close();
      await w.sim.stop();
    }));
  });
  return async (o: WorldOptions = {}) => {
    let now = T0;
    const clock = () => new Date(now);
    const sim = await startCallManagerSim({ clock, ...o.sim });
    const logs = new LogCapture();
    const options = simOptions(sim.url, o.client);
    // Queries back to back in tests (the injected clock moves time); the batching test sets its own spacing.
    const cm = createCallManager(options, { clock, logger: createLogger({ level: 'debug', destination: logs.stream }), minQueryIntervalMs: 0, ...o.deps });
    const w: World = { sim, cm, logs, clock, options, advance: (ms) => (now += ms) };
    started.push(w);
    return w;
  };
}

/** SEP name number i: SEP + 12 hex digits. */
export function sep(i: number): string {
  return `SEP${i.toString(16).toUpperCase().padStart(12, '0')}`;
}

/** Awaits the promise and returns what it threw (fails when it resolved). */
export async function thrown(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
