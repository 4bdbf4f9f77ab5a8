/** Socket Mode end to end: apps.connections.open on the fake, a loopback WebSocket speaking the envelope protocol. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rescueSettingsFromEnv } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { createNetworkPolicy, PhoneClient } from '../../src/phone/index.js';
import { registerPhone, rescueDeps, type RescueDeps } from '../../src/rescue/index.js';
import { startPhone, type SimPhone } from '../../src/sim/index.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { openFullStore } from '../../src/store/index.js';
import { FakeSlack, messageText } from '../support/fake-slack.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('Socket Mode', () => {
  it('connects through apps.connections.open and handles /rescue sent as an envelope', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-socket-'));
    const fake = await FakeSlack.start({ users: [{ id: 'U1', name: 'me' }] });
    const logger = silentLogger();
    const store = await openFullStore({ dataDir: dir, production: false }, { logger });
    const phone: SimPhone = await startPhone({ toneTimeScale: 0.05 });
    const settings = rescueSettingsFromEnv({ PHONE_DEFAULT_INTERVAL_SECONDS: '1', RESCUE_TARGET_COOLDOWN_SECONDS: '0' });
    const rescue: RescueDeps = rescueDeps(store, {
      phones: new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']), logger }),
      settings,
      logger,
    });
    await registerPhone(rescue, { teamId: 'T1', userId: 'U1', address: phone.address, username: phone.username, password: phone.password });
    const bot: SlackApp = createSlackApp({
      config: { mode: 'socket', botToken: 'xoxb-socket-test', appToken: 'xapp-socket-test', port: 0, healthPort: 0, host: '127.0.0.1', apiUrl: fake.apiUrl },
      rescue,
      logger,
      botId: fake.botId,
      botUserId: fake.botUserId,
    });
    cleanups.push(async () => {
      await bot.stop();
      await rescue.active.drain(0);
      await bot.tasks.idle(5_000);
      await phone.stop();
      await store.close();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const { healthPort } = await bot.start({ port: 0, host: '127.0.0.1' });
    await fake.socketMode.connected();
    const connection = fake.callsTo('apps.connections.open')[0]!;
    expect(connection.headers.authorization).toBe('Bearer xapp-socket-test');

    const responseUrl = fake.responseUrl('sock');
    const ack = (await fake.socketMode.push('slash_commands', {
      token: 'x',
      team_id: 'T1',
      team_domain: 'fake',
      channel_id: 'C1',
      channel_name: 'general',
      user_id: 'U1',
      user_name: 'me',
      command: '/rescue',
      text: '',
      api_app_id: 'A1',
      response_url: responseUrl,
      trigger_id: 'trigger-sock',
    })) as { text?: string; blocks?: unknown };
    expect(ack.text).toContain('Ringing your phone');
    const final = await fake.waitForResponse('sock', 'rang 3 times');
    expect(messageText(final.params)).toContain('Your phone rang 3 times');
    expect(phone.played).toHaveLength(3);

    // Interactivity and Events API arrive as envelopes too.
    const shortcutAck = await fake.socketMode.push('interactive', { type: 'shortcut', callback_id: 'phone_settings', trigger_id: 'trigger-sock-2', team: { id: 'T1', domain: 'fake' }, user: { id: 'U1', username: 'me', team_id: 'T1' }, token: 'x', action_ts: '1' });
    expect(shortcutAck).toEqual({});
    const open = await fake.waitFor('views.open');
    expect(open.params.trigger_id).toBe('trigger-sock-2');
    await fake.socketMode.push('events_api', { type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: 'Ev1', event_time: 1, event: { type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home', event_ts: '1' } });
    const home = await fake.waitFor('views.publish');
    expect(messageText(home.params)).toContain(phone.address);

    // A button no listener knows (an old message after an upgrade) is acked at once and explained.
    const unknownAck = await fake.socketMode.push('interactive', { type: 'block_actions', team: { id: 'T1', domain: 'fake' }, user: { id: 'U1', username: 'me', team_id: 'T1' }, api_app_id: 'A1', token: 'x', trigger_id: 't3', container: { type: 'message', message_ts: '1', channel_id: 'C1', is_ephemeral: true }, channel: { id: 'C1', name: 'general' }, response_url: fake.responseUrl('sock-old'), actions: [{ type: 'button', block_id: 'b', action_id: 'retired_button', action_ts: '1' }] });
    expect(unknownAck).toEqual({});
    await fake.waitForResponse('sock-old', 'button is out of date');

    // Health listener: up, and ready once connected.
    await expect.poll(() => bot.connected()).toBe(true);
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    expect(ready.status).toBe(200);

    // Slack rotates connections: the app reconnects and keeps answering.
    fake.socketMode.requestReconnect();
    await fake.socketMode.connectionsOpened(2);
    expect(fake.callsTo('apps.connections.open').length).toBeGreaterThanOrEqual(2);
    const again = (await fake.socketMode.push('slash_commands', { team_id: 'T1', channel_id: 'C1', user_id: 'U1', command: '/rescue', text: 'help', api_app_id: 'A1', response_url: fake.responseUrl('sock2'), trigger_id: 't' })) as { text?: string };
    expect(again.text).toContain('How to use /rescue');
  });
});
