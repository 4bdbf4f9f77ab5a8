/**
 * Scheduled rescues end to end: signed /rescue requests into Bolt's receiver, the fake Slack, simulated
 * phones, SQLite, and a controlled clock (the scheduler's rounds are run by hand; nothing sleeps).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionsIn, messageText } from '../support/fake-slack.js';
import { blockAction } from '../support/slack-requests.js';
import { ackText, ALICE, BOB, dmsTo, ME, START, startWorld, TEAM, type World, type WorldOptions } from '../support/world.js';
import { claimOnce } from '../../src/rescue/limits.js';
import { MAX_LATENESS_MS } from '../../src/rescue/schedule.js';
import { CLAIM_LEASE_MS } from '../../src/rescue/scheduler.js';

/** The bot with the scheduler on a manual timer, as src/main.ts wires it (App Home history off). */
const SCHEDULED: WorldOptions = { scheduler: true, slack: { history: false } };

const MIN = 60_000;
const unix = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

let w: World;
beforeEach(async () => {
  w = await startWorld(SCHEDULED);
});
afterEach(async () => {
  await w.close();
});

/** The confirmation posted on the command's response_url. */
async function confirmation(responseId: string, needle: string | RegExp = 'I will ring') {
  const r = await w.fake.waitForResponse(responseId, needle);
  return { text: messageText(r.params), cancel: actionsIn(r.params.blocks).find((a) => a.action_id === 'cancel_scheduled_rescue') };
}

describe('/rescue in 10m (your own phone)', () => {
  it('names the exact time with a Cancel button, shows in /rescue list, rings once at the time and DMs the outcome', async () => {
    const phone = await w.phone();
    await w.register(ME, phone);
    const r = await w.command(ME, '/rescue', 'in 10m');
    expect(r.status).toBe(200);
    expect(ackText(r.body)).toContain('Scheduling your rescue');
    const c = await confirmation(r.responseId);
    // 09:10 UTC, rendered by Slack in each reader's zone; the fallback is in the requester's (Europe/London).
    expect(c.text).toContain(`<!date^${unix('2026-11-28T09:10:00Z')}^{date_short_pretty} at {time}|Sat 28 Nov, 09:10 (Europe/London)>`);
    expect(c.text).toContain('(in 10 min)');
    expect(c.cancel?.value).toMatch(/[0-9a-f-]{36}/);

    const list = await w.command(ME, '/rescue', 'list');
    expect(ackText(list.body)).toContain('Scheduled by you');
    expect(ackText(list.body)).toContain(`<!date^${unix('2026-11-28T09:10:00Z')}^`);
    expect(actionsIn(list.body?.blocks).map((a) => a.value)).toEqual([c.cancel?.value]);

    w.advance(9 * MIN);
    expect(await w.round()).toBe(0);
    expect(phone.played).toEqual([]);
    w.advance(MIN);
    expect(await w.round()).toBe(1);
    expect(phone.played).toEqual(['Classic1.raw', 'Classic1.raw']);
    await w.fake.waitFor('chat.postMessage', (call) => messageText(call.params).includes('rang twice'));
    expect(dmsTo(w.fake, ME)).toEqual(['Your scheduled rescue: Your phone rang twice. Good luck getting away!']);
    // Fired once: later rounds ring nothing, and the list is empty.
    w.advance(MIN);
    expect(await w.round()).toBe(0);
    expect(phone.played).toHaveLength(2);
    expect(ackText((await w.command(ME, '/rescue', 'list')).body)).toContain('No rescues are waiting to ring');
  });

  it('explains each time it cannot use, and schedules nothing', async () => {
    const phone = await w.phone();
    await w.register(ME, phone);
    const cases: [string, RegExp][] = [
      ['in 0m', /`in 0m` is right now: send `\/rescue` without a time/],
      ['in 3 days', /at most 24 hours ahead; "in 3 days" is 3 days away/],
      ['at 25:00', /25:00 is not a time of day/],
      ['at 14', /Is "at 14" in the morning or the afternoon\?/],
      ['at 8:30', /08:30 has passed today \(it is 09:00 in your time zone, Europe\/London\)\. Did you mean tomorrow\? Send `\/rescue at 08:30 tomorrow`/],
      ['in a while', /could not read "in a while" as a delay/],
    ];
    for (const [text, hint] of cases) {
      const r = await w.command(ME, '/rescue', text);
      const at = /^at (8:30)/.test(text) ? messageText((await w.fake.waitForResponse(r.responseId, 'passed today')).params) : undefined;
      // "at 8:30" is well-formed: the time zone is needed, so the answer comes on the response_url.
      expect(at ?? ackText(r.body), text).toMatch(hint);
    }
    expect(ackText((await w.command(ME, '/rescue', 'list')).body)).toContain('No rescues are waiting');
  });

  it('"at 9:30 tomorrow" works, in the requester\'s own time zone', async () => {
    w.fake.setUser({ id: ME, name: 'me', tz: 'America/New_York' });
    const phone = await w.phone();
    await w.register(ME, phone);
    // 09:00 UTC is 04:00 in New York.
    const r = await w.command(ME, '/rescue', 'at 9:30am');
    const c = await confirmation(r.responseId);
    expect(c.text).toContain(`<!date^${unix('2026-11-28T14:30:00Z')}^{date_short_pretty} at {time}|Sat 28 Nov, 09:30 (America/New_York)>`);
    expect(c.text).toContain('(in 5 h 30 min)');
  });
});

