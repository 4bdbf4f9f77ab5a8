/**
 * rescue-ring's Prometheus metrics (prom-client), one registry per process. Every label value comes
 * from a fixed set (kinds, outcomes, the project's error codes, Slack method names, store operation
 * names): never a user id, a name, a phone address or anything typed, so the number of series stays
 * bounded whatever people do. Values outside a set become "other".
 *
 * This module knows no other part of rescue-ring: the phone client, the store, the Slack client and
 * the use cases report through the small methods below (wired in src/main.ts and src/demo).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRICS_PREFIX = 'rescue_ring_';

export type RescueKind = 'own' | 'colleague' | 'scheduled' | 'test';
/** rang: the phone rang (or was stopped by the person); refused: not attempted (a check said no); failed: attempted and did not ring. */
export type RescueOutcome = 'rang' | 'refused' | 'failed';

/** Phone answers span tens of milliseconds (an info page) to the 15 s response timeout (a hanging phone). */
export const PHONE_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 15, 30];
/** A store operation: a SQLite read is microseconds, a Postgres round trip milliseconds, a lock wait seconds. */
export const STORE_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];
/** How late a scheduled rescue fired: the runner polls every few seconds; 2 minutes late counts as missed. */
export const LATENESS_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120];

/** An error code of the project (PascalCase, as every AppError's `code`), else "other". */
export function codeLabel(code: string | undefined): string {
  if (code === undefined) return 'none';
  return /^[A-Z][A-Za-z0-9]{1,48}$/.test(code) ? code : 'other';
}

/** A Slack Web API method name (chat.postMessage, files.getUploadURLExternal), else "other". */
export function slackMethodLabel(method: string): string {
  return /^[a-z]+(\.[a-zA-Z]+){1,3}$/.test(method) ? method : 'other';
}

const bounded = <T extends string>(value: string, allowed: readonly T[]): T | 'other' => ((allowed as readonly string[]).includes(value) ? (value as T) : 'other');

export const PHONE_OPERATIONS = ['execute', 'text', 'screenshot', 'info'] as const;
export const SLACK_OUTCOMES = ['ok', 'error', 'rate_limited', 'http_error', 'network_error'] as const;
export type SlackOutcome = (typeof SLACK_OUTCOMES)[number];

