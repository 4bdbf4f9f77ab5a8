/// <reference types="vite/client" />
/**
 * A walk over every surface the app has, through the stand-in Slack that refuses what Slack refuses:
 * every command and argument form, every shortcut, App Home for a registered and an unregistered
 * person and an admin, every button the app shows (clicked once each), the settings modal submitted
 * as opened and with each field invalid in turn, and every error message the app can send. Slack
 * refusing any of it fails the walk, naming the call and Slack's JSON pointer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from '@slack/bolt';
import { checkMessageBlocks } from '../../src/demo/slack-rules/blocks.js';
import { checkMessage } from '../../src/demo/slack-rules/methods.js';
import { isAppError } from '../../src/errors.js';
import { errorMessage } from '../../src/slack/blocks/errors.js';
import { actionsIn, type RecordedCall } from '../support/fake-slack.js';
import { blockAction, globalShortcut, messageShortcut, viewSubmission, type StateValues } from '../support/slack-requests.js';
import { ALICE, BOB, BOT_USER, GONE, ME, startWorld, type World } from '../support/world.js';

let h: World;

beforeAll(async () => {
  h = await startWorld({ env: { ADMIN_USER_IDS: BOB } });
  await h.register(ME, await h.phone());
  await h.register(ALICE, await h.phone());
});
afterAll(() => h.close());

/** Every refusal so far, as "method: [ERROR] ... [json-pointer:...]" lines (empty when Slack took everything). */
const refusals = () => h.fake.refusals.map((r) => `${r.method}: ${r.error} ${r.messages.join(' ')}`);

const settle = () => h.settle();

const RESCUE_FORMS = [
  '',
  'help',
  'list',
  'cancel',
  'stop',
  `<@${ALICE}|alice>`,
  `<@${BOB}|bob>`,
  'in 10m',
  'at 23:59',
  `<@${ALICE}> in 5m`,
  '"Facilities: your car is blocking the gate"',
  `<@${ALICE}> "Reception: a parcel for you"`,
  '"unclosed cover story',
  '@alice',
  `<@${ALICE}> <@${BOB}>`,
  `<@${BOT_USER}>`,
  `<@${GONE}>`,
  'in 99 years',
  '%%% nonsense %%%',
];
const PHONE_FORMS = ['help', 'status', 'test', 'what', 'forget'];

describe('a walk over every surface, through a Slack that refuses what Slack refuses', () => {
  it('every /rescue, /phone and /phone-screenshot form', async () => {
    for (const text of RESCUE_FORMS) {
      const r = await h.command(ME, '/rescue', text);
      expect(r.status, `/rescue ${text}`).toBe(200);
      await settle();
    }
    for (const who of [ME, BOB]) {
      for (const text of ['', ...PHONE_FORMS.filter((t) => t !== 'forget')]) {
        expect((await h.command(who, '/phone', text)).status).toBe(200);
        await settle();
      }
      expect((await h.command(who, '/phone-screenshot')).status).toBe(200);
      await settle();
    }
    // A phone that does not answer: the error offers "Run a check".
    await h.register(ME, h.phones[0]!, { address: '127.0.0.1:9' });
    await h.command(ME, '/rescue');
    await settle();
    await h.register(ME, h.phones[0]!);
    expect(refusals()).toEqual([]);
  });

  it('every shortcut, and App Home for a registered person, an unregistered one and an admin', async () => {
    for (const who of [ME, BOB]) {
      for (const callback of ['rescue_me', 'phone_settings', 'phone_screenshot']) {
        expect((await h.interact(globalShortcut(callback, who))).status).toBe(200);
        await settle();
      }
      expect((await h.interact(messageShortcut('rescue_author', who, { user: ALICE }, h.fake.responseUrl(`author-${who}`)))).status).toBe(200);
      expect((await h.interact(messageShortcut('rescue_author', who, { bot_id: 'B1' }, h.fake.responseUrl(`author-bot-${who}`)))).status).toBe(200);
      await settle();
    }
    for (const who of [ME, BOB, ALICE]) {
      expect((await h.event({ type: 'app_home_opened', user: who, channel: `D${who}`, tab: 'home', event_ts: '1.0' })).status).toBe(200);
      await settle();
    }
    expect(refusals()).toEqual([]);
  });

  it('every button the app has shown, clicked once', async () => {
    const clicked = new Set<string>();
    // Buttons found in messages (clicked through that message's response_url) and in views (App Home, modals).
    for (let round = 0; round < 3; round++) {
      // forget_phone last: the other buttons need the phone still registered.
      const places = placesWithButtons(h.fake.calls).flatMap((place) => place.actions.map((action) => ({ place, action })));
      places.sort((a, b) => Number(a.action.action_id === 'forget_phone') - Number(b.action.action_id === 'forget_phone'));
      for (const { place, action } of places) {
        {
          if (clicked.has(action.action_id)) continue;
          clicked.add(action.action_id);
          const where = place.viewId ? { view: { id: place.viewId, type: place.viewType ?? 'home' } } : { responseUrl: h.fake.responseUrl(`button-${action.action_id}`, { user: place.user, channel: 'C1' }) };
          const r = await h.interact(blockAction(place.user, action, where));
          expect(r.status, action.action_id).toBe(200);
          await settle();
        }
      }
    }
    expect([...clicked], [...clicked].join(' ')).toEqual(expect.arrayContaining(['open_settings', 'test_ring', 'send_screenshot', 'phone_status', 'forget_phone', 'stop_rescue', 'cancel_scheduled_rescue']));
    expect(refusals()).toEqual([]);
  });

  it('the settings modal, submitted as opened and with each field invalid in turn', async () => {
    await h.register(ME, h.phones[0]!);
    await h.command(ME, '/phone');
    await settle();
    const modal = h.fake.openModal(ME);
    expect(modal, 'the settings modal opened').toBeDefined();
    const asOpened = initialValues(modal!.view);
    const submit = async (values: StateValues) => {
      const r = await h.interact({ ...viewSubmission(ME, 'phone_settings_modal', values, modal!.view.private_metadata), view: { ...modal!.view, id: modal!.id, state: { values }, hash: 'h' } });
      expect(r.status).toBe(200);
      await settle();
      return r.body;
    };
    const bad: [string, unknown][] = [
      ['address', 'http://not a phone/'],
      ['username', ''],
      ['tone', 'Piano2.raw'],
      ['rings', '99'],
      ['interval', '0'],
      ['permission', 'everyone-ish'],
      ['buddies', ['C0CHANNEL']],
      ['cover_story', 'x'.repeat(3000)],
    ];
    for (const [block, value] of bad) {
      const body = await submit(withValue(asOpened, block, value));
      expect(body?.response_action, block).toBe('errors');
      expect(Object.keys((body?.errors ?? {}) as object), block).toContain(block);
    }
    const saved = await submit(asOpened);
    expect(saved?.response_action, JSON.stringify(saved?.errors)).toBe('update');
    const errors = checkMessageBlocks((saved?.view as { blocks: unknown[] }).blocks, '/view/blocks');
    expect(errors).toEqual([]);
    expect(refusals()).toEqual([]);
  });

  it('every error message the app can send is a message Slack takes', async () => {
    const modules = import.meta.glob<Record<string, unknown>>(['../../src/**/errors.ts', '../../src/rescue/*.ts', '../../src/phone/*.ts', '../../src/store/**/*.ts'], { eager: true });
    const argSets: unknown[][] = [[], ['U0ALICE', 'x', 3], [{ teamId: 'T1', userId: 'U0ALICE' }, 'x', 3], ['x', { teamId: 'T1', userId: 'U0ALICE' }], [3, 3], [new Error('cause')]];
    const rendered = new Set<string>();
    for (const exports of Object.values(modules) as Record<string, unknown>[]) {
      for (const value of Object.values(exports)) {
        if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
        const Cls = value as new (...args: unknown[]) => unknown;
        for (const args of argSets) {
          let err: unknown;
          try {
            err = new Cls(...args);
          } catch {
            continue;
          }
          if (!isAppError(err)) break;
          for (const ctx of [{}, { prefix: 'Rang 1 of 3, then:' }, { self: false }]) {
            const msg = errorMessage(err, ctx);
            const refused = checkMessage({ text: msg.text, ...(msg.blocks ? { blocks: msg.blocks } : {}) });
            expect(refused, `${err.code}: ${msg.text}`).toBeUndefined();
          }
          rendered.add(err.code);
          break;
        }
      }
    }
    expect(rendered.size).toBeGreaterThan(40);
  });
});