describe('/rescue @colleague at a time, with a cover story', () => {
  it('rings the colleague at the time with the story on the screen; both are told', async () => {
    w.fake.setUser({ id: ME, name: 'me', tz: 'Europe/Paris' });
    const phone = await w.phone();
    await w.register(ALICE, phone);
    const r = await w.command(ME, '/rescue', `<@${ALICE}|alice> at 10:30 “Facilities: your car is blocking the gate”`);
    const c = await confirmation(r.responseId);
    expect(c.text).toContain(`I will ring <@${ALICE}>'s phone <!date^${unix('2026-11-28T09:30:00Z')}^{date_short_pretty} at {time}|Sat 28 Nov, 10:30 (Europe/Paris)>`);
    expect(c.text).toContain('Facilities: your car is blocking the gate');
    // Alice sees it coming, with a Cancel button of her own.
    const hers = await w.command(ALICE, '/rescue', 'list');
    expect(ackText(hers.body)).toContain('For your phone');
    expect(ackText(hers.body)).toContain(`<@${ME}> will ring your phone`);

    w.advance(30 * MIN);
    await w.round();
    expect(phone.played).toHaveLength(2);
    expect(phone.requests.filter((q) => q.xml?.includes('<CiscoIPPhoneText>')).map((q) => q.xml)).toEqual([expect.stringContaining('<Text>Facilities: your car is blocking the gate</Text>')]);
    await w.fake.waitFor('chat.postMessage', (call) => call.params.channel === 'D0ALICE');
    expect(dmsTo(w.fake, ALICE)[0]).toContain(`<@${ME}> rescued you`);
    const mine = dmsTo(w.fake, ME)[0];
    expect(mine).toContain(`<@${ALICE}>'s phone rang twice`);
    expect(mine).toContain('The cover story is on the phone’s screen.');
  });

  it('checks consent when scheduling and again at firing time', async () => {
    const phone = await w.phone();
    await w.register(ALICE, phone, { permission: 'only_me' });
    const refused = await w.command(ME, '/rescue', `<@${ALICE}> in 5m`);
    await w.fake.waitForResponse(refused.responseId, 'allows only themselves');

    await w.register(BOB, phone);
    const r = await w.command(ME, '/rescue', `<@${BOB}> in 5m`);
    await confirmation(r.responseId);
    await w.register(BOB, phone, { permission: 'only_me' });
    w.advance(5 * MIN);
    await w.round();
    expect(phone.played).toEqual([]);
    await w.fake.waitFor('chat.postMessage', (call) => call.params.channel === 'D0ME');
    expect(dmsTo(w.fake, ME)[0]).toMatch(new RegExp(`^Your scheduled rescue of <@${BOB}>'s phone \\(<!date\\^\\d+\\^.*\\) did not ring\\.\\n<@${BOB}> allows only themselves`));
  });

  it('applies the rate limits at firing time', async () => {
    await w.close();
    w = await startWorld({ ...SCHEDULED, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '600' } });
    const phone = await w.phone();
    await w.register(ALICE, phone);
    await confirmation((await w.command(ME, '/rescue', `<@${ALICE}> in 2m`)).responseId);
    await w.fake.waitForResponse((await w.command(BOB, '/rescue', `<@${ALICE}>`)).responseId, 'rang twice');
    w.advance(2 * MIN);
    await w.round();
    expect(phone.played).toHaveLength(2);
    await w.fake.waitFor('chat.postMessage', (call) => call.params.channel === 'D0ME');
    expect(dmsTo(w.fake, ME)[0]).toContain(`<@${ALICE}>’s phone rang less than 10 min ago`);
  });
});

