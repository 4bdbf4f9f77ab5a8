/**
 * The health listener itself (as Socket Mode serves it): /healthz is the process's liveness and
 * never asks anything; /readyz asks every check, and one that throws or does not answer in time is
 * not ok, with a reason, without holding up the answer.
 */
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { READINESS_TIMEOUT_MS, startHealthServer, type Readiness } from '../../src/slack/health.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

async function serve(readiness: Readiness): Promise<string> {
  const { server, port } = await startHealthServer(readiness, 0, '127.0.0.1');
  servers.push(server);
  return `http://127.0.0.1:${port}`;
}

describe('health listener', () => {
  it('waits 3 s for a check by default', () => {
    expect(READINESS_TIMEOUT_MS).toBe(3_000);
  });

  it('/readyz: 200 when every check is ok, async or not', async () => {
    const base = await serve({ checks: { store: async () => ({ ok: true }), slack: () => ({ ok: true }) } });
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.json()).toEqual({ status: 'ready', checks: { store: { ok: true }, slack: { ok: true } } });
  });

  it('/readyz: 503 with each failing check and its reason; a check that throws is not ok, naming the error code', async () => {
    const base = await serve({
      checks: {
        store: async () => ({ ok: false, reason: 'the SQLite file /data/rescue-ring.db is gone' }),
        slack: () => ({ ok: true }),
        thrower: () => {
          throw Object.assign(new Error('boom: postgres://user:secret@db/x'), { code: 'EBOOM' });
        },
        rejecter: () => Promise.reject(new TypeError('bad')),
        silent: () => ({ ok: false }),
      },
    });
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(503);
    const text = await r.text();
    expect(JSON.parse(text)).toEqual({
      status: 'not ready',
      checks: {
        store: { ok: false, reason: 'the SQLite file /data/rescue-ring.db is gone' },
        slack: { ok: true },
        thrower: { ok: false, reason: 'the check failed (EBOOM)' },
        rejecter: { ok: false, reason: 'the check failed (TypeError)' },
        silent: { ok: false, reason: 'not ready' },
      },
    });
    // A thrown error's message may carry anything: only its code or class is shown.
    expect(text).not.toContain('secret');
  });

  it('/readyz: a check that does not answer within the deadline is not ok, and the others are still reported', async () => {
    let release = (): void => undefined;
    const hanging = new Promise<{ ok: true }>((resolve) => {
      release = () => resolve({ ok: true });
    });
    const base = await serve({ timeoutMs: 200, checks: { store: () => hanging, slack: () => ({ ok: true }) } });
    const started = Date.now();
    const r = await fetch(`${base}/readyz`);
    const took = Date.now() - started;
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'not ready', checks: { store: { ok: false, reason: 'no answer within 0.2 s' }, slack: { ok: true } } });
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(2_000);
    // Once it answers again, so does /readyz.
    release();
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('/healthz answers 200 without asking any check, even while they fail or hang', async () => {
    let asked = 0;
    const base = await serve({
      checks: {
        store: () => {
          asked++;
          return new Promise(() => undefined);
        },
      },
    });
    const r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
    expect(asked).toBe(0);
  });

  it('HEAD /readyz answers the status without a body; other methods 405; other paths 404', async () => {
    const base = await serve({ checks: { store: async () => ({ ok: false, reason: 'shutting down' }) } });
    const head = await fetch(`${base}/readyz`, { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(await head.text()).toBe('');
    const post = await fetch(`${base}/readyz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
