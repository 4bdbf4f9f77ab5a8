/** Global and message shortcuts, App Home and its buttons, end to end. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionsIn, messageText } from '../support/fake-slack.js';
import { triggerId } from '../../src/demo/slack-standin.js';
import { blockAction, globalShortcut, messageShortcut } from '../support/slack-requests.js';
import { ALICE, BOT_USER, dmOf, ME, startWorld, TEAM, type World } from '../support/world.js';

let h: World;
beforeEach(async () => {
  h = await startWorld({ rings: 3 });
});
afterEach(async () => {
  await h.close();
});

describe('global shortcuts (no channel: replies in the DM)', () => {
  it('rescue_me rings your phone and keeps one DM message up to date', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await h.interact(globalShortcut('rescue_me', ME));
    expect(r.status).toBe(200);
    const first = await h.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ME));
    expect(messageText(first.params)).toContain('Ringing your phone');
    expect(actionsIn(first.params.blocks).map((a) => a.action_id)).toContain('stop_rescue');
    const final = await h.fake.waitFor('chat.update', (c) => messageText(c.params).includes('rang 3 times'));
    expect(final.params.channel).toBe(dmOf(ME));
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(h.fake.callsTo('chat.postEphemeral')).toHaveLength(0);
  });

  it('rescue_me without a registration explains in the DM, with a Register button', async () => {
    await h.interact(globalShortcut('rescue_me', ME));
    const dm = await h.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ME));
    expect(messageText(dm.params)).toContain('/phone');
    expect(actionsIn(dm.params.blocks).map((a) => a.action_id)).toContain('open_settings');
  });

  it('phone_settings opens the modal', async () => {
    const shortcut = globalShortcut('phone_settings', ME);
    await h.interact(shortcut);
    const open = await h.fake.waitFor('views.open');
    expect(open.params.trigger_id).toBe(shortcut.trigger_id);
    expect(h.fake.refusals).toEqual([]);
    expect((open.params.view as { private_metadata: string }).private_metadata).toBe('{"from":"shortcut"}');
  });

  it('phone_settings with an expired trigger tells the user in the DM', async () => {
    // Slack's trigger ids last 3 s: this one was issued 4 s ago, and the stand-in refuses it as Slack does.
    await h.interact({ ...globalShortcut('phone_settings', ME), trigger_id: triggerId(ME, Date.now() - 4_000) });
    await h.fake.waitFor('chat.postMessage', (c) => messageText(c.params).includes('took too long'));
    expect(h.fake.takeRefusals().map((r) => r.error)).toEqual(['expired_trigger_id']);
  });

  it('a settings form Slack refuses: the person is told it is not their fault, the log names the field', async () => {
    const pointer = '[ERROR] must be no more than 3000 [json-pointer:/view/blocks/9/element/max_length]';
    h.fake.setFault('views.open', { kind: 'error', error: 'invalid_arguments', messages: [pointer] });
    await h.interact(globalShortcut('phone_settings', ME));
    const dm = await h.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ME));
    expect(messageText(dm.params)).toMatch(/fault in rescue-ring.*tell your IT team.*rescue-ring phones add/s);
    const line = h.logs.lines().find((l) => l.slackMessages);
    expect(line).toMatchObject({ level: 50, slackMessages: [pointer] });
  });

  it('a DM whose blocks Slack refuses still arrives, as text', async () => {
    h.fake.setFault('chat.postMessage', { kind: 'error', error: 'invalid_blocks', messages: ['[ERROR] must be less than 76 characters [json-pointer:/blocks/1/elements/0/text/text]'] }, 1);
    await h.interact(globalShortcut('rescue_me', ME));
    const text = await h.fake.waitFor('chat.postMessage', (c) => c.params.blocks === undefined && c.params.channel === dmOf(ME));
    expect(String(text.params.text)).toContain('/phone');
    expect(h.logs.text()).toContain('json-pointer:/blocks/1/elements/0/text/text');
  });

  it('phone_screenshot uploads to the DM', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    await h.interact(globalShortcut('phone_screenshot', ME));
    const done = await h.fake.waitFor('files.completeUploadExternal');
    expect(done.params.channel_id).toBe(dmOf(ME));
    expect(h.fake.uploads[0]?.bytes.length).toBeGreaterThan(100);
  });

  it('phone_screenshot of an unreachable phone explains in the DM', async () => {
    const phone = await h.phone({ faults: { webAccessDisabled: true } });
    await h.register(ME, phone);
    await h.interact(globalShortcut('phone_screenshot', ME));
    await h.fake.waitFor('chat.postMessage', (c) => messageText(c.params).includes('Web Access'));
    expect(h.fake.callsTo('files.getUploadURLExternal')).toHaveLength(0);
  });
});

describe('message shortcut rescue_author', () => {
  it('rings the author and answers on the response_url', async () => {
    const phone = await h.phone();
    await h.register(ALICE, phone);
    const rid = 'shortcut1';
    const r = await h.interact(messageShortcut('rescue_author', ME, { user: ALICE }, h.fake.responseUrl(rid)));
    expect(r.status).toBe(200);
    const first = await h.fake.waitForResponse(rid, `Ringing <@${ALICE}>'s phone`);
    expect(first.params.replace_original).toBe(false);
    await h.fake.waitForResponse(rid, 'rang 3 times');
    await h.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ALICE) && messageText(c.params).includes('rescued you'));
  });

  it('same rules as /rescue @user: a bot author, or a message without a person, is refused', async () => {
    await h.interact(messageShortcut('rescue_author', ME, { bot_id: 'B9' }, h.fake.responseUrl('s2')));
    await h.fake.waitForResponse('s2', 'posted by an app');
    await h.interact(messageShortcut('rescue_author', ME, { user: BOT_USER }, h.fake.responseUrl('s3')));
    await h.fake.waitForResponse('s3', 'is an app, not a person');
  });
});

describe('App Home', () => {
  const opened = (user: string) => ({ type: 'app_home_opened', user, channel: dmOf(user), tab: 'home', event_ts: '1' });

  it('unregistered: a Register button and "No rescues yet"', async () => {
    const r = await h.event(opened(ME));
    expect(r.status).toBe(200);
    const home = await h.fake.waitFor('views.publish');
    expect(home.params.user_id).toBe(ME);
    expect(messageText(home.params)).toContain('No rescues yet');
    expect(actionsIn(home.params.view).map((a) => a.action_id)).toEqual(['open_settings']);
  });

  it('registered: the address (never credentials) and the four buttons', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    await h.event(opened(ME));
    const home = await h.fake.waitFor('views.publish');
    const text = JSON.stringify(home.params);
    expect(text).toContain(phone.address);
    expect(text).not.toContain(phone.password);
    expect(text).not.toContain(`"${phone.username}"`);
    expect(actionsIn(home.params.view).map((a) => a.action_id)).toEqual(['open_settings', 'test_ring', 'send_screenshot', 'forget_phone']);
  });

  it('shows recent rescues, given and received, from the history seam', async () => {
    await h.close();
    const at = new Date('2026-11-27T10:00:00Z');
    h = await startWorld({
      rings: 3,
      slack: {
        app: {
          history: async (key) => ({
            given: [{ at, requesterId: key.userId, targetId: ALICE, outcome: 'ok', rings: 3 }],
            received: [{ at, requesterId: ALICE, targetId: key.userId, outcome: 'PhoneUnreachable', rings: 0 }],
          }),
        },
      },
    });
    await h.event(opened(ME));
    const home = await h.fake.waitFor('views.publish');
    const text = messageText(home.params);
    expect(text).toContain(`You rescued*\n• <@${ALICE}>`);
    expect(text).toContain('failed (PhoneUnreachable)');
    expect(text).not.toContain('No rescues yet');
  });

  it('ignores the Messages tab', async () => {
    await h.event({ ...opened(ME), tab: 'messages' });
    await h.event(opened(ALICE));
    const home = await h.fake.waitFor('views.publish');
    expect(home.params.user_id).toBe(ALICE);
    expect(h.fake.callsTo('views.publish')).toHaveLength(1);
  });

  it('Test ring from Home rings once and reports in the DM', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    await h.interact(blockAction(ME, { action_id: 'test_ring' }, { view: { id: 'VHOME', type: 'home' } }));
    await h.fake.waitFor('chat.update', (c) => c.params.channel === dmOf(ME) && messageText(c.params).includes('Test ring done'));
    expect(phone.played).toHaveLength(1);
  });

  it('Screenshot from Home uploads to the DM', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    await h.interact(blockAction(ME, { action_id: 'send_screenshot' }, { view: { id: 'VHOME', type: 'home' } }));
    const done = await h.fake.waitFor('files.completeUploadExternal');
    expect(done.params.channel_id).toBe(dmOf(ME));
  });

  it('Settings from Home opens the modal; Forget from Home deletes and refreshes Home', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    await h.interact(blockAction(ME, { action_id: 'open_settings' }, { view: { id: 'VHOME', type: 'home' } }));
    const open = await h.fake.waitFor('views.open');
    expect((open.params.view as { private_metadata: string }).private_metadata).toBe('{"from":"home"}');
    await h.interact(blockAction(ME, { action_id: 'forget_phone' }, { view: { id: 'VHOME', type: 'home' } }));
    const home = await h.fake.waitFor('views.publish', (c) => messageText(c.params).includes('not registered'));
    expect(home.params.user_id).toBe(ME);
    expect(await h.store.directory.get({ teamId: TEAM, userId: ME })).toBeUndefined();
  });

  it('"Run a check" from an error message runs the diagnosis on that message', async () => {
    const phone = await h.phone({ faults: { webAccessDisabled: true } });
    await h.register(ME, phone);
    await h.interact(blockAction(ME, { action_id: 'phone_status' }, { responseUrl: h.fake.responseUrl('check') }));
    await h.fake.waitForResponse('check', ':x:');
  });
});
