/** Every Slack path driven with recognisable secrets: none of them is ever sent to Slack or logged. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewSubmission } from '../support/slack-requests.js';
import { BOT_TOKEN, ME, SIGNING_SECRET, startWorld, type World } from '../support/world.js';

let h: World;
beforeEach(async () => {
  h = await startWorld({ rings: 3 });
});
afterEach(async () => {
  await h.close();
});

const GOOD = 'Zq9!good-PW-4417';
const WRONG = 'Wr0ng-PW-2290';

function form(address: string, password: string) {
  return {
    address: { value: { type: 'plain_text_input', value: address } },
    username: { value: { type: 'plain_text_input', value: 'svc-user-8812' } },
    password: { value: { type: 'plain_text_input', value: password } },
    tone: { value: { type: 'static_select', selected_option: { value: 'Classic1.raw' } } },
    rings: { value: { type: 'number_input', value: '1' } },
    interval: { value: { type: 'number_input', value: '1' } },
    permission: { value: { type: 'radio_buttons', selected_option: { value: 'anyone' } } },
    buddies: { value: { type: 'multi_users_select', selected_users: [] } },
  };
}

describe('secrets', () => {
  it('no password, token or signing secret in any Slack call, reply or log line', async () => {
    const phone = await h.phone({ username: 'svc-user-8812', password: GOOD });
    const acks: unknown[] = [];
    acks.push((await h.interact(viewSubmission(ME, 'phone_settings_modal', form(phone.address, GOOD)))).body);
    const r1 = await h.command(ME, '/rescue');
    acks.push(r1.body);
    await h.fake.waitForResponse(r1.responseId, 'rang once');
    const s = await h.command(ME, '/phone', 'status');
    await h.fake.waitForResponse(s.responseId, 'auth');
    const shot = await h.command(ME, '/phone-screenshot');
    await h.fake.waitForResponse(shot.responseId, 'Sent to your DMs');
    await h.command(ME, '/phone');
    await h.fake.waitFor('views.open');
    await h.event({ type: 'app_home_opened', user: ME, channel: 'DME', tab: 'home', event_ts: '1' });
    const home = await h.fake.waitFor('views.publish', (c) => JSON.stringify(c.params).includes(phone.address));
    expect(JSON.stringify(home.params)).not.toContain('svc-user-8812');

    acks.push((await h.interact(viewSubmission(ME, 'phone_settings_modal', form(phone.address, WRONG)))).body);
    const r2 = await h.command(ME, '/rescue');
    await h.fake.waitForResponse(r2.responseId, 'did not accept the username and password');

    const sent = JSON.stringify(h.fake.calls.map((c) => c.params)) + JSON.stringify(acks);
    const logged = h.logs.text();
    for (const secret of [GOOD, WRONG, BOT_TOKEN, SIGNING_SECRET]) {
      expect(sent, `sent to Slack: ${secret}`).not.toContain(secret);
      expect(logged, `logged: ${secret}`).not.toContain(secret);
    }
    // The modal's private_metadata never carries anything but where it was opened from.
    for (const c of h.fake.callsTo('views.open')) expect((c.params.view as { private_metadata: string }).private_metadata).toMatch(/^\{"from":"[a-z]+"\}$/);
  });
});
