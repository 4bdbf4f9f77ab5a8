/** /rescue end to end: signed requests into Bolt's HTTP receiver, fake Slack, simulated phones, SQLite. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionsIn, messageText } from '../support/fake-slack.js';
import { blockAction } from '../support/slack-requests.js';
import { ackText, ALICE, BOB, BOT_USER, GONE, ME, NOBODY, startWorld, type World } from '../support/world.js';

let h: World;
beforeEach(async () => {
  h = await startWorld({ rings: 3 });
});
afterEach(async () => {
  await h.close();
});

describe('/rescue (your own phone)', () => {
  it('acks with "Ringing your phone..." and a Stop button, rings, and ends with the outcome on the same message', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await h.command(ME, '/rescue');
    expect(r.status).toBe(200);
    expect(ackText(r.body)).toContain('Ringing your phone');
    expect(r.body?.response_type).toBe('ephemeral');
    const stop = actionsIn(r.body?.blocks).find((a) => a.action_id === 'stop_rescue');
    expect(stop?.value).toMatch(/[0-9a-f-]{36}/);

    const final = await h.fake.waitForResponse(r.responseId, 'rang 3 times');
    expect(final.params.replace_original).toBe(true);
    expect(phone.played).toEqual(['Classic1.raw', 'Classic1.raw', 'Classic1.raw']);
    const posts = h.fake.responses(r.responseId);
    expect(posts.length).toBeLessThanOrEqual(5);
    expect(posts.some((p) => messageText(p.params).includes('ring 1 of 3'))).toBe(true);
    expect(posts.at(-1)).toBe(final);
  });

  it('keeps within 5 response_url posts for 10 rings and always sends the outcome last', async () => {
    const phone = await h.phone({ toneTimeScale: 0 });
    await h.register(ME, phone, { rings: 10, intervalSeconds: 1 });
    const r = await h.command(ME, '/rescue');
    await h.fake.waitForResponse(r.responseId, 'rang 10 times', 20_000);
    const posts = h.fake.responses(r.responseId);
    expect(posts.length).toBe(5);
    expect(messageText(posts.at(-1)!.params)).toContain('rang 10 times');
    expect(phone.played.length).toBe(10);
  }, 30_000);

  it('Stop really stops a ring in progress', async () => {
    const phone = await h.phone();
    await h.register(ME, phone, { rings: 5, intervalSeconds: 1 });
    h.pauses.hold(); // after its first ring, the ring waits in its pause until stopped
    const r = await h.command(ME, '/rescue');
    const stopId = actionsIn(r.body?.blocks).find((a) => a.action_id === 'stop_rescue')!.value!;
    await h.fake.waitForResponse(r.responseId, 'ring 1 of 5');
    await h.pauses.paused();
    const clicked = await h.interact(blockAction(ME, { action_id: 'stop_rescue', value: stopId }, { responseUrl: h.fake.responseUrl('stopclick') }));
    expect(clicked.status).toBe(200);
    const final = await h.fake.waitForResponse(r.responseId, 'Stopped');
    expect(messageText(final.params)).toMatch(/rang once of 5/);
    // Stopped in its pause: the pause ended as "stopped", and nothing rings after, even with pauses let go.
    expect(h.pauses.waitingCount).toBe(0);
    h.pauses.release();
    await h.settle();
    expect(phone.played).toHaveLength(1);
    expect(h.pauses.asked).toEqual([1_000]);
  });

  it('a Stop for a finished ring says so', async () => {
    const r = await h.interact(blockAction(ME, { action_id: 'stop_rescue', value: 'no-such-rescue' }, { responseUrl: h.fake.responseUrl('late') }));
    expect(r.status).toBe(200);
    await h.fake.waitForResponse('late', 'already finished');
  });

  it('/rescue stop stops your ring', async () => {
    const phone = await h.phone();
    await h.register(ME, phone, { rings: 5, intervalSeconds: 1 });
    h.pauses.hold();
    const r = await h.command(ME, '/rescue');
    await h.fake.waitForResponse(r.responseId, 'ring 1 of 5');
    await h.pauses.paused();
    const s = await h.command(ME, '/rescue', 'stop');
    expect(ackText(s.body)).toContain('Stopping the ring');
    await h.fake.waitForResponse(r.responseId, 'Stopped');
    const again = await h.command(ME, '/rescue', 'stop');
    expect(ackText(again.body)).toContain('Nothing to stop');
  });

  it('refuses a second rescue of the same phone while it rings', async () => {
    const phone = await h.phone();
    await h.register(ME, phone, { rings: 3, intervalSeconds: 1 });
    h.pauses.hold();
    const first = await h.command(ME, '/rescue');
    const second = await h.command(ME, '/rescue');
    expect(ackText(second.body)).toContain('already ringing');
    h.pauses.release();
    await h.fake.waitForResponse(first.responseId, 'rang 3 times');
  });

  it('not registered: says how to register, with a Register button', async () => {
    const r = await h.command(ME, '/rescue');
    expect(ackText(r.body)).toContain('/phone');
    expect(actionsIn(r.body?.blocks).map((a) => a.action_id)).toContain('open_settings');
  });

  it('wrong phone password: the hint and an "Update settings" button, no password anywhere', async () => {
    const phone = await h.phone();
    await h.register(ME, phone, { password: 'Wrong-Pa55-word!' });
    const r = await h.command(ME, '/rescue');
    const final = await h.fake.waitForResponse(r.responseId, 'did not accept the username and password');
    expect(actionsIn(final.params.blocks).map((a) => a.action_id)).toContain('open_settings');
    const everything = JSON.stringify(h.fake.calls) + h.logs.text();
    expect(everything).not.toContain('Wrong-Pa55-word!');
    expect(everything).not.toContain(phone.password);
  });

  it('a ringtone the phone does not have: the hint names it, with an "Update settings" button', async () => {
    const phone = await h.phone({ tones: { 'Classic1.raw': 1000 } });
    await h.register(ME, phone, { tone: 'Chime.raw' });
    const r = await h.command(ME, '/rescue');
    const final = await h.fake.waitForResponse(r.responseId, 'does not have the ringtone "Chime.raw"');
    expect(actionsIn(final.params.blocks).map((a) => a.action_id)).toContain('open_settings');
  });

  it('unreachable phone (Web Access off): the Web Access hint and a "Run a check" button', async () => {
    const phone = await h.phone({ faults: { webAccessDisabled: true } });
    await h.register(ME, phone);
    const r = await h.command(ME, '/rescue');
    const final = await h.fake.waitForResponse(r.responseId, 'Web Access');
    expect(actionsIn(final.params.blocks).map((a) => a.action_id)).toContain('phone_status');
    expect(messageText(final.params)).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a phone that hangs ends with the timeout hint, and other users ring in parallel', async () => {
    const hung = await h.phone({ faults: { hang: true } });
    const fine = await h.phone();
    await h.register(ME, hung);
    await h.register(ALICE, fine);
    const slow = await h.command(ME, '/rescue');
    const fast = await h.command(ALICE, '/rescue');
    expect(ackText(slow.body)).toContain('Ringing your phone');
    await h.fake.waitForResponse(fast.responseId, 'rang 3 times');
    await h.fake.waitForResponse(slow.responseId, 'did not answer in time', 15_000);
  });
});

describe('/rescue @colleague', () => {
  it('rings Alice, tells the requester, and DMs Alice who rescued her', async () => {
    const phone = await h.phone();
    await h.register(ALICE, phone);
    const r = await h.command(ME, '/rescue', `<@${ALICE}|alice>`);
    expect(ackText(r.body)).toContain(`<@${ALICE}>`);
    await h.fake.waitForResponse(r.responseId, `<@${ALICE}>'s phone rang 3 times`);
    expect(phone.played.length).toBe(3);
    expect(h.fake.callsTo('users.info')[0]?.params.user).toBe(ALICE);
    const dm = await h.fake.waitFor('chat.postMessage', (c) => messageText(c.params).includes(`<@${ME}> rescued you`));
    const open = h.fake.callsTo('conversations.open').find((c) => c.params.users === ALICE);
    expect(dm.params.channel).toBe(`D${ALICE.slice(1)}`);
    expect(open).toBeDefined();
  });

  it('accepts the <@U123> form without a name and W ids', async () => {
    const phone = await h.phone();
    await h.register(ALICE, phone);
    const r = await h.command(ME, '/rescue', ` <@${ALICE}> `);
    await h.fake.waitForResponse(r.responseId, 'rang 3 times');
    const w = await h.command(ME, '/rescue', '<@W0NOBODY|nobody>');
    await h.fake.waitForResponse(w.responseId, 'cannot find that person');
    // Slack answered the bot's users.info with user_not_found: the person is told, nothing else is tried.
    expect(h.fake.takeRefusals().map((r) => `${r.method} ${r.error}`)).toEqual(['users.info user_not_found']);
  });

  it('Alice not registered: offers to DM her a registration link, and the button sends it', async () => {
    const r = await h.command(ME, '/rescue', `<@${ALICE}|alice>`);
    const refusal = await h.fake.waitForResponse(r.responseId, 'not registered a desk phone');
    const link = actionsIn(refusal.params.blocks).find((a) => a.action_id === 'send_registration_link');
    expect(link?.value).toBe(ALICE);
    const click = await h.interact(blockAction(ME, { action_id: 'send_registration_link', value: ALICE }, { responseUrl: h.fake.responseUrl('link') }));
    expect(click.status).toBe(200);
    const invite = await h.fake.waitFor('chat.postMessage', (c) => c.params.channel === `D${ALICE.slice(1)}`);
    expect(messageText(invite.params)).toContain(`<@${ME}> tried to rescue you`);
    expect(actionsIn(invite.params.blocks).map((a) => a.action_id)).toContain('open_settings');
    await h.fake.waitForResponse('link', `I sent <@${ALICE}>`);
  });

  it('Alice accepts only her buddies: a specific refusal, her phone stays silent', async () => {
    const phone = await h.phone();
    await h.register(ALICE, phone, { permission: 'buddies', buddies: [BOB] });
    const r = await h.command(ME, '/rescue', `<@${ALICE}|alice>`);
    await h.fake.waitForResponse(r.responseId, 'rescue buddies');
    const ok = await h.command(BOB, '/rescue', `<@${ALICE}|alice>`);
    await h.fake.waitForResponse(ok.responseId, 'rang 3 times');
    expect(phone.played.length).toBe(3);
  });

  it('Alice allows only herself', async () => {
    const phone = await h.phone();
    await h.register(ALICE, phone, { permission: 'only_me' });
    const r = await h.command(ME, '/rescue', `<@${ALICE}>`);
    await h.fake.waitForResponse(r.responseId, 'allows only themselves');
    expect(phone.requests.length).toBe(0);
  });

  it('refuses bots and deactivated accounts (users.info)', async () => {
    const phone = await h.phone();
    await h.register(GONE, phone);
    const bot = await h.command(ME, '/rescue', `<@${BOT_USER}|somebot>`);
    await h.fake.waitForResponse(bot.responseId, 'is an app, not a person');
    const gone = await h.command(ME, '/rescue', `<@${GONE}|gone>`);
    await h.fake.waitForResponse(gone.responseId, 'deactivated');
    expect(phone.requests.length).toBe(0);
  });

  it('more than one person, a bare @name, and nonsense each get their own message', async () => {
    const two = await h.command(ME, '/rescue', `<@${ALICE}|alice> <@${BOB}|bob>`);
    expect(ackText(two.body)).toContain('You mentioned 2 people');
    const bare = await h.command(ME, '/rescue', '@alice');
    expect(ackText(bare.body)).toContain('Type @ and pick the person');
    const name = await h.command(ME, '/rescue', 'alice');
    expect(ackText(name.body)).toContain('Type @ and pick the person');
    const junk = await h.command(ME, '/rescue', `<@${ALICE}> please now!!`);
    expect(ackText(junk.body)).toContain('How to use /rescue');
    const channel = await h.command(ME, '/rescue', '<!channel>');
    expect(ackText(channel.body)).toContain('How to use /rescue');
    expect(h.fake.callsTo('users.info')).toHaveLength(0);
  });

  it('/rescue help shows usage', async () => {
    const r = await h.command(ME, '/rescue', 'help');
    expect(ackText(r.body)).toContain('/rescue @colleague');
  });

  it('mentioning yourself rings your own phone', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    const r = await h.command(ME, '/rescue', `<@${ME}|me>`);
    expect(ackText(r.body)).toContain('Ringing your phone');
    await h.fake.waitForResponse(r.responseId, 'Your phone rang 3 times');
  });

  it('a users.info outage is logged and the directory still decides', async () => {
    h.fake.setFault('users.info', { kind: 'http', status: 500 });
    const r = await h.command(ME, '/rescue', `<@${NOBODY}>`);
    await h.fake.waitForResponse(r.responseId, 'not registered a desk phone');
    expect(h.logs.text()).toContain('users.info failed');
  });
});

describe('limits', () => {
  it('a second rescue of Alice within the cooldown says when she can be rescued again; her phone rings once', async () => {
    await h.close();
    h = await startWorld({ rings: 3, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '120' } });
    const phone = await h.phone({ toneTimeScale: 0 });
    await h.register(ALICE, phone, { rings: 1 });
    const first = await h.command(ME, '/rescue', `<@${ALICE}>`);
    await h.fake.waitForResponse(first.responseId, 'rang once');
    const second = await h.command(BOB, '/rescue', `<@${ALICE}>`);
    await h.fake.waitForResponse(second.responseId, /again in \d/);
    expect(phone.played).toHaveLength(1);
  });
});

describe('calls in progress', () => {
  it('a colleague on a call is not rung, and the requester is told why', async () => {
    const phone = await h.phone({ onCall: true });
    await h.register(ALICE, phone);
    const r = await h.command(ME, '/rescue', `<@${ALICE}>`);
    await h.fake.waitForResponse(r.responseId, `<@${ALICE}> is on a call`);
    expect(phone.played).toHaveLength(0);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.params.channel === `D${ALICE.slice(1)}`)).toHaveLength(0);
  });
});

describe('a slow store', () => {
  it('acks within the deadline with a holding message, then rings and reports on the response_url', async () => {
    const phone = await h.phone();
    await h.register(ME, phone);
    // Fault injection: the real directory, answering 2.5 s late (a Postgres server under load).
    const real = h.rescue.directory;
    h.rescue.directory = new Proxy(real, {
      get(target, prop, receiver) {
        const v: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'get' || typeof v !== 'function') return v;
        return async (...args: unknown[]) => {
          await new Promise((r) => setTimeout(r, 2_500));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const r = await h.command(ME, '/rescue');
    expect(r.status).toBe(200);
    expect(ackText(r.body)).toContain('Getting ready to ring your phone');
    const ringing = await h.fake.waitForResponse(r.responseId, 'Ringing your phone');
    expect(actionsIn(ringing.params.blocks).map((a) => a.action_id)).toContain('stop_rescue');
    await h.fake.waitForResponse(r.responseId, 'rang 3 times');
    expect(h.logs.text()).toContain('rescue checks are slow');
  });

  it('/rescue list acks in time with a holding message and posts the list on the response_url', async () => {
    // Fault injection: the real schedule store, answering 2.5 s late (a Postgres server under load).
    const real = h.rescue.schedules!;
    h.rescue.schedules = new Proxy(real, {
      get(target, prop, receiver) {
        const v: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'pending' || typeof v !== 'function') return v;
        return async (...args: unknown[]) => {
          await new Promise((r) => setTimeout(r, 2_500));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const r = await h.command(ME, '/rescue', 'list');
    expect(r.status).toBe(200);
    expect(ackText(r.body)).toContain('One moment');
    await h.fake.waitForResponse(r.responseId, 'No rescues are waiting to ring');
    expect(h.logs.text()).toContain('the store is slow');
  });
});
