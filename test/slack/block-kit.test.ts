/**
 * Slack rejects a whole message or view (invalid_blocks) when one field breaks a Block Kit limit,
 * and the fake Slack does not check them: every builder is checked here against the documented
 * limits, fed with long and awkward input.
 */
import { describe, expect, it } from 'vitest';
import { rescueSettingsFromEnv } from '../../src/config/index.js';
import { PhoneAuthFailed, PhoneRejected, PhoneTimeout, PhoneUnreachable } from '../../src/phone/errors.js';
import { MissingPhoneCredentials, NotAllowed, NotRegistered, RateLimited, RescueInProgress, UnexpectedFailure } from '../../src/rescue/index.js';
import type { Registration } from '../../src/store/types.js';
import { errorMessage } from '../../src/slack/blocks/errors.js';
import { homeView } from '../../src/slack/blocks/home.js';
import { forgetConfirmMessage, helpMessage, phoneUsageMessage, registrationInviteDm, statusMessage } from '../../src/slack/blocks/messages.js';
import { outcomeMessage, progressMessage, ringingMessage, rescuedDm } from '../../src/slack/blocks/rescue.js';
import { savedModal, settingsModal } from '../../src/slack/blocks/settings-modal.js';
import { NotAMention, TooManyPeople } from '../../src/slack/errors.js';

type Json = Record<string, unknown>;

/** Returns every limit broken in `blocks` (empty when valid). */
function problems(blocks: unknown[], maxBlocks: number): string[] {
  const out: string[] = [];
  const max = (what: string, v: unknown, n: number) => {
    if (typeof v === 'string' && v.length > n) out.push(`${what} is ${v.length} chars (max ${n})`);
  };
  if (blocks.length > maxBlocks) out.push(`${blocks.length} blocks (max ${maxBlocks})`);
  const blockIds = new Set<string>();
  // action_id must be unique within its block (inputs in different blocks may share one).
  let actionIds = new Set<string>();
  const element = (e: Json, where: string) => {
    const text = e.text as Json | undefined;
    if (typeof e.action_id === 'string') {
      max(`${where} action_id`, e.action_id, 255);
      if (actionIds.has(e.action_id)) out.push(`duplicate action_id ${e.action_id}`);
      actionIds.add(e.action_id);
    }
    if (e.type === 'button') {
      max(`${where} button text`, text?.text, 75);
      max(`${where} button value`, e.value, 2000);
      const c = e.confirm as Json | undefined;
      if (c) {
        max('confirm title', (c.title as Json).text, 100);
        max('confirm text', (c.text as Json).text, 300);
        max('confirm button', (c.confirm as Json).text, 30);
        max('deny button', (c.deny as Json).text, 30);
      }
    }
    if (Array.isArray(e.options)) {
      if (e.options.length > 100) out.push(`${where}: ${e.options.length} options (max 100)`);
      for (const o of e.options as Json[]) {
        max(`${where} option text`, (o.text as Json).text, 75);
        max(`${where} option value`, o.value, 150);
        max(`${where} option description`, (o.description as Json | undefined)?.text, 75);
      }
    }
    max(`${where} placeholder`, (e.placeholder as Json | undefined)?.text, 150);
    max(`${where} initial_value`, e.initial_value, 3000);
  };
  for (const raw of blocks) {
    const b = raw as Json;
    actionIds = new Set<string>();
    if (typeof b.block_id === 'string') {
      max('block_id', b.block_id, 255);
      if (blockIds.has(b.block_id)) out.push(`duplicate block_id ${b.block_id}`);
      blockIds.add(b.block_id);
    }
    switch (b.type) {
      case 'section':
        max('section text', (b.text as Json).text, 3000);
        if (b.accessory) element(b.accessory as Json, 'accessory');
        break;
      case 'header':
        max('header text', (b.text as Json).text, 150);
        break;
      case 'context': {
        const els = b.elements as Json[];
        if (els.length > 10) out.push(`context has ${els.length} elements (max 10)`);
        for (const e of els) max('context text', e.text, 3000);
        break;
      }
      case 'actions': {
        const els = b.elements as Json[];
        if (els.length > 25) out.push(`actions has ${els.length} elements (max 25)`);
        for (const e of els) element(e, 'actions');
        break;
      }
      case 'input':
        max('input label', (b.label as Json).text, 2000);
        max('input hint', (b.hint as Json | undefined)?.text, 2000);
        element(b.element as Json, `input ${String(b.block_id)}`);
        break;
      case 'divider':
        break;
      default:
        out.push(`unexpected block type ${String(b.type)}`);
    }
  }
  return out;
}

