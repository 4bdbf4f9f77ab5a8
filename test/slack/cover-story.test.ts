/** Cover stories end to end: /rescue "..." (with a mention too), the default in the settings modal, refusals. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageText } from '../support/fake-slack.js';
import { viewSubmission, type StateValues } from '../support/slack-requests.js';
import type { SimPhone } from '../../src/sim/index.js';
import { ackText, ALICE, ME, startWorld, TEAM, type World } from '../support/world.js';

let h: World;
beforeEach(async () => {
  h = await startWorld({ rings: 3 });
});
afterEach(async () => {
  await h.close();
});

/** What the phone was asked to do, in order: "play", "text:<Text>..." (call checks left out). */
function commands(phone: SimPhone): string[] {
  return phone.requests
    .filter((q) => q.xml !== undefined)
    .map((q) => (q.items?.length ? 'play' : `text:${/<Text>([\s\S]*)<\/Text>/.exec(q.xml ?? '')?.[1] ?? q.xml}`));
}

function form(phone: SimPhone, coverStory: string | null): StateValues {
  return {
    address: { value: { type: 'plain_text_input', value: phone.address } },
    username: { value: { type: 'plain_text_input', value: phone.username } },
    password: { value: { type: 'plain_text_input', value: phone.password } },
    tone: { value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Chime' }, value: 'Chime.raw' } } },
    rings: { value: { type: 'number_input', value: '2' } },
    interval: { value: { type: 'number_input', value: '1' } },
    permission: { value: { type: 'radio_buttons', selected_option: { value: 'anyone' } } },
    buddies: { value: { type: 'multi_users_select', selected_users: [] } },
    cover_story: { value: { type: 'plain_text_input', value: coverStory } },
  };
}

describe('/rescue "cover story"', () => {
  it('puts the text on the screen right after the first ring, and says so', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await h.command(ME, '/rescue', '"Facilities: your car is blocking the gate"');
    const final = await h.fake.waitForResponse(r.responseId, 'rang 3 times');
    expect(messageText(final.params)).toContain('The cover story is on the phone’s screen.');
    expect(commands(phone)).toEqual(['play', 'text:Facilities: your car is blocking the gate', 'play', 'play']);
  });

  it('shows what was typed: Slack\'s &amp; &lt; &gt; are decoded (and escaped once for the phone); curly quotes work', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await h.command(ME, '/rescue', '“Tom &amp; Jerry &lt;3 &gt; IT”');
    await h.fake.waitForResponse(r.responseId, 'rang 3 times');
    expect(commands(phone)[1]).toBe('text:Tom &amp; Jerry &lt;3 &gt; IT');
  });

  it('works with a mention, on the colleague\'s phone', async () => {
    const phone = await h.phone();
    await h.register(ALICE, phone);
    const r = await h.command(ME, '/rescue', `"Your 3 o'clock is at reception" <@${ALICE}|alice>`);
    const final = await h.fake.waitForResponse(r.responseId, 'rang 3 times');
    expect(messageText(final.params)).toContain('The cover story is on the phone’s screen.');
    expect(commands(phone)[1]).toBe("text:Your 3 o&apos;clock is at reception");
  });

  it('a model that refuses text objects still rings, and the requester is told the story was not shown', async () => {
    const phone = await h.phone({ rejectText: true });
    await h.register(ME, phone);
    const r = await h.command(ME, '/rescue', '"Facilities: your car is blocking the gate"');
    const final = await h.fake.waitForResponse(r.responseId, 'rang 3 times');
    expect(messageText(final.params)).toContain('Your phone does not show text messages (its model refuses them), so the cover story was not shown; the phone rang anyway.');
    expect(phone.played).toHaveLength(3);
  });

  it.each([
    ['x'.repeat(600), /Shorten the cover story by at least \d+ characters/],
    ['Meeting 📞 now', /Phones cannot show emoji or similar symbols: remove the "📞" at position 9/],
    ['', /Type the message to show on the phone/],
  ])('refuses %j up front with a specific hint; nothing rings', async (story, hint) => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await h.command(ME, '/rescue', `"${story}"`);
    expect(ackText(r.body)).toMatch(hint);
    expect(phone.requests).toHaveLength(0);
  });

  it('an opening quote without its closing one is explained', async () => {
    const r = await h.command(ME, '/rescue', '"Facilities: your car');
    expect(ackText(r.body)).toContain('Put the cover story between two double quotes');
  });
});

describe('the default cover story in the settings modal', () => {
  it('is offered, saved sealed with the registration, shown on every rescue without one, and can be removed', async () => {
    const phone = await h.phone();
    await h.command(ME, '/phone');
    const open = await h.fake.waitFor('views.open');
    expect(messageText(open.params)).toContain('Default cover story');

    const saved = await h.interact(viewSubmission(ME, 'phone_settings_modal', form(phone, 'Reception: a parcel needs your signature'), JSON.stringify({ from: 'command' })));
    expect(saved.body?.response_action).toBe('update');
    expect((await h.store.directory.get({ teamId: TEAM, userId: ME }))?.coverStory).toBe('Reception: a parcel needs your signature');

    // A colleague's rescue shows it too (it is the owner's choice for their phone).
    const r = await h.command(ALICE, '/rescue', `<@${ME}>`);
    await h.fake.waitForResponse(r.responseId, 'rang twice');
    expect(commands(phone)).toEqual(['play', 'text:Reception: a parcel needs your signature', 'play']);
    // A story given with the command wins.
    phone.clearRequests();
    const mine = await h.command(ME, '/rescue', '"Fire drill"');
    await h.fake.waitForResponse(mine.responseId, 'rang twice');
    expect(commands(phone)[1]).toBe('text:Fire drill');
    // The modal shows it when reopened; submitting it blank removes it.
    await h.command(ME, '/phone');
    const reopened = await h.fake.waitFor('views.open', (c) => JSON.stringify(c.params).includes('parcel needs your signature'));
    expect(reopened).toBeDefined();
    await h.interact(viewSubmission(ME, 'phone_settings_modal', form(phone, null), JSON.stringify({ from: 'command' })));
    expect((await h.store.directory.get({ teamId: TEAM, userId: ME }))?.coverStory).toBeUndefined();
  });

  it('a story the phone cannot show is refused beside its field, and nothing is saved', async () => {
    const phone = await h.phone();
    const r = await h.interact(viewSubmission(ME, 'phone_settings_modal', form(phone, 'Parcel 📦 at reception'), JSON.stringify({ from: 'command' })));
    expect(r.body?.response_action).toBe('errors');
    expect((r.body?.errors as Record<string, string>).cover_story).toMatch(/Phones cannot show emoji/);
    expect(await h.store.directory.get({ teamId: TEAM, userId: ME })).toBeUndefined();
  });

  it('is never pushed by a test ring', async () => {
    const phone = await h.phone();
    await h.register(ME, phone, { coverStory: 'Reception: a parcel' });
    const r = await h.command(ME, '/phone', 'test');
    await h.fake.waitForResponse(r.responseId, 'Test ring done');
    expect(commands(phone)).toEqual(['play']);
  });
});