export interface MetricsOptions {
  /** Node's process metrics (event-loop lag, heap, GC, CPU). Default true. */
  processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly rescues: Counter<'kind' | 'outcome' | 'reason'>;
  private readonly phoneRequests: Counter<'operation' | 'outcome'>;
  private readonly phoneSeconds: Histogram<'operation' | 'outcome'>;
  private readonly slackCalls: Counter<'method' | 'outcome'>;
  private readonly slackRateLimited: Counter<'method'>;
  private readonly responseUrlPosts: Counter<'outcome'>;
  private readonly lateness: Histogram;
  private readonly scheduledEnded: Counter<'outcome'>;
  private readonly storeSeconds: Histogram<'engine' | 'operation' | 'outcome'>;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    const p = METRICS_PREFIX;
    this.rescues = new Counter({
      name: `${p}rescues_total`,
      help: 'Rescues by kind (own phone, a colleague, scheduled, test ring), outcome (rang, refused, failed) and reason (the error code; none when it rang).',
      labelNames: ['kind', 'outcome', 'reason'],
      registers,
    });
    this.phoneRequests = new Counter({ name: `${p}phone_requests_total`, help: 'Requests to phones by operation and outcome (ok or the error code).', labelNames: ['operation', 'outcome'], registers });
    this.phoneSeconds = new Histogram({
      name: `${p}phone_request_duration_seconds`,
      help: 'Time from a request to a phone to its answer (the wait for the phone to be free included), by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: PHONE_BUCKETS,
      registers,
    });
    this.slackCalls = new Counter({
      name: `${p}slack_api_calls_total`,
      help: 'Slack Web API calls by method and outcome (ok, error: Slack answered ok=false, rate_limited: HTTP 429, http_error, network_error).',
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.slackRateLimited = new Counter({ name: `${p}slack_rate_limited_total`, help: 'Slack answers with HTTP 429 (rate limited), by Web API method (response_url for response_url posts).', labelNames: ['method'], registers });
    this.responseUrlPosts = new Counter({ name: `${p}slack_response_url_posts_total`, help: 'Posts to Slack response_urls by outcome (ok, rate_limited, http_error, network_error).', labelNames: ['outcome'], registers });
    this.lateness = new Histogram({ name: `${p}scheduled_rescue_lateness_seconds`, help: 'How long after its time a scheduled rescue fired.', buckets: LATENESS_BUCKETS, registers });
    this.scheduledEnded = new Counter({
      name: `${p}scheduled_rescues_total`,
      help: 'Scheduled rescues by what became of them: fired, missed (rescue-ring was not running in time), taken_over (the runner firing it stopped; the requester was told).',
      labelNames: ['outcome'],
      registers,
    });
    this.storeSeconds = new Histogram({
      name: `${p}store_operation_duration_seconds`,
      help: 'Store operations by engine (sqlite, postgres), operation (part.method) and outcome (ok, error).',
      labelNames: ['engine', 'operation', 'outcome'],
      buckets: STORE_BUCKETS,
      registers,
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  rescue(kind: RescueKind, outcome: RescueOutcome, reason?: string): void {
    this.rescues.inc({ kind, outcome, reason: codeLabel(reason) });
  }

  phoneRequest(operation: string, outcome: string, seconds: number): void {
    const labels = { operation: bounded(operation, PHONE_OPERATIONS), outcome: outcome === 'ok' ? 'ok' : codeLabel(outcome) };
    this.phoneRequests.inc(labels);
    this.phoneSeconds.observe(labels, seconds);
  }

  slackCall(method: string, outcome: SlackOutcome): void {
    const m = slackMethodLabel(method);
    this.slackCalls.inc({ method: m, outcome });
    if (outcome === 'rate_limited') this.slackRateLimited.inc({ method: m });
  }

  responseUrlPost(outcome: Exclude<SlackOutcome, 'error'>): void {
    this.responseUrlPosts.inc({ outcome });
    if (outcome === 'rate_limited') this.slackRateLimited.inc({ method: 'response_url' });
  }

  scheduledFired(latenessSeconds: number): void {
    this.lateness.observe(Math.max(0, latenessSeconds));
    this.scheduledEnded.inc({ outcome: 'fired' });
  }

  scheduledEnd(outcome: 'missed' | 'taken_over'): void {
    this.scheduledEnded.inc({ outcome });
  }

  storeOperation(engine: string, operation: string, ok: boolean, seconds: number): void {
    this.storeSeconds.observe({ engine: bounded(engine, ['sqlite', 'postgres']), operation: /^[a-z]+\.[a-zA-Z]+$/.test(operation) ? operation : 'other', outcome: ok ? 'ok' : 'error' }, seconds);
  }

  /**
   * The gauges read at each scrape: rescues ringing now, requests waiting for a busy phone, scheduled
   * rescues pending, and whether the store answers its health check. Call once.
   */
  watch(read: { ringing: () => number; waiting: () => number; pendingScheduled?: () => Promise<number>; store: { engine: string; up: () => Promise<boolean> } }): void {
    const registers = [this.registry];
    const p = METRICS_PREFIX;
    new Gauge({
      name: `${p}rescues_ringing`,
      help: 'Rescues ringing now (this process).',
      registers,
      collect() {
        this.set(read.ringing());
      },
    });
    new Gauge({
      name: `${p}phone_requests_waiting`,
      help: 'Requests waiting for a phone that is busy with another request (this process).',
      registers,
      collect() {
        this.set(read.waiting());
      },
    });
    const pending = read.pendingScheduled;
    new Gauge({
      name: `${p}scheduled_rescues_pending`,
      help: 'Scheduled rescues waiting for their time (the whole store).',
      registers,
      async collect() {
        this.set(pending ? await pending().catch(() => Number.NaN) : 0);
      },
    });
    const engine = bounded(read.store.engine, ['sqlite', 'postgres']);
    new Gauge({
      name: `${p}store_up`,
      help: '1 when the store answers its health check (the /readyz store check), 0 when it does not.',
      labelNames: ['engine'],
      registers,
      async collect() {
        this.set({ engine }, (await read.store.up().catch(() => false)) ? 1 : 0);
      },
    });
  }

  /** The Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