describe('cancelling', () => {
  it('the Cancel button cancels that one; /rescue cancel cancels all of yours; nothing rings', async () => {
    const phone = await w.phone();
    await w.register(ME, phone);
    await w.register(ALICE, phone);
    const one = await confirmation((await w.command(ME, '/rescue', 'in 5m')).responseId);
    await confirmation((await w.command(ME, '/rescue', `<@${ALICE}> in 6m`)).responseId);
    await confirmation((await w.command(ME, '/rescue', 'at 9:20')).responseId);

    const click = await w.interact(blockAction(ME, { action_id: 'cancel_scheduled_rescue', value: one.cancel!.value! }, { responseUrl: w.fake.responseUrl('cancel1') }));
    expect(click.status).toBe(200);
    const done = await w.fake.waitForResponse('cancel1', 'Cancelled');
    expect(messageText(done.params)).toContain('your phone will not ring <!date^');
    // A second click: already gone.
    await w.interact(blockAction(ME, { action_id: 'cancel_scheduled_rescue', value: one.cancel!.value! }, { responseUrl: w.fake.responseUrl('cancel2') }));
    await w.fake.waitForResponse('cancel2', 'no longer waiting');
    // Someone else cannot cancel yours.
    const list = await w.command(ME, '/rescue', 'list');
    const otherId = actionsIn(list.body?.blocks)[0]!.value!;
    await w.interact(blockAction(BOB, { action_id: 'cancel_scheduled_rescue', value: otherId }, { responseUrl: w.fake.responseUrl('cancel3') }));
    await w.fake.waitForResponse('cancel3', 'no longer waiting');

    expect(ackText((await w.command(ME, '/rescue', 'cancel')).body)).toContain('Cancelled your 2 scheduled rescues.');
    expect(ackText((await w.command(ME, '/rescue', 'cancel')).body)).toContain('Nothing to cancel');
    w.advance(30 * MIN);
    expect(await w.round()).toBe(0);
    expect(phone.played).toEqual([]);
  });

  it('the colleague a rescue is planned for may cancel it', async () => {
    const phone = await w.phone();
    await w.register(ALICE, phone);
    await confirmation((await w.command(ME, '/rescue', `<@${ALICE}> in 5m`)).responseId);
    const hers = await w.command(ALICE, '/rescue', 'list');
    const id = actionsIn(hers.body?.blocks)[0]!.value!;
    await w.interact(blockAction(ALICE, { action_id: 'cancel_scheduled_rescue', value: id }, { responseUrl: w.fake.responseUrl('alice') }));
    await w.fake.waitForResponse('alice', 'Cancelled');
    w.advance(5 * MIN);
    await w.round();
    expect(phone.played).toEqual([]);
  });

  it('allows at most 5 pending per person, and says how to make room', async () => {
    const phone = await w.phone();
    await w.register(ME, phone);
    for (let i = 1; i <= 5; i++) await confirmation((await w.command(ME, '/rescue', `in ${i}m`)).responseId);
    const sixth = await w.command(ME, '/rescue', 'in 6m');
    await w.fake.waitForResponse(sixth.responseId, 'You already have 5 scheduled rescues waiting');
  });
});

