/**
 * Find my phone, end to end: the real Bolt receiver and the Slack stand-in (users.info gives the
 * profile e-mail), the simulated call manager over loopback HTTP, a real SQLite store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_CUCM_PASSWORD, SIM_CUCM_USERNAME, type SimCucmAccount } from '../../src/sim/cucm/index.js';
import { registerPhone } from '../../src/rescue/index.js';
import type { SimPhone } from '../../src/sim/index.js';
import { actionsIn, messageText, type FakeUser } from '../support/fake-slack.js';
import { blockAction } from '../support/slack-requests.js';
import { ackText, ALICE, BOB, dmOf, ME, startWorld, TEAM, USERS, type World } from '../support/world.js';

const SHARED = { PHONE_DEFAULT_USERNAME: 'office', PHONE_DEFAULT_PASSWORD: 'office-SECRET-44c' };
const MY_PHONE = 'SEP00AA11BB22CC';
const ALICE_PHONE = 'SEP00AA11BB22EE';
const EMAILS: Record<string, string> = { [ME]: 'Me@Example.com', [ALICE]: 'alice@example.com', [BOB]: 'bob@example.com' };

let h: World | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Setup = 'one' | 'several' | 'softphone' | 'none';

async function start(setup: Setup, o: { env?: Record<string, string>; noEmail?: boolean; accounts?: SimCucmAccount[] } = {}): Promise<World> {
  const users: FakeUser[] = USERS.map((u) => (EMAILS[u.id] && !o.noEmail ? { ...u, email: EMAILS[u.id] } : u));
  const devices = {
    one: [{ name: MY_PHONE, owner: 'me', description: '2nd floor, desk 14', model: 'Cisco 8845', ip: '127.0.0.31' }, { name: 'CSFME', associated: ['me'] }],
    several: [
      { name: MY_PHONE, owner: 'me', model: 'Cisco 8845', ip: '127.0.0.31' },
      { name: 'SEP00AA11BB22CD', associated: ['me'], model: 'Cisco 7841', status: 'UnRegistered' as const },
    ],
    softphone: [{ name: 'CSFME', owner: 'me' }],
    none: [],
  }[setup];
  h = await startWorld({
    slack: { users },
    env: { ...SHARED, ...o.env },
    callManager: {
      users: [{ userid: 'me', mailid: 'me@example.com' }, { userid: 'alice', mailid: 'alice@example.com' }],
      devices: [...devices, { name: ALICE_PHONE, owner: 'alice', ip: '127.0.0.32' }],
      ...(o.accounts ? { accounts: o.accounts } : {}),
    },
  });
  return h;
}

const opened = (user: string) => ({ type: 'app_home_opened', user, channel: dmOf(user), tab: 'home', event_ts: '1' });

async function phoneModal(hh: World): Promise<string> {
  await hh.command(ME, '/phone');
  const open = await hh.fake.waitFor('views.open');
  return JSON.stringify(open.params.view);
}

describe('/phone and App Home with the call manager', () => {
  it('one desk phone: model, description, registered, a Use this phone button; the softphone shown but not offered', async () => {
    const hh = await start('one');
    const view = await phoneModal(hh);
    expect(view).toContain(MY_PHONE);
    expect(view).toContain('Cisco 8845');
    expect(view).toContain('2nd floor, desk 14');
    expect(view).toContain('registered');
    expect(view).toContain('CSFME');
    const open = hh.fake.callsTo('views.open')[0]!;
    const buttons = actionsIn(open.params.view).filter((a) => a.action_id === 'register_found_phone');
    expect(buttons.map((b) => b.value)).toEqual([MY_PHONE]);
    await hh.event(opened(ME));
    const home = await hh.fake.waitFor('views.publish');
    expect(actionsIn(home.params.view).filter((a) => a.action_id === 'register_found_phone').map((b) => b.value)).toEqual([MY_PHONE]);
    expect(hh.fake.refusals).toEqual([]);
  });

  it('several desk phones: each with its registration status and its own button', async () => {
    const hh = await start('several');
    const view = await phoneModal(hh);
    expect(view).toContain('not registered');
    expect(actionsIn(hh.fake.callsTo('views.open')[0]!.params.view).filter((a) => a.action_id === 'register_found_phone').map((b) => b.value)).toEqual([MY_PHONE, 'SEP00AA11BB22CD']);
    expect(hh.fake.refusals).toEqual([]);
  });

  it('softphone only, no desk phone, no e-mail: today\'s form with the reason, nothing offered', async () => {
    for (const [setup, opts, reason] of [
      ['softphone', {}, /lists no desk phone/],
      ['none', {}, /lists no desk phone/],
      ['one', { noEmail: true }, /no e-mail address/],
    ] as const) {
      const hh = await start(setup, opts);
      const view = await phoneModal(hh);
      expect(view).toMatch(reason);
      expect(actionsIn(hh.fake.callsTo('views.open')[0]!.params.view).map((a) => a.action_id)).not.toContain('register_found_phone');
      expect(view).toContain('Phone address');
      expect(hh.fake.refusals).toEqual([]);
      await hh.close();
      h = undefined;
    }
  });

  it('without a shared phone account the form asks for the phone password instead of a button', async () => {
    const hh = await start('one', { env: { PHONE_DEFAULT_USERNAME: '', PHONE_DEFAULT_PASSWORD: '' } });
    const view = await phoneModal(hh);
    expect(view).toContain(`put \`${MY_PHONE}\` in *Phone address*`);
    expect(actionsIn(hh.fake.callsTo('views.open')[0]!.params.view).map((a) => a.action_id)).not.toContain('register_found_phone');
    expect(hh.fake.refusals).toEqual([]);
  });

  it('one click registers it (from App Home), and App Home then says rescue-ring rings it', async () => {
    const hh = await start('one');
    await hh.interact(blockAction(ME, { action_id: 'register_found_phone', value: MY_PHONE }, { view: { id: 'VHOME', type: 'home' } }));
    const dm = await hh.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ME));
    expect(messageText(dm.params)).toContain(`will ring your desk phone *${MY_PHONE}*`);
    expect(await hh.store.directory.get({ teamId: TEAM, userId: ME })).toMatchObject({ address: MY_PHONE, source: 'callmanager' });
    const home = await hh.fake.waitFor('views.publish', (c) => messageText(c.params).includes('rescue-ring rings this phone'));
    expect(home.params.user_id).toBe(ME);
    expect(hh.fake.refusals).toEqual([]);
    expect(hh.logs.text()).not.toContain(SIM_CUCM_PASSWORD);
    expect(hh.logs.text()).not.toContain(SHARED.PHONE_DEFAULT_PASSWORD);
  });

  it('one click in the /phone modal registers it and the modal turns into the saved summary', async () => {
    const hh = await start('one');
    await phoneModal(hh);
    const modal = hh.fake.openModal(ME)!;
    await hh.interact(blockAction(ME, { action_id: 'register_found_phone', value: MY_PHONE }, { view: { id: modal.id, type: 'modal', callback_id: 'phone_settings_modal' } }));
    const update = await hh.fake.waitFor('views.update', (c) => JSON.stringify(c.params).includes(`will ring your desk phone *${MY_PHONE}*`));
    expect(update.params.view_id).toBe(modal.id);
    expect(JSON.stringify(hh.fake.modal(modal.id)?.view)).toContain('Saved. rescue-ring will ring');
    expect(await hh.store.directory.get({ teamId: TEAM, userId: ME })).toMatchObject({ address: MY_PHONE, source: 'callmanager' });
    expect(hh.fake.refusals).toEqual([]);
  });

  it('a crafted button for someone else\'s phone registers nothing', async () => {
    const hh = await start('one');
    await hh.interact(blockAction(ME, { action_id: 'register_found_phone', value: ALICE_PHONE }, { view: { id: 'VHOME', type: 'home' } }));
    const dm = await hh.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ME));
    expect(messageText(dm.params)).toMatch(/does not list SEP00AA11BB22EE/);
    expect(await hh.store.directory.get({ teamId: TEAM, userId: ME })).toBeUndefined();
  });
});

describe('the first /rescue', () => {
  it('registers the one desk phone of someone who registered nothing, says so and how to change it, and rings it', async () => {
    const hh = await start('none');
    const phone = await hh.devicePhone({ name: MY_PHONE, owner: 'me', model: 'Cisco 8845' }, 31, { username: SHARED.PHONE_DEFAULT_USERNAME, password: SHARED.PHONE_DEFAULT_PASSWORD });
    const r = await hh.command(ME, '/rescue');
    expect(ackText(r.body)).toMatch(new RegExp(`registered your desk phone \\*${MY_PHONE}\\*.*/phone`, 's'));
    expect(await hh.store.directory.get({ teamId: TEAM, userId: ME })).toMatchObject({ address: MY_PHONE, source: 'callmanager' });
    await hh.settle();
    expect(phone.played.length).toBeGreaterThan(0);
    expect(hh.fake.refusals).toEqual([]);
  });

  it('does not guess between several desk phones: today\'s "not registered" answer', async () => {
    const hh = await start('several');
    const r = await hh.command(ME, '/rescue');
    expect(ackText(r.body)).toContain('/phone');
    expect(ackText(r.body)).not.toContain('registered your desk phone');
    expect(await hh.store.directory.get({ teamId: TEAM, userId: ME })).toBeUndefined();
  });

  it('/rescue @alice for someone who set up nothing: says so to the rescuer, rings nothing, registers nothing for Alice', async () => {
    const hh = await start('one');
    const r = await hh.command(ME, '/rescue', `<@${ALICE}|alice>`);
    const reply = await hh.fake.waitForResponse(r.responseId, 'not registered a desk phone yet');
    expect(messageText(reply.params)).toContain('not registered a desk phone yet');
    expect(await hh.store.directory.get({ teamId: TEAM, userId: ALICE })).toBeUndefined();
    expect(hh.cucm.requests.filter((q) => q.api === 'AXL')).toHaveLength(0);
  });
});

describe('/rescue of a phone registered by device name, through the receiver', () => {
  /** Alice's desk phone, registered by Alice with one click in App Home. */
  async function aliceRegistered(hh: World): Promise<SimPhone> {
    const phone = await hh.devicePhone({ name: ALICE_PHONE, owner: 'alice' }, 33, { username: SHARED.PHONE_DEFAULT_USERNAME, password: SHARED.PHONE_DEFAULT_PASSWORD });
    await hh.interact(blockAction(ALICE, { action_id: 'register_found_phone', value: ALICE_PHONE }, { view: { id: 'VHOME', type: 'home' } }));
    await hh.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ALICE));
    return phone;
  }

  it('a phone that moved (DHCP) still rings for /rescue @alice', async () => {
    const hh = await start('none');
    const before = await aliceRegistered(hh);
    const first = await hh.command(ME, '/rescue', `<@${ALICE}|alice>`);
    await hh.settle();
    expect(before.played.length).toBeGreaterThan(0);
    const after = await hh.movePhone(ALICE_PHONE, before, 34);
    hh.advance(3 * 60_000);
    const second = await hh.command(ME, '/rescue', `<@${ALICE}|alice>`);
    await hh.settle();
    expect(after.played.length).toBeGreaterThan(0);
    expect(hh.cucm.requests.filter((q) => q.api === 'RisPort70').length).toBeGreaterThanOrEqual(2);
    for (const id of [first.responseId, second.responseId]) expect(hh.fake.responses(id).map((c) => messageText(c.params)).join('\n')).not.toMatch(/:warning:/);
  });

  for (const [what, fault, expected] of [
    ['not registered', (hh: World) => hh.cucm.setStatus(ALICE_PHONE, 'UnRegistered'), `${ALICE_PHONE} is not registered with the call manager: is it plugged in?`],
    ['wrong call-manager password', (hh: World) => hh.cucm.setFaults({ unauthorized: true }), 'An administrator checks CUCM_USERNAME and CUCM_PASSWORD'],
    ['RisPort over its rate', (hh: World) => hh.cucm.setFaults({ rateLimited: true }), 'Try again in a minute'],
    ['the call manager down', (hh: World) => hh.cucm.setFaults({ down: true }), 'could not reach the call manager'],
  ] as const) {
    it(`${what}: the rescuer reads what happened and what to do, and no secret is written`, async () => {
      const hh = await start('none');
      const phone = await aliceRegistered(hh);
      hh.advance(2 * 24 * 60 * 60_000); // older than CUCM_STALE_ADDRESS_SECONDS: the last known address is not used
      await fault(hh);
      const r = await hh.command(ME, '/rescue', `<@${ALICE}|alice>`);
      const reply = await hh.fake.waitForResponse(r.responseId, expected);
      expect(messageText(reply.params)).toContain(expected);
      expect(phone.played).toHaveLength(0);
      const everything = JSON.stringify(hh.fake.calls) + hh.logs.text();
      for (const secret of [SIM_CUCM_PASSWORD, SHARED.PHONE_DEFAULT_PASSWORD]) expect(everything).not.toContain(secret);
    });
  }

  it('the RisPort role missing from the call-manager account: the rescuer reads which role an administrator must add', async () => {
    const hh = await start('none', { accounts: [{ username: SIM_CUCM_USERNAME, password: SIM_CUCM_PASSWORD, ris: false }] });
    await aliceRegistered(hh);
    const r = await hh.command(ME, '/rescue', `<@${ALICE}|alice>`);
    const reply = await hh.fake.waitForResponse(r.responseId, 'Standard RealtimeAndTraceCollection');
    expect(messageText(reply.params)).toContain('is missing the role "Standard RealtimeAndTraceCollection"');
  });

  it('a device name the call manager does not know: the person reads how to check the name', async () => {
    const hh = await start('none');
    await registerPhone(hh.rescue, { teamId: TEAM, userId: ME, address: 'SEP0000000000EE', username: 'office', password: SHARED.PHONE_DEFAULT_PASSWORD });
    const r = await hh.command(ME, '/rescue');
    const reply = await hh.fake.waitForResponse(r.responseId, 'knows no phone named');
    expect(messageText(reply.params)).toContain('knows no phone named SEP0000000000EE');
  });
});
