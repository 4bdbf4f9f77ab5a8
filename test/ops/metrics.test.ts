/**
 * /metrics after real rescues: signed requests into Bolt's receiver, the Slack stand-in, simulated
 * phones over loopback HTTP, a real SQLite file, metrics wired as src/main.ts wires them. Each counter,
 * histogram and gauge is read from the Prometheus text the health listener serves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/index.js';
import { globalShortcut } from '../support/slack-requests.js';
import { ackText, ALICE, ME, NOBODY, PHONE_PASSWORD, startWorld, type World } from '../support/world.js';

const TOKEN = 'metrics-SECRET-token-5e2';
const MIN = 60_000;

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** name{a="1",b="2"} value → the value of the series with exactly these labels (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = (m[2] ?? '').match(/\w+="(?:[^"\\]|\\.)*"/g)?.sort().join(',') ?? '';
    if (got === want) return Number(m[3]);
  }
  return 0;
}

/** Every series (not its # HELP / # TYPE lines). */
const series = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

async function scrape(h: World): Promise<string> {
  const r = await h.scrape(TOKEN);
  expect(r.status).toBe(200);
  return r.text;
}

describe('/metrics', () => {
  it('wants the bearer token when METRICS_TOKEN is set, and never shows it', async () => {
    w = await startWorld({ metrics: { token: TOKEN } });
    expect((await w.scrape()).status).toBe(401);
    expect((await w.scrape('wrong-token')).status).toBe(401);
    const ok = await w.scrape(TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('# TYPE rescue_ring_rescues_total counter');
    expect(ok.text + w.logs.text()).not.toContain(TOKEN);
  });

  it('is on the health listener only, unless METRICS_ON_SLACK_PORT puts it on the port Slack reaches too', async () => {
    const onSlackPort = async (h: World) => (await fetch(h.url.replace('/slack/events', '/metrics'))).status;
    w = await startWorld({ metrics: {} });
    expect((await w.scrape()).status).toBe(200);
    expect(await onSlackPort(w)).toBe(404);
    await w.close();
    w = await startWorld({ metrics: { onSlackPort: true, token: TOKEN } });
    expect(await onSlackPort(w)).toBe(401);
    expect((await fetch(w.url.replace('/slack/events', '/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('counts a ring, a wrong password, an unregistered user and a hanging phone by kind, outcome and reason, with phone latencies', async () => {
    w = await startWorld({ metrics: { token: TOKEN }, rings: 2, responseTimeoutMs: 300 });
    const h = w;
    const phone = await h.phone();
    await h.register(ME, phone);
    await h.command(ME, '/rescue');
    await h.settle();
    let m = await scrape(h);
    expect(sample(m, 'rescue_ring_rescues_total', { kind: 'own', outcome: 'rang', reason: 'none' })).toBe(1);
    expect(sample(m, 'rescue_ring_phone_requests_total', { operation: 'execute', outcome: 'ok' })).toBe(2);
    expect(sample(m, 'rescue_ring_phone_request_duration_seconds_count', { operation: 'execute', outcome: 'ok' })).toBe(2);
    expect(sample(m, 'rescue_ring_rescues_ringing')).toBe(0);

    // The wrong password: the phone answers 401 to the first Play.
    await h.register(ME, phone, { password: 'not-the-password' });
    h.advance(3 * MIN);
    await h.command(ME, '/rescue');
    await h.settle();
    // Nobody: refused before any phone is asked.
    const r = await h.command(NOBODY, '/rescue');
    expect(ackText(r.body)).toContain('/phone');
    // A phone that hangs: the request times out after PHONE_RESPONSE_TIMEOUT (300 ms here).
    await h.register(ME, phone, { password: PHONE_PASSWORD });
    await phone.setFault('hang', true);
    h.advance(3 * MIN);
    await h.command(ME, '/rescue');
    await h.settle();

    m = await scrape(h);
    expect(sample(m, 'rescue_ring_rescues_total', { kind: 'own', outcome: 'failed', reason: 'PhoneAuthFailed' })).toBe(1);
    expect(sample(m, 'rescue_ring_rescues_total', { kind: 'own', outcome: 'refused', reason: 'NotRegistered' })).toBe(1);
    expect(sample(m, 'rescue_ring_rescues_total', { kind: 'own', outcome: 'failed', reason: 'PhoneTimeout' })).toBe(1);
    expect(sample(m, 'rescue_ring_phone_requests_total', { operation: 'execute', outcome: 'PhoneAuthFailed' })).toBe(1);
    // The hanging request took at least the response timeout: it lands above the 0.25 s bucket.
    expect(sample(m, 'rescue_ring_phone_request_duration_seconds_count', { operation: 'execute', outcome: 'PhoneTimeout' })).toBeGreaterThanOrEqual(1);
    expect(sample(m, 'rescue_ring_phone_request_duration_seconds_bucket', { operation: 'execute', outcome: 'PhoneTimeout', le: '0.25' })).toBe(0);
    // Slack: every Web API call counted by method; response_url posts apart.
    expect(sample(m, 'rescue_ring_slack_response_url_posts_total', { outcome: 'ok' })).toBeGreaterThan(0);
    // The store: its operations timed by engine and part.method; it answers its health check.
    expect(sample(m, 'rescue_ring_store_operation_duration_seconds_count', { engine: 'sqlite', operation: 'directory.get', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(m, 'rescue_ring_store_up', { engine: 'sqlite' })).toBe(1);
    expect(m + h.logs.text()).not.toContain(PHONE_PASSWORD);
  });

  it('counts Slack 429s apart (the post is retried and delivered)', async () => {
    w = await startWorld({ metrics: {} });
    const h = w;
    h.fake.setFault('chat.postMessage', { kind: 'rate_limited', retryAfterSeconds: 1 }, 1);
    await h.interact(globalShortcut('rescue_me', ME));
    await h.fake.waitFor('chat.postMessage', () => h.fake.callsTo('chat.postMessage').length >= 2);
    const m = (await h.scrape()).text;
    expect(sample(m, 'rescue_ring_slack_rate_limited_total', { method: 'chat.postMessage' })).toBe(1);
    expect(sample(m, 'rescue_ring_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'rate_limited' })).toBe(1);
    expect(sample(m, 'rescue_ring_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'ok' })).toBe(1);
  });

  it('counts scheduled rescues: pending, fired with how late, missed', async () => {
    w = await startWorld({ metrics: {}, scheduler: true, slack: { history: false } });
    const h = w;
    const phone = await h.phone();
    await h.register(ME, phone);
    await h.command(ME, '/rescue', 'in 10m');
    await h.command(ME, '/rescue', 'in 30m');
    await h.settle();
    let m = (await h.scrape()).text;
    expect(sample(m, 'rescue_ring_scheduled_rescues_pending')).toBe(2);
    h.advance(10 * MIN + 3_000);
    await h.round();
    await h.settle();
    // Down for longer than a scheduled rescue may be late: the second is missed.
    await h.restart(25 * MIN);
    await h.round();
    m = (await h.scrape()).text;
    expect(sample(m, 'rescue_ring_scheduled_rescues_pending')).toBe(0);
    expect(sample(m, 'rescue_ring_scheduled_rescues_total', { outcome: 'missed' })).toBe(1);
  });
});

describe('cardinality', () => {
  it('the number of series does not grow with the number of people, phones or what they type', async () => {
    w = await startWorld({ metrics: {}, rings: 1 });
    const h = w;
    // Each newcomer: registers a phone and rings it, tries to ring a colleague who has none, types
    // something that is not a command, and someone without a phone types /rescue.
    const run = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const user = `U0P${String(i).padStart(5, '0')}`;
        const phone = await h.phone();
        await h.register(user, phone);
        await h.command(user, '/rescue');
        await h.command(user, '/rescue', `<@${ALICE}|alice> "cover story number ${i}"`);
        await h.command(user, '/rescue', `gibberish ${i} ${'x'.repeat(i % 17)}`);
        await h.command(`U0N${String(i).padStart(5, '0')}`, '/rescue');
        h.advance(3 * MIN);
      }
      await h.settle();
      return series((await h.scrape()).text);
    };
    const few = await run(0, 3);
    const many = await run(3, 23);
    expect(many.map((l) => l.replace(/ \S+$/, ''))).toEqual(few.map((l) => l.replace(/ \S+$/, '')));
    // No label holds a user id, a phone address or anything typed.
    const text = many.join('\n');
    expect(text).not.toMatch(/U0P\d|U0N\d|U0ALICE|127\.0\.0\.1|cover story|gibberish/);
  });

  it('values outside a fixed set become "other"', () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.rescue('own', 'failed', 'not a code, typed by someone');
    metrics.slackCall('../../etc/passwd', 'ok');
    metrics.phoneRequest('format c:', 'ok', 0.1);
    return metrics.text().then(({ body }) => {
      expect(sample(body, 'rescue_ring_rescues_total', { kind: 'own', outcome: 'failed', reason: 'other' })).toBe(1);
      expect(sample(body, 'rescue_ring_slack_api_calls_total', { method: 'other', outcome: 'ok' })).toBe(1);
      expect(sample(body, 'rescue_ring_phone_requests_total', { operation: 'other', outcome: 'ok' })).toBe(1);
    });
  });

  it("Node's process metrics are there by default (event-loop lag, heap, GC, CPU)", async () => {
    const { body } = await new Metrics().text();
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds', 'process_cpu_seconds_total']) expect(body).toContain(`# TYPE ${name}`);
  });
});