describe('a restart with rescues pending', () => {
  it('fires what is less than 2 minutes late and reports the rest as missed to their requester (DM)', async () => {
    const phone = await w.phone();
    await w.register(ME, phone);
    await w.register(ALICE, phone);
    await confirmation((await w.command(ME, '/rescue', 'in 5m')).responseId);
    await confirmation((await w.command(BOB, '/rescue', `<@${ALICE}> in 10m`)).responseId);
    await confirmation((await w.command(ME, '/rescue', 'in 20m')).responseId);
    expect(w.time.now).toEqual(START);

    // Down for 11 minutes: the first is 6 min late (missed), the second 1 min late (fires), the third is ahead.
    await w.restart(11 * MIN);
    expect(phone.played).toEqual([]);
    await w.startScheduler();
    await w.bot.tasks.idle(5_000);
    expect(phone.played).toHaveLength(2);
    await w.fake.waitFor('chat.postMessage', (call) => call.params.channel === 'D0ME');
    await w.fake.waitFor('chat.postMessage', (call) => call.params.channel === 'D0BOB');
    expect(dmsTo(w.fake, ME)).toEqual([expect.stringMatching(/^Your scheduled rescue of your phone was due <!date\^\d+\^.*>, but rescue-ring was not running then, so it was missed and nothing rang\./)]);
    expect(dmsTo(w.fake, BOB)[0]).toContain(`<@${ALICE}>'s phone rang twice`);
    const audit = await w.store.audit.query({ userId: ME });
    expect(audit.some((a) => a.action === 'scheduled_rescue' && a.outcome === 'missed' && a.actorId === ME)).toBe(true);

    // The third is still pending after the restart and fires on time.
    expect(ackText((await w.command(ME, '/rescue', 'list')).body)).toContain('Scheduled by you');
    w.advance(9 * MIN);
    await w.round();
    expect(phone.played).toHaveLength(4);
  });

  it('a rescue whose ring the stopped bot had already claimed is not rung again; its requester is told it may not have rung (DM)', async () => {
    const phone = await w.phone();
    await w.register(ME, phone);
    await confirmation((await w.command(ME, '/rescue', 'in 5m')).responseId);
    w.advance(5 * MIN);
    // The bot took the entry and claimed its ring, then was killed before settling it.
    const [entry] = await w.store.schedules.claimDueLeased!(w.time.now, MAX_LATENESS_MS, 20, CLAIM_LEASE_MS);
    await claimOnce(w.rescue, TEAM, entry!.id);

    await w.restart(CLAIM_LEASE_MS + 1_000);
    await w.startScheduler();
    await w.fake.waitFor('chat.postMessage', (call) => call.params.channel === 'D0ME');
    await w.bot.tasks.idle(5_000);
    expect(phone.played).toEqual([]);
    expect(dmsTo(w.fake, ME)).toEqual([
      expect.stringMatching(/^Your scheduled rescue of your phone \(<!date\^\d+\^.*>\) was interrupted: rescue-ring stopped while firing it, so I cannot tell whether the phone rang, and I will not ring it twice\. If it did not ring, send \/rescue to ring now\.$/),
    ]);
    expect(await w.store.schedules.pending({ teamId: TEAM })).toEqual([]);
  });
});