interface Place {
  user: string;
  viewId?: string;
  viewType?: 'home' | 'modal';
  actions: { action_id: string; value?: string }[];
}

/** Where the app has shown buttons, to whom: messages (ephemeral or DM) and views. */
function placesWithButtons(calls: readonly RecordedCall[]): Place[] {
  const places: Place[] = [];
  for (const c of calls) {
    const p = c.params;
    if (c.method === 'views.publish') places.push({ user: String(p.user_id), viewId: h.fake.homeView(String(p.user_id)), viewType: 'home', actions: actionsIn(p.view) });
    else if (c.method === 'views.update' || c.method === 'views.open') {
      const modal = c.method === 'views.update' ? h.fake.modal(String(p.view_id)) : h.fake.openModal(String(p.trigger_id).split('.')[1] ?? '');
      if (modal) places.push({ user: modal.user, viewId: modal.id, viewType: 'modal', actions: actionsIn(p.view) });
    } else if (c.method === 'response_url' || c.method === 'chat.postMessage' || c.method === 'chat.update') {
      const user = c.method === 'response_url' ? ME : `U${String(p.channel).slice(1)}`;
      places.push({ user, actions: actionsIn(p.blocks) });
    }
  }
  return places.filter((pl) => pl.actions.length > 0);
}

/** The state.values Slack sends for a modal submitted as it was opened. */
function initialValues(view: types.ModalView): StateValues {
  const values: StateValues = {};
  for (const b of view.blocks) {
    if (b.type !== 'input' || !b.block_id) continue;
    const e = (b as types.InputBlock).element as unknown as Record<string, unknown>;
    const id = String(e.action_id);
    const v: Record<string, unknown> = { type: e.type };
    if (e.type === 'plain_text_input' || e.type === 'number_input') v.value = e.initial_value ?? null;
    if (e.type === 'static_select' || e.type === 'radio_buttons') v.selected_option = e.initial_option ?? null;
    if (e.type === 'multi_users_select') v.selected_users = e.initial_users ?? [];
    values[b.block_id] = { [id]: v };
  }
  return values;
}

function withValue(values: StateValues, block: string, value: unknown): StateValues {
  const copy = structuredClone(values);
  const [id, v] = Object.entries(copy[block] ?? {})[0] ?? ['value', {}];
  const field = v as Record<string, unknown>;
  if (field.type === 'static_select' || field.type === 'radio_buttons') field.selected_option = { text: { type: 'plain_text', text: String(value) }, value };
  else if (field.type === 'multi_users_select') field.selected_users = value;
  else field.value = value;
  copy[block] = { [id]: field };
  return copy;
}
