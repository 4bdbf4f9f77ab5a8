/**
 * Metrics for one process, wired the same way by the bot, the demo and the tests: the store with each
 * part's operations timed, the phone client's observer, and the gauges read at each scrape.
 */
import type { Metrics } from '../metrics/index.js';
import { timedParts } from '../metrics/index.js';
import type { PhoneClient, PhoneRequestObservation } from '../phone/index.js';
import type { Store } from '../store/state-types.js';
import type { RescueDeps } from './deps.js';

/** The parts of the store whose operations are timed (as "part.method"). */
const TIMED_PARTS = ['directory', 'audit', 'limits', 'schedules', 'tones', 'phoneLock'] as const;

/** The store, each operation of its parts timed by engine and operation. */
export function meteredStore<S extends Store>(store: S, metrics: Metrics): S {
  return timedParts(store, TIMED_PARTS, (operation, ok, seconds) => metrics.storeOperation(store.engine, operation, ok, seconds));
}

/** For PhoneClientOptions.observe. */
export function phoneObserver(metrics: Metrics): (o: PhoneRequestObservation) => void {
  return (o) => metrics.phoneRequest(o.operation, o.outcome, o.seconds);
}

/**
 * The gauges: rescues ringing, requests waiting for a phone, scheduled rescues pending, the store's
 * health. `store` is the store itself, not the metered one: a scrape is not a store operation to count.
 */
export function watchRescues(metrics: Metrics, parts: { rescue: Pick<RescueDeps, 'active'>; phones: Pick<PhoneClient, 'waiting'>; store: Pick<Store, 'engine' | 'health'> & Partial<Pick<Store, 'schedules'>> }): void {
  const { rescue, phones, store } = parts;
  const schedules = store.schedules;
  metrics.watch({
    ringing: () => rescue.active.size,
    waiting: () => phones.waiting,
    ...(schedules ? { pendingScheduled: async () => (await schedules.pending({})).length } : {}),
    store: { engine: store.engine, up: async () => (await store.health()).ok },
  });
}
