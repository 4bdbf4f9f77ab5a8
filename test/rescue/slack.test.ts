/**
 * Limits and history as a Slack user sees them, through the whole bot (Bolt's HTTP receiver with
 * signed requests, the fake Slack Web API, the simulator, SQLite): the cooldown reply on /rescue,
 * and App Home's "Recent rescues" read from the audit log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { messageText } from '../support/fake-slack.js';
import { ALICE, BOB, ME, startWorld, type World } from '../support/world.js';

let h: World | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('through Slack', () => {
  it('a second /rescue of the same colleague within the cooldown gets "you can rescue … again in …"; App Home shows the rescue on both sides', async () => {
    h = await startWorld({ rings: 3, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '120' } });
    const phone = await h.phone();
    await h.register(ALICE, phone);
    const first = await h.command(ME, '/rescue', `<@${ALICE}|alice>`);
    await h.fake.waitForResponse(first.responseId, `<@${ALICE}>'s phone rang 3 times`);

    const second = await h.command(BOB, '/rescue', `<@${ALICE}|alice>`);
    const refusal = await h.fake.waitForResponse(second.responseId, 'again in');
    // 120 s minus the few seconds the first rescue took: always shown rounded up as "2 min".
    expect(messageText(refusal.params)).toContain(`<@${ALICE}>’s phone rang less than 2 min ago. You can rescue <@${ALICE}> again in 2 min.`);
    expect(phone.played).toHaveLength(3);

    await h.event({ type: 'app_home_opened', user: ALICE, channel: 'DALICE', tab: 'home', event_ts: '1' });
    const aliceHome = await h.fake.waitFor('views.publish', (c) => c.params.user_id === ALICE);
    expect(messageText(aliceHome.params)).toMatch(new RegExp(`You were rescued by\\*\\n• <@${ME}>, <!date\\^\\d+\\^[^>]+>: 3 rings`));
    await h.event({ type: 'app_home_opened', user: ME, channel: 'DME', tab: 'home', event_ts: '2' });
    const myHome = await h.fake.waitFor('views.publish', (c) => c.params.user_id === ME);
    expect(messageText(myHome.params)).toMatch(new RegExp(`You rescued\\*\\n• <@${ALICE}>, <!date\\^\\d+\\^[^>]+>: 3 rings`));
    // Bob's refused request is not a rescue.
    await h.event({ type: 'app_home_opened', user: BOB, channel: 'DBOB', tab: 'home', event_ts: '3' });
    const bobHome = await h.fake.waitFor('views.publish', (c) => c.params.user_id === BOB);
    expect(messageText(bobHome.params)).toContain('No rescues yet');
  });
});
