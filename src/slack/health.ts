/**
 * /healthz (the process is up), /readyz (the store answers and Slack is connected) and /metrics
 * (Prometheus, optionally behind a bearer token). Served by a small node:http listener on HEALTH_PORT
 * (both modes), and in HTTP mode also as Bolt custom routes on PORT (/metrics there only when asked).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One check's answer; `reason` (a short sentence for an operator, no secret) says what is wrong. */
export interface ReadinessCheck {
  ok: boolean;
  reason?: string;
}

/** Asks one thing (the store, Slack); may be async. Throwing counts as not ok. */
export type ReadinessProbe = () => ReadinessCheck | Promise<ReadinessCheck>;

/** How long /readyz waits for each check before counting it as not ok. */
export const READINESS_TIMEOUT_MS = 3_000;

export interface Readiness {
  /** What /readyz asks, by name (the names and answers are its body's `checks`). */
  readonly checks: Readonly<Record<string, ReadinessProbe>>;
  /** Per-check deadline; READINESS_TIMEOUT_MS when not given. */
  readonly timeoutMs?: number;
}

const errCode = (err: unknown): string => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : typeof err;
};

/** Runs one probe: its answer, or not ok when it throws or has not answered within `timeoutMs`. */
async function runProbe(probe: ReadinessProbe, timeoutMs: number): Promise<ReadinessCheck> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ReadinessCheck>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
  });
  const answer = Promise.resolve()
    .then(probe)
    .then((c): ReadinessCheck => (c.ok ? { ok: true } : { ok: false, reason: c.reason ?? 'not ready' }))
    .catch((err: unknown): ReadinessCheck => ({ ok: false, reason: `the check failed (${errCode(err)})` }));
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every check at once; ready when all are ok. */
export async function checkReadiness(readiness: Readiness): Promise<{ ready: boolean; checks: Record<string, ReadinessCheck> }> {
  const timeoutMs = readiness.timeoutMs ?? READINESS_TIMEOUT_MS;
  const names = Object.keys(readiness.checks);
  const answers = await Promise.all(names.map((name) => runProbe(readiness.checks[name] as ReadinessProbe, timeoutMs)));
  const checks = Object.fromEntries(names.map((name, i) => [name, answers[i] as ReadinessCheck]));
  return { ready: answers.every((c) => c.ok), checks };
}

/** What /metrics serves: the exposition text, and the token a scraper must present (none: open). */
export interface MetricsSource {
  text(): Promise<{ contentType: string; body: string }>;
  /** Secret: compared in constant time, never logged. */
  token?: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** "Authorization: Bearer <token>" with the right token (compared in constant time). */
function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: MetricsSource): void {
  if (!authorized(req, metrics.token)) {
    res.writeHead(401, { 'www-authenticate': 'Bearer realm="rescue-ring metrics"', 'content-type': 'text/plain' }).end('401: /metrics wants "Authorization: Bearer <METRICS_TOKEN>".\n');
    return;
  }
  metrics.text().then(
    ({ contentType, body }) => {
      if (!res.destroyed) res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : body);
    },
    () => {
      if (!res.destroyed) res.writeHead(500, { 'content-type': 'text/plain' }).end('500: the metrics could not be collected; see the log.\n');
    },
  );
}

export function healthHandler(readiness: Readiness, metrics?: MetricsSource) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (path === '/readyz') {
      // checkReadiness never rejects: every probe's failure is an answer.
      void checkReadiness(readiness).then(({ ready, checks }) => {
        if (res.destroyed) return;
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }));
      });
      return;
    }
    if (path === '/metrics' && metrics) {
      serveMetrics(req, res, metrics);
      return;
    }
    res.writeHead(404).end();
  };
}

export async function startHealthServer(readiness: Readiness, port: number, host: string, metrics?: MetricsSource): Promise<{ server: Server; port: number }> {
  const server = createServer(healthHandler(readiness, metrics));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