function viewProblems(view: Json): string[] {
  const out = problems(view.blocks as unknown[], 100);
  if (view.type === 'modal') {
    for (const k of ['title', 'submit', 'close'] as const) {
      const t = (view[k] as Json | undefined)?.text;
      if (typeof t === 'string' && t.length > 24) out.push(`modal ${k} is ${t.length} chars (max 24)`);
    }
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) out.push('private_metadata over 3000 chars');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) out.push('callback_id over 255 chars');
  return out;
}

const settings = rescueSettingsFromEnv({ PHONE_DEFAULT_USERNAME: 'x'.repeat(140) });
const long = 'a'.repeat(5000);
const reg: Registration = {
  teamId: 'T1',
  userId: 'U1',
  address: `phone-${'b'.repeat(250)}.example.lan`,
  username: 'u'.repeat(128),
  password: 'never shown',
  tone: 'Chime.raw',
  rings: 10,
  intervalSeconds: 30,
  permission: 'buddies',
  buddies: Array.from({ length: 50 }, (_, i) => `U${String(i).padStart(8, '0')}`),
  createdAt: new Date(),
  updatedAt: new Date(),
};

describe('Block Kit limits', () => {
  it('the settings modal, new and prefilled, with many tones', () => {
    const manyTones = Array.from({ length: 250 }, (_, i) => `Tone${i}-${'x'.repeat(60)}.raw`);
    for (const view of [settingsModal(settings, undefined, { from: 'command' }), settingsModal(settings, reg, { from: 'home' }, manyTones)]) {
      expect(viewProblems(view as unknown as Json)).toEqual([]);
    }
  });

  it('the saved modal with a status message', () => {
    const view = savedModal(reg, outcomeMessage({ id: 'r', targetId: 'U1', self: true, rings: 1, test: true }, { ok: true, completed: 1, requested: 1, stopped: false }));
    expect(viewProblems(view as unknown as Json)).toEqual([]);
  });

  it('App Home, registered with a full history, and unregistered with a problem', () => {
    const e = (i: number) => ({ at: new Date(), requesterId: `U${i}AAAAAAAA`, targetId: 'U1', outcome: i % 2 ? 'ok' : 'PhoneUnreachable', rings: 3 });
    const history = { given: Array.from({ length: 5 }, (_, i) => e(i)), received: Array.from({ length: 5 }, (_, i) => e(i + 5)) };
    expect(viewProblems(homeView(settings, reg, history) as unknown as Json)).toEqual([]);
    expect(viewProblems(homeView(settings, undefined, undefined, long) as unknown as Json)).toEqual([]);
  });

  it('every error message, with its button', () => {
    const errors = [
      new PhoneAuthFailed('x'),
      new PhoneUnreachable('x'),
      new PhoneTimeout('x', 'response'),
      PhoneRejected.fromItems('10.1.2.3', [{ status: 6, data: '', url: 'Play:Chime.raw' }]),
      new NotRegistered({ userId: 'U2', self: false }),
      new NotRegistered({ userId: 'U1', self: true }),
      new NotAllowed('U2', 'buddies'),
      new MissingPhoneCredentials({ userId: 'U1', self: true }),
      new RescueInProgress('U1', true),
      new RateLimited(40, 'wait 40 s'),
      new UnexpectedFailure(new Error('boom')),
      new NotAMention(long),
      new TooManyPeople(99),
      new Error(long),
    ];
    for (const err of errors) {
      const m = errorMessage(err, { prefix: long });
      expect(problems(m.blocks ?? [], 50), err.constructor.name).toEqual([]);
      expect(m.text).not.toContain('boom');
    }
  });

  it('rescue, status and other messages', () => {
    const view = { id: 'x'.repeat(36), targetId: 'U2', self: false, rings: 10 };
    const messages = [
      ringingMessage(view),
      progressMessage(view, 9),
      outcomeMessage(view, { ok: true, completed: 10, requested: 10, stopped: false }),
      outcomeMessage(view, { ok: false, completed: 3, requested: 10, error: new PhoneTimeout('x', 'response') }),
      rescuedDm('U1', 10),
      helpMessage(),
      phoneUsageMessage(long),
      forgetConfirmMessage(),
      registrationInviteDm('U1'),
      statusMessage({
        ok: false,
        steps: Array.from({ length: 6 }, (_, i) => ({ name: 'http' as const, ok: i < 3, detail: 'd'.repeat(400), next: 'n'.repeat(400) })),
        status: { model: 'CP-8845', firmware: 'sip88xx.14-2-1'.repeat(20) },
      }),
    ];
    for (const m of messages) expect(problems(m.blocks ?? [], 50)).toEqual([]);
  });
});
