/** /phone, the settings modal, /phone test|status|forget and /phone-screenshot, end to end. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionsIn, messageText, type RecordedCall } from '../support/fake-slack.js';
import { blockAction, viewSubmission, type StateValues } from '../support/slack-requests.js';
import { untilDefined } from '../support/until.js';
import { ackText, ALICE, BOB, ME, startWorld, TEAM, type World } from '../support/world.js';

let h: World;
beforeEach(async () => {
  h = await startWorld({ rings: 3 });
});
afterEach(async () => {
  await h.close();
});

type ViewParam = { blocks: { block_id?: string; element?: Record<string, unknown>; hint?: { text: string } }[]; private_metadata?: string; callback_id?: string };

function form(values: { address?: string; username?: string; password?: string; tone?: string; rings?: string; interval?: string; permission?: string; buddies?: string[] }): StateValues {
  return {
    address: { value: { type: 'plain_text_input', value: values.address ?? null } },
    username: { value: { type: 'plain_text_input', value: values.username ?? null } },
    password: { value: { type: 'plain_text_input', value: values.password ?? null } },
    tone: { value: { type: 'static_select', selected_option: values.tone ? { text: { type: 'plain_text', text: values.tone }, value: values.tone } : null } },
    rings: { value: { type: 'number_input', value: values.rings ?? '3' } },
    interval: { value: { type: 'number_input', value: values.interval ?? '1' } },
    permission: { value: { type: 'radio_buttons', selected_option: { value: values.permission ?? 'anyone' } } },
    buddies: { value: { type: 'multi_users_select', selected_users: values.buddies ?? [] } },
  };
}

async function submit(userId: string, values: StateValues) {
  return h.interact(viewSubmission(userId, 'phone_settings_modal', values, JSON.stringify({ from: 'command' })));
}

describe('/phone and the settings modal', () => {
  it('/phone opens the modal at once with the trigger id; the password is never prefilled', async () => {
    const phone = await h.phone();
    await h.register(ME, phone, { tone: 'Chime.raw' });
    const r = await h.command(ME, '/phone');
    expect(r.status).toBe(200);
    const open = await h.fake.waitFor('views.open');
    expect(String(open.params.trigger_id)).toMatch(new RegExp(`^\\d{13}\\.${ME}\\.`));
    // Slack opened it: the modal is inside Block Kit's limits (max_length 4000 on a text input was not).
    expect(h.fake.refusals).toEqual([]);
    const view = open.params.view as ViewParam;
    expect(view.callback_id).toBe('phone_settings_modal');
    const byId = Object.fromEntries(view.blocks.filter((b) => b.block_id).map((b) => [b.block_id, b]));
    expect(byId.address?.element?.initial_value).toBe(phone.address);
    expect(byId.password?.element?.initial_value).toBeUndefined();
    expect(byId.password?.hint?.text).toMatch(/cannot hide/i);
    expect((byId.tone?.element?.initial_option as { value: string }).value).toBe('Chime.raw');
    expect(JSON.stringify(open.params)).not.toContain(phone.password);
    expect(view.private_metadata).toBe(JSON.stringify({ from: 'command' }));
  });

  it('the username placeholder shows the organisation default when there is one', async () => {
    await h.close();
    h = await startWorld({ rings: 3, env: { PHONE_DEFAULT_USERNAME: 'phone-svc' } });
    await h.command(ME, '/phone');
    const open = await h.fake.waitFor('views.open');
    const view = open.params.view as ViewParam;
    const username = view.blocks.find((b) => b.block_id === 'username');
    expect(JSON.stringify(username?.element?.placeholder)).toContain('phone-svc');
  });

  it('an expired trigger id is logged and the user is told to try again', async () => {
    h.fake.setFault('views.open', { kind: 'error', error: 'expired_trigger_id' });
    const r = await h.command(ME, '/phone');
    await h.fake.waitForResponse(r.responseId, 'took too long');
    expect(h.logs.text()).toContain('expired_trigger_id');
  });

  it('a valid submission saves the phone, turns the modal into a summary with Test ring, and refreshes App Home', async () => {
    const phone = await h.phone();
    const secret = 'Sup3r-Secret-PW!';
    const r = await submit(ME, form({ address: phone.address, username: 'rescue', password: secret, tone: 'Chime.raw', rings: '2', interval: '5', permission: 'buddies', buddies: [ALICE] }));
    expect(r.status).toBe(200);
    expect(r.body?.response_action).toBe('update');
    expect(actionsIn(r.body?.view).map((a) => a.action_id)).toContain('test_ring');
    const saved = await h.store.directory.get({ teamId: TEAM, userId: ME });
    expect(saved).toMatchObject({ address: phone.address, username: 'rescue', password: secret, tone: 'Chime.raw', rings: 2, intervalSeconds: 5, permission: 'buddies', buddies: [ALICE] });
    const home = await h.fake.waitFor('views.publish', (c) => c.params.user_id === ME);
    expect(messageText(home.params)).toContain(phone.address);
    expect(JSON.stringify(h.fake.calls) + h.logs.text() + JSON.stringify(r.body)).not.toContain(secret);
  });

  it('Test ring in the saved modal rings once and reports in the modal', async () => {
    const phone = await h.phone({ password: 'pw-for-test' });
    // The modal as Slack holds it: opened by /phone, then turned into the summary by the submission's answer.
    await h.command(ME, '/phone');
    const modal = await untilDefined(() => h.fake.openModal(ME), 'the settings modal to open');
    await submit(ME, form({ address: phone.address, username: phone.username, password: 'pw-for-test' }));
    await h.interact(blockAction(ME, { action_id: 'test_ring' }, { view: { id: modal.id, type: 'modal', callback_id: 'phone_settings_saved' } }));
    const done = await h.fake.waitFor('views.update', (c) => c.params.view_id === modal.id && messageText(c.params).includes('Test ring done'));
    expect(done).toBeDefined();
    expect(phone.played).toEqual(['Classic1.raw']);
  });

  it('a blank password on update keeps the saved one', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await submit(ME, form({ address: phone.address, username: phone.username, password: '', rings: '4' }));
    expect(r.body?.response_action).toBe('update');
    const saved = await h.store.directory.get({ teamId: TEAM, userId: ME });
    expect(saved?.password).toBe(phone.password);
    expect(saved?.rings).toBe(4);
  });

  const invalid: [string, Parameters<typeof form>[0], string, RegExp][] = [
    ['address syntax', { address: 'http://10.1.2.3/CGI/Execute', password: 'x' }, 'address', /IP address or host name, e.g. 10.1.2.3/],
    ['address outside the allowed networks', { address: '169.254.169.254', password: 'x' }, 'address', /PHONE_ALLOWED_NETWORKS|office networks/],
    ['empty address', { address: '', password: 'x' }, 'address', /IP address or host name/],
    ['empty password on first registration', { address: '127.0.0.1:9', password: '' }, 'password', /needed the first time/],
    ['username missing with no organisation default', { address: '127.0.0.1:9', username: '', password: 'x' }, 'username', /username/i],
    ['tone not in the list', { address: '127.0.0.1:9', password: 'x', tone: 'Unknown9.raw' }, 'tone', /not one of this office/],
    ['a denied tone', { address: '127.0.0.1:9', password: 'x', tone: 'Piano2.raw' }, 'tone', /crash/],
    ['rings out of range', { address: '127.0.0.1:9', password: 'x', rings: '11' }, 'rings', /1 to 10/],
    ['rings not a number', { address: '127.0.0.1:9', password: 'x', rings: 'lots' }, 'rings', /whole number/],
    ['interval out of range', { address: '127.0.0.1:9', password: 'x', interval: '31' }, 'interval', /1 to 30/],
    ['permission unknown', { address: '127.0.0.1:9', password: 'x', permission: 'everyone-ish' }, 'permission', /Choose who may ring/],
    ['buddies not people', { address: '127.0.0.1:9', password: 'x', buddies: ['C0CHANNEL'] }, 'buddies', /people in this workspace/],
  ];
  for (const [name, values, block, message] of invalid) {
    it(`returns an inline error for ${name}, and saves nothing`, async () => {
      const r = await submit(ME, form({ username: 'rescue', ...values }));
      expect(r.status).toBe(200);
      expect(r.body?.response_action).toBe('errors');
      const errors = r.body?.errors as Record<string, string>;
      expect(errors[block]).toMatch(message);
      expect(await h.store.directory.get({ teamId: TEAM, userId: ME })).toBeUndefined();
    });
  }

  it('reports every invalid field at once', async () => {
    const r = await submit(ME, form({ address: 'not a host!', username: 'rescue', password: '', rings: '0', interval: '99' }));
    expect(Object.keys(r.body?.errors as object).sort()).toEqual(['address', 'interval', 'password', 'rings']);
  });
});

describe('/phone test, status, forget', () => {
  it('/phone test rings once', async () => {
    const phone = await h.phone();
    await h.register(ME, phone, { rings: 5 });
    const r = await h.command(ME, '/phone', 'test');
    expect(ackText(r.body)).toContain('Test ring');
    await h.fake.waitForResponse(r.responseId, 'Test ring done');
    expect(phone.played).toHaveLength(1);
  });

  it('/phone status shows the model, firmware and each check', async () => {
    const phone = await h.phone({ model: 'CP-7841' });
    await h.register(ME, phone);
    const r = await h.command(ME, '/phone', 'status');
    expect(ackText(r.body)).toContain('Checking your phone');
    const result = await h.fake.waitForResponse(r.responseId, 'CP-7841');
    const text = messageText(result.params);
    expect(text).toContain('Firmware');
    expect(text).toContain(':white_check_mark: *auth*');
  });

  it('/phone status on a phone with wrong credentials shows the failed step and what to do', async () => {
    const phone = await h.phone();
    await h.register(ME, phone, { password: 'nope-nope' });
    const r = await h.command(ME, '/phone', 'status');
    const result = await h.fake.waitForResponse(r.responseId, ':x:');
    expect(messageText(result.params)).toContain('problem');
    expect(JSON.stringify(h.fake.calls)).not.toContain('nope-nope');
  });

  it('/phone forget asks first; the confirmed button deletes the registration', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await h.command(ME, '/phone', 'forget');
    const forget = actionsIn(r.body?.blocks).find((a) => a.action_id === 'forget_phone');
    expect(forget).toBeDefined();
    expect(JSON.stringify(r.body)).toContain('"confirm"');
    expect(await h.store.directory.get({ teamId: TEAM, userId: ME })).toBeDefined();
    await h.interact(blockAction(ME, { action_id: 'forget_phone' }, { responseUrl: h.fake.responseUrl('forget') }));
    await h.fake.waitForResponse('forget', 'registration is deleted');
    expect(await h.store.directory.get({ teamId: TEAM, userId: ME })).toBeUndefined();
    await h.fake.waitFor('views.publish', (c) => c.params.user_id === ME);
  });

  it('an unknown subcommand shows the /phone usage', async () => {
    const r = await h.command(ME, '/phone', 'explode');
    expect(ackText(r.body)).toContain('/phone status');
  });
});

describe('/phone-screenshot', () => {
  const uploadSteps = (calls: RecordedCall[]) => calls.map((c) => c.method).filter((m) => ['conversations.open', 'files.getUploadURLExternal', 'upload', 'files.completeUploadExternal'].includes(m));

  it('uploads a PNG to your DM (three upload steps), never the channel, and says "sent to your DMs"', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await h.command(ME, '/phone-screenshot');
    expect(ackText(r.body)).toContain('screenshot');
    await h.fake.waitForResponse(r.responseId, 'Sent to your DMs');
    expect(uploadSteps(h.fake.calls)).toEqual(['conversations.open', 'files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    expect(h.fake.callsTo('conversations.open')[0]?.params.users).toBe(ME);
    const complete = h.fake.callsTo('files.completeUploadExternal')[0]!;
    expect(complete.params.channel_id).toBe(`D${ME.slice(1)}`);
    expect(JSON.stringify(h.fake.calls.filter((c) => c.method !== 'response_url'))).not.toContain('"C1"');
    const png = h.fake.uploads[0]!.bytes;
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('only your own phone: someone else with no phone is told to register', async () => {
    const phone = await h.phone();
    await h.register(ALICE, phone);
    const r = await h.command(BOB, '/phone-screenshot');
    await h.fake.waitForResponse(r.responseId, 'not registered a desk phone');
    expect(h.fake.uploads).toHaveLength(0);
  });

  it('channel_not_found on the DM is handled: the user gets a clear message, it is logged', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    h.fake.setFault('conversations.open', { kind: 'error', error: 'channel_not_found' });
    const r = await h.command(ME, '/phone-screenshot');
    await h.fake.waitForResponse(r.responseId, 'did not accept the upload');
    expect(h.logs.text()).toContain('channel_not_found');
  });
});
