/**
 * Requests Slack would never send (bad signature, replayed), Slack-side faults (429, 500,
 * channel_not_found, a dead response_url, a hanging API), and the health endpoints.
 */
import { renameSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreHealth } from '../../src/store/index.js';
import { messageText } from '../support/fake-slack.js';
import { globalShortcut, send, slashCommand, staleTimestamp } from '../support/slack-requests.js';
import { ackText, ALICE, dmOf, ME, SIGNING_SECRET, startWorld, TEAM, type World } from '../support/world.js';
import { until } from '../support/until.js';

let h: World;
beforeEach(async () => {
  h = await startWorld({ rings: 3 });
});
afterEach(async () => {
  await h.close();
});

describe('request verification', () => {
  it('rejects a bad signature with 401 and rings nothing', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await send(h.url, slashCommand(SIGNING_SECRET, { command: '/rescue', user_id: ME, team_id: TEAM, response_url: h.fake.responseUrl('x') }, { wrongSecret: 'not-the-secret' }));
    expect(r.status).toBe(401);
    expect(r.text).toBe('');
    await h.settle(); // a ring started in spite of the 401 would be waited for here
    expect(phone.requests).toHaveLength(0);
  });

  it('rejects a stale timestamp (replay) with 401', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await send(h.url, slashCommand(SIGNING_SECRET, { command: '/rescue', user_id: ME, team_id: TEAM, response_url: h.fake.responseUrl('x') }, { timestamp: staleTimestamp() }));
    expect(r.status).toBe(401);
    expect(phone.requests).toHaveLength(0);
  });

  it('accepts the same request correctly signed', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await send(h.url, slashCommand(SIGNING_SECRET, { command: '/rescue', text: 'help', user_id: ME, team_id: TEAM, response_url: h.fake.responseUrl('x') }));
    expect(r.status).toBe(200);
  });
});

describe('Slack faults: handled, logged, never a crash', () => {
  it('429 with Retry-After on a DM post: waits, retries and delivers', async () => {
    h.fake.setFault('chat.postMessage', { kind: 'rate_limited', retryAfterSeconds: 1 }, 1);
    await h.interact(globalShortcut('rescue_me', ME));
    const posts = await h.fake.waitFor('chat.postMessage', (c) => c !== h.fake.callsTo('chat.postMessage')[0]);
    expect(messageText(posts.params)).toContain('/phone');
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(h.logs.text()).toMatch(/rate limit/i);
  });

  it('HTTP 500 from views.publish is logged and the bot keeps answering', async () => {
    h.fake.setFault('views.publish', { kind: 'http', status: 500 });
    await h.event({ type: 'app_home_opened', user: ME, channel: dmOf(ME), tab: 'home', event_ts: '1' });
    await waitForLog(h, 'views.publish failed');
    expect(h.logs.text()).toContain('http_500');
    const r = await h.command(ME, '/rescue', 'help');
    expect(ackText(r.body)).toContain('How to use /rescue');
  });

  it('a response_url that answers 404 is logged, the ring still completes, and the outcome comes by DM instead', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await h.command(ME, '/rescue');
    h.fake.setResponseUrlStatus(r.responseId, 404);
    await until(() => phone.played, (played) => played.length === 3, 'three rings');
    await waitForLog(h, 'response_url post failed');
    expect(h.logs.text()).toContain('response_url_404');
    const dm = await h.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ME));
    expect(messageText(dm.params)).toContain('Your phone rang 3 times');
    const again = await h.command(ME, '/rescue', 'help');
    expect(again.status).toBe(200);
  });

  it('channel_not_found when DMing the rescued colleague is logged; the requester still gets the outcome', async () => {
    const phone = await h.phone();
    await h.register(ALICE, phone);
    h.fake.setFault('chat.postMessage', { kind: 'error', error: 'channel_not_found' });
    const r = await h.command(ME, '/rescue', `<@${ALICE}>`);
    await h.fake.waitForResponse(r.responseId, 'rang 3 times');
    await waitForLog(h, 'channel_not_found');
  });

  it('a Web API call that hangs times out, is logged, and does not block other users', async () => {
    await h.close();
    h = await startWorld({ rings: 3, slack: { app: { timeoutMs: 500, retries: 0 } } });
    h.fake.setFault('views.open', { kind: 'hang' });
    const slow = await h.command(ME, '/phone');
    expect(slow.status).toBe(200);
    const other = await h.command(ALICE, '/rescue', 'help');
    expect(ackText(other.body)).toContain('How to use /rescue');
    await h.fake.waitForResponse(slow.responseId, 'took too long');
  });

  it('no reply or log line carries a stack trace, a token or the signing secret', async () => {
    const phone = await h.phone({ faults: { garbage: true } });
    await h.register(ME, phone);
    const r = await h.command(ME, '/rescue');
    await h.fake.waitForResponse(r.responseId, 'could not ring your phone');
    const replies = JSON.stringify(h.fake.calls.filter((c) => c.method === 'response_url'));
    expect(replies).not.toMatch(/\bat .+\.(ts|js):\d+/);
    const all = replies + h.logs.text();
    expect(all).not.toContain('xoxb-test-bot-token');
    expect(all).not.toContain(SIGNING_SECRET);
  });
});

describe('health', () => {
  it('/healthz answers 200 and /readyz reports the store and Slack', async () => {
    const base = h.url.replace('/slack/events', '');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: { ok: true }, slack: { ok: true } } });
  });

  it('keeps idle connections open for 65 s, so a burst after a quiet spell needs no new connections', async () => {
    const base = h.url.replace('/slack/events', '');
    const res = await fetch(`${base}/healthz`);
    await res.arrayBuffer();
    expect(res.headers.get('keep-alive')).toBe('timeout=65');
  });

  it('/readyz answers 503 with the reason while the SQLite file is gone, 200 once it is back; /healthz stays 200', async () => {
    const base = h.url.replace('/slack/events', '');
    const readyz = async () => {
      const r = await fetch(`${base}/readyz`);
      return { status: r.status, body: (await r.json()) as { status: string; checks: Record<string, { ok: boolean; reason?: string }> } };
    };
    const healthz = async () => (await fetch(`${base}/healthz`)).status;
    expect((await readyz()).status).toBe(200);

    const away = `${h.dbFile}.away`;
    renameSync(h.dbFile, away);
    try {
      const gone = await until(readyz, (r) => r.status === 503, '/readyz answering 503');
      expect(gone.body).toEqual({ status: 'not ready', checks: { store: { ok: false, reason: `the SQLite file ${h.dbFile} is gone` }, slack: { ok: true } } });
      expect(await healthz()).toBe(200);
    } finally {
      renameSync(away, h.dbFile);
    }

    const back = await until(readyz, (r) => r.status === 200, '/readyz answering 200 again');
    expect(back.body).toEqual({ status: 'ready', checks: { store: { ok: true }, slack: { ok: true } } });
    expect(await healthz()).toBe(200);
  });

  it('/readyz answers 503 with the reason the store gives (main.ts: "shutting down" once the store is closed)', async () => {
    await h.close();
    let health: StoreHealth = { ok: false, reason: 'shutting down' };
    h = await startWorld({ rings: 3, slack: { app: { storeHealth: async () => health } } });
    const base = h.url.replace('/slack/events', '');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, unknown> }).checks.store).toEqual({ ok: false, reason: 'shutting down' });
    health = { ok: true };
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});

async function waitForLog(world: World, needle: string): Promise<void> {
  await until(() => world.logs.text(), (text) => text.includes(needle), `a log line with "${needle}"`);
}
