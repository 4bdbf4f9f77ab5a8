/**
 * The stand-in refuses what Slack refuses: Block Kit outside the documented limits (each with the
 * JSON pointer Slack names), missing arguments, expired or reused trigger ids, used-up or old
 * response_urls, ephemeral messages to people outside the channel, uploads of the wrong length.
 */
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMessageBlocks, checkView } from '../../src/demo/slack-rules/blocks.js';
import { LIMITS } from '../../src/demo/slack-rules/limits.js';
import { checkCall } from '../../src/demo/slack-rules/methods.js';
import { SlackStandin, triggerId } from '../../src/demo/slack-standin.js';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const x = (n: number) => 'x'.repeat(n);
const button = (text: string, action_id = 'a') => ({ type: 'button', text: plain(text), action_id });
const option = (text: string, value = text) => ({ text: plain(text), value });
const modal = (blocks: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'modal', title: plain('Phone settings'), submit: plain('Save'), blocks, ...extra });
const input = (element: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'input', block_id: 'in', label: plain('Label'), element: { action_id: 'v', ...element }, ...extra });
const pointers = (problems: { pointer: string }[]) => problems.map((p) => p.pointer);

describe('Block Kit limits', () => {
  it('accepts a message and a modal at every limit', () => {
    const blocks = [
      { type: 'header', text: plain(x(LIMITS.headerText.max)) },
      { type: 'section', text: mrkdwn(x(LIMITS.sectionText.max)), fields: Array.from({ length: 10 }, () => mrkdwn(x(2000))) },
      { type: 'actions', elements: Array.from({ length: 25 }, (_, i) => button(x(75), `a${i}`)) },
      { type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn('c')) },
      ...Array.from({ length: 46 }, () => ({ type: 'divider' })),
    ];
    expect(checkMessageBlocks(blocks)).toEqual([]);
    const view = modal([input({ type: 'plain_text_input', min_length: 0, max_length: 3000 }), input({ type: 'static_select', options: Array.from({ length: 100 }, (_, i) => option(x(75).slice(0, 70) + i, String(i))) }, { block_id: 'sel' })], {
      title: plain(x(24)),
      private_metadata: x(3000),
    });
    expect(checkView(view)).toEqual([]);
  });

  const refusedMessages: [string, unknown[], string][] = [
    ['51 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' })), '/blocks'],
    ['section text over 3000', [{ type: 'section', text: mrkdwn(x(3001)) }], '/blocks/0/text/text'],
    ['an empty section text', [{ type: 'section', text: mrkdwn('') }], '/blocks/0/text/text'],
    ['11 section fields', [{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }], '/blocks/0/fields'],
    ['a section field over 2000', [{ type: 'section', fields: [mrkdwn(x(2001))] }], '/blocks/0/fields/0/text'],
    ['a header over 150', [{ type: 'header', text: plain(x(151)) }], '/blocks/0/text/text'],
    ['a mrkdwn header', [{ type: 'header', text: mrkdwn('h') }], '/blocks/0/text/type'],
    ['button text over 75', [{ type: 'actions', elements: [button(x(76))] }], '/blocks/0/elements/0/text/text'],
    ['mrkdwn button text', [{ type: 'actions', elements: [{ type: 'button', text: mrkdwn('b'), action_id: 'a' }] }], '/blocks/0/elements/0/text/type'],
    ['26 actions', [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button('b', `a${i}`)) }], '/blocks/0/elements'],
    ['11 context elements', [{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }], '/blocks/0/elements'],
    ['an action_id over 255', [{ type: 'actions', elements: [button('b', x(256))] }], '/blocks/0/elements/0/action_id'],
    ['a block_id over 255', [{ type: 'divider', block_id: x(256) }], '/blocks/0/block_id'],
    ['two blocks with one block_id', [{ type: 'divider', block_id: 'd' }, { type: 'divider', block_id: 'd' }], '/blocks/1/block_id'],
    ['two buttons with one action_id', [{ type: 'actions', elements: [button('a'), button('b')] }], '/blocks/0/elements/1/action_id'],
    ['an input block in a message', [input({ type: 'plain_text_input' })], '/blocks/0/type'],
    ['an image without alt_text', [{ type: 'image', image_url: 'https://x.test/a.png' }], '/blocks/0/alt_text'],
    ['6 overflow options', [{ type: 'actions', elements: [{ type: 'overflow', action_id: 'o', options: Array.from({ length: 6 }, (_, i) => option(`o${i}`)) }] }], '/blocks/0/elements/0/options'],
    [
      'a confirm title over 100',
      [{ type: 'actions', elements: [{ ...button('b'), confirm: { title: plain(x(101)), text: plain('t'), confirm: plain('Yes'), deny: plain('No') } }] }],
      '/blocks/0/elements/0/confirm/title/text',
    ],
    [
      'a confirm button over 30',
      [{ type: 'actions', elements: [{ ...button('b'), confirm: { title: plain('t'), text: plain('t'), confirm: plain(x(31)), deny: plain('No') } }] }],
      '/blocks/0/elements/0/confirm/confirm/text',
    ],
    ['an unknown block type', [{ type: 'carousel' }], '/blocks/0/type'],
  ];
  it.each(refusedMessages)('refuses a message with %s', (_what, blocks, pointer) => {
    expect(pointers(checkMessageBlocks(blocks))).toContain(pointer);
  });

  const refusedViews: [string, unknown, string][] = [
    ['a cover story input with max_length 4000 (the bug that kept /phone closed)', modal([input({ type: 'plain_text_input', multiline: true, max_length: 4000 })]), '/view/blocks/0/element/max_length'],
    ['min_length over 3000', modal([input({ type: 'plain_text_input', min_length: 3001 })]), '/view/blocks/0/element/min_length'],
    ['max_length 0', modal([input({ type: 'plain_text_input', max_length: 0 })]), '/view/blocks/0/element/max_length'],
    ['a title over 24', modal([], { title: plain(x(25)) }), '/view/title/text'],
    ['a submit over 24', modal([], { submit: plain(x(25)) }), '/view/submit/text'],
    ['a close over 24', modal([], { close: plain(x(25)) }), '/view/close/text'],
    ['inputs without a submit button', { type: 'modal', title: plain('t'), blocks: [input({ type: 'plain_text_input' })] }, '/view/submit'],
    ['private_metadata over 3000', modal([], { private_metadata: x(3001) }), '/view/private_metadata'],
    ['101 blocks', modal(Array.from({ length: 101 }, () => ({ type: 'divider' }))), '/view/blocks'],
    ['a label over 2000', modal([input({ type: 'plain_text_input' }, { label: plain(x(2001)) })]), '/view/blocks/0/label/text'],
    ['a mrkdwn hint', modal([input({ type: 'plain_text_input' }, { hint: mrkdwn('h') })]), '/view/blocks/0/hint/type'],
    ['a placeholder over 150', modal([input({ type: 'plain_text_input', placeholder: plain(x(151)) })]), '/view/blocks/0/element/placeholder/text'],
    ['101 select options', modal([input({ type: 'static_select', options: Array.from({ length: 101 }, (_, i) => option(`t${i}`)) })]), '/view/blocks/0/element/options'],
    ['an option text over 75', modal([input({ type: 'static_select', options: [option(x(76), 'v')] })]), '/view/blocks/0/element/options/0/text/text'],
    ['an option value over 150', modal([input({ type: 'static_select', options: [option('t', x(151))] })]), '/view/blocks/0/element/options/0/value'],
    ['an initial option that is not an option', modal([input({ type: 'static_select', options: [option('a')], initial_option: option('b') })]), '/view/blocks/0/element/initial_option'],
    ['11 radio buttons', modal([input({ type: 'radio_buttons', options: Array.from({ length: 11 }, (_, i) => option(`r${i}`)) })]), '/view/blocks/0/element/options'],
    ['11 checkboxes', modal([input({ type: 'checkboxes', options: Array.from({ length: 11 }, (_, i) => option(`c${i}`)) })]), '/view/blocks/0/element/options'],
    ['a number input without is_decimal_allowed', modal([input({ type: 'number_input' })]), '/view/blocks/0/element/is_decimal_allowed'],
    ['max_selected_items 0', modal([input({ type: 'multi_users_select', max_selected_items: 0 })]), '/view/blocks/0/element/max_selected_items'],
    ['a title on a home view', { type: 'home', title: plain('t'), blocks: [] }, '/view/title'],
  ];
  it.each(refusedViews)('refuses a view with %s', (_what, view, pointer) => {
    expect(pointers(checkView(view))).toContain(pointer);
  });

  it("answers in Slack's words, with the pointer", () => {
    const refusal = checkCall('views.open', { trigger_id: 't', view: modal([input({ type: 'plain_text_input', max_length: 4000 })]) });
    expect(refusal).toEqual({ error: 'invalid_arguments', messages: ['[ERROR] must be no more than 3000 [json-pointer:/view/blocks/0/element/max_length]'] });
    expect(checkCall('chat.postMessage', { channel: 'C1', blocks: [{ type: 'header', text: plain(x(151)) }] })).toMatchObject({ error: 'invalid_blocks' });
    expect(checkCall('chat.postMessage', { channel: 'C1' })).toMatchObject({ error: 'no_text' });
    expect(checkCall('chat.postEphemeral', { channel: 'C1', text: 'hi' })).toEqual({ error: 'invalid_arguments', messages: ['[ERROR] missing required field [json-pointer:/user]'] });
    expect(checkCall('views.publish', { user_id: 'U1', view: modal([]) })).toMatchObject({ error: 'invalid_arguments' });
    expect(checkCall('files.getUploadURLExternal', { filename: 'a.png' })).toMatchObject({ error: 'invalid_arguments', messages: [expect.stringContaining('/length')] });
  });
});

