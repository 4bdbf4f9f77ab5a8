/** Prometheus metrics (prom-client): the metric set, and the timing of the store's operations. See metrics.ts. */
export * from './metrics.js';
export { timedMethods, timedParts, type OperationObserver } from './instrument.js';
