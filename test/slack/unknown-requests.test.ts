/**
 * Requests no listener knows (a button on a message from before an upgrade, a retired shortcut or
 * modal, an old slash command), end to end through the HTTP receiver with signed requests: each is
 * answered 200 at once (Bolt alone answers 404 after 3 s, and Slack shows the person an error), and
 * the person is told what to type instead.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageText } from '../support/fake-slack.js';
import { blockAction, globalShortcut, messageShortcut, viewSubmission } from '../support/slack-requests.js';
import { ackText, dmOf, ME, startWorld, type World } from '../support/world.js';

let h: World;
beforeEach(async () => {
  h = await startWorld();
});
afterEach(async () => {
  await h.close();
});

const toldWhatToType = (text: string) => {
  expect(text).toContain('out of date');
  expect(text).toContain('/rescue');
  expect(text).toContain('/phone');
};

describe('a request no listener knows', () => {
  it('a button in a message: 200, and an ephemeral note on its response_url that leaves the old message', async () => {
    const r = await h.interact(blockAction(ME, { action_id: 'ring_v1_retired', value: 'x' }, { responseUrl: h.fake.responseUrl('old') }));
    expect(r.status).toBe(200);
    const note = await h.fake.waitForResponse('old', 'button is out of date');
    toldWhatToType(messageText(note.params));
    expect(note.params.response_type).toBe('ephemeral');
    expect(note.params.replace_original).toBe(false);
  });

  it('a button in App Home (no response_url): 200, and the note in the DM', async () => {
    const r = await h.interact(blockAction(ME, { action_id: 'home_v1_retired' }, { view: { id: 'VHOME', type: 'home' } }));
    expect(r.status).toBe(200);
    const dm = await h.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ME));
    toldWhatToType(messageText(dm.params));
  });

  it('a global shortcut: 200, and the note in the DM', async () => {
    const r = await h.interact(globalShortcut('retired_shortcut', ME));
    expect(r.status).toBe(200);
    const dm = await h.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ME));
    expect(messageText(dm.params)).toContain('shortcut is out of date');
    toldWhatToType(messageText(dm.params));
  });

  it('a message shortcut: 200, and the note on its response_url', async () => {
    const r = await h.interact(messageShortcut('retired_message_shortcut', ME, { user: ME }, h.fake.responseUrl('msc')));
    expect(r.status).toBe(200);
    const note = await h.fake.waitForResponse('msc', 'shortcut is out of date');
    toldWhatToType(messageText(note.params));
  });

  it('a modal submission: 200, and the modal turns into the note (nothing is saved)', async () => {
    const r = await h.interact(viewSubmission(ME, 'retired_modal', {}));
    expect(r.status).toBe(200);
    expect(r.body?.response_action).toBe('update');
    toldWhatToType(ackText(r.body?.view as Record<string, unknown>));
    expect(await h.store.directory.get({ teamId: 'T1', userId: ME })).toBeUndefined();
  });

  it('a slash command: 200, and the note in the ack', async () => {
    const r = await h.command(ME, '/rescue-old');
    expect(r.status).toBe(200);
    expect(r.body?.response_type).toBe('ephemeral');
    expect(ackText(r.body)).toContain('no longer answers /rescue-old');
    expect(ackText(r.body)).toContain('/phone');
  });
});

describe('a request a listener knows', () => {
  it('gets only its own answer, not the out-of-date note', async () => {
    const r = await h.interact(blockAction(ME, { action_id: 'stop_rescue', value: 'no-such-rescue' }, { responseUrl: h.fake.responseUrl('known') }));
    expect(r.status).toBe(200);
    await h.fake.waitForResponse('known', 'already finished');
    await h.bot.tasks.idle(5_000);
    expect(h.fake.responses('known').map((c) => messageText(c.params))).toEqual([expect.stringContaining('already finished')]);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });
});