describe('Slack stand-in behaviours', () => {
  const TOKEN = 'xoxb-rules-test';
  let now = Date.parse('2026-12-04T12:00:00Z');
  let standin: SlackStandin;
  let client: webApi.WebClient;
  const view = modal([input({ type: 'plain_text_input' })]);

  beforeAll(async () => {
    standin = await SlackStandin.start({
      users: [
        { id: 'U0YOU', name: 'you', email: 'You@Example.com' },
        { id: 'U0OUT', name: 'outsider' },
        { id: 'U0BOT', name: 'bot', is_bot: true },
      ],
      channels: [{ id: 'C1', name: 'general', members: ['U0YOU'] }],
      botToken: TOKEN,
      now: () => now,
    });
    client = new webApi.WebClient(TOKEN, { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(() => standin.stop());

  it('opens a modal within 3 seconds of the trigger, once; refuses expired, reused and made-up trigger ids', async () => {
    const fresh = triggerId('U0YOU', now - 2_900);
    await expect(client.views.open({ trigger_id: fresh, view: view as never })).resolves.toMatchObject({ ok: true });
    await expect(client.views.open({ trigger_id: fresh, view: view as never })).rejects.toMatchObject({ data: { error: 'exchanged_trigger_id' } });
    await expect(client.views.open({ trigger_id: triggerId('U0YOU', now - 3_001), view: view as never })).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
    await expect(client.views.open({ trigger_id: 'trigger-made-up', view: view as never })).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
  });

  it('refuses a bad view with invalid_arguments and the pointer in response_metadata.messages', async () => {
    const bad = modal([input({ type: 'plain_text_input', max_length: 4000 })]);
    const err: unknown = await client.views.open({ trigger_id: triggerId('U0YOU', now), view: bad as never }).catch((e: unknown) => e);
    expect(err).toMatchObject({ data: { ok: false, error: 'invalid_arguments', response_metadata: { messages: [expect.stringContaining('json-pointer:/view/blocks/0/element/max_length')] } } });
    expect(standin.refusals.at(-1)).toMatchObject({ method: 'views.open', error: 'invalid_arguments' });
  });

  it('refuses an ephemeral message to someone not in the channel, and messages to unknown places', async () => {
    await expect(client.chat.postEphemeral({ channel: 'C1', user: 'U0YOU', text: 'hi' })).resolves.toMatchObject({ ok: true });
    await expect(client.chat.postEphemeral({ channel: 'C1', user: 'U0OUT', text: 'hi' })).rejects.toMatchObject({ data: { error: 'user_not_in_channel' } });
    await expect(client.chat.postMessage({ channel: 'C404', text: 'hi' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'hi' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    await expect(client.conversations.open({ users: 'U0NOBODY' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    await expect(client.views.update({ view_id: 'V404', view: view as never })).rejects.toMatchObject({ data: { error: 'not_found' } });
  });

  it('takes 5 posts per response_url within 30 minutes', async () => {
    const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const old = standin.responseUrl('old', { user: 'U0YOU', channel: 'C1' });
    now += 30 * 60_000 + 1;
    const late = await post(old, { text: 'too late' });
    expect([late.status, await late.text()]).toEqual([404, 'expired_url']);
    const url = standin.responseUrl('fresh', { user: 'U0YOU', channel: 'C1' });
    const bad = await post(url, { blocks: [{ type: 'header', text: plain(x(151)) }] });
    expect([bad.status, await bad.text()]).toEqual([400, 'invalid_blocks']);
    for (let i = 2; i <= 5; i++) expect((await post(url, { text: `post ${i}` })).status).toBe(200);
    const sixth = await post(url, { text: 'sixth' });
    expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
  });

  it('refuses an upload whose bytes differ from the declared length', async () => {
    const { upload_url, file_id } = await client.files.getUploadURLExternal({ filename: 'a.png', length: 10 });
    await fetch(upload_url!, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: 'short' });
    await expect(client.files.completeUploadExternal({ files: [{ id: file_id! }], channel_id: standin.dmChannel('U0YOU') })).rejects.toMatchObject({ data: { error: 'file_upload_size_mismatch' } });
  });

  it('lists people page by page, with their e-mail', async () => {
    const first = await client.users.list({ limit: 2 });
    expect(first.members?.map((m) => m.id)).toEqual(['U0YOU', 'U0OUT']);
    expect(first.members?.[0]?.profile?.email).toBe('You@Example.com');
    const second = await client.users.list({ limit: 2, cursor: first.response_metadata?.next_cursor ?? '' });
    expect(second.members?.map((m) => m.id)).toEqual(['U0BOT']);
    expect(second.response_metadata?.next_cursor).toBe('');
  });
});
