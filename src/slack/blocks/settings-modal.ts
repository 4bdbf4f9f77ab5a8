/**
 * The phone settings modal. Prefilled from the saved registration, except the password, which is
 * never sent back to Slack. private_metadata carries only where to report (no secret, no address).
 */
import type { types } from '@slack/bolt';
import { LEGACY_COVER_TEXT_CHARS, MAX_COVER_TEXT_CHARS } from '../../phone/cover-story.js';
import { INTERVAL_RANGE, RINGS_RANGE, type RescueSettings } from '../../rescue/index.js';
import type { Registration, RingPermission } from '../../store/types.js';
import { ACTIONS, INPUT, SETTINGS_BLOCKS as B, VIEWS } from '../ids.js';
import type { FoundPhones } from '../../rescue/index.js';
import { foundPhonesBlocks } from './found-phones.js';
import type { SlackMessage } from './message.js';
import { actions, button, context, esc, plain, section, TEXT_INPUT_MAX_LENGTH, type Block } from './kit.js';

export interface SettingsMetadata {
  /** Where the modal was opened from; the saved view offers the matching follow-up. */
  from: 'command' | 'shortcut' | 'home' | 'message';
}

const PERMISSIONS: { value: RingPermission; label: string; description: string }[] = [
  { value: 'anyone', label: 'Anyone in the workspace', description: 'Any colleague can rescue you with /rescue @you.' },
  { value: 'buddies', label: 'Only my rescue buddies', description: 'Only the people you pick below.' },
  { value: 'only_me', label: 'Only me', description: 'Nobody else can ring your phone.' },
];

const option = (text: string, value: string): types.PlainTextOption => ({ text: plain(text), value });

/** `toneList`: the effective tone list (an imported ring list wins over settings.tones; see rescue/tones.ts). */
/** `found`: the desk phones the call manager lists for the person (absent without a call manager). */
export function settingsModal(settings: RescueSettings, reg: Registration | undefined, meta: SettingsMetadata, toneList: readonly string[] = settings.tones, found?: FoundPhones): types.ModalView {
  const d = settings.defaults;
  const tone = reg?.tone ?? d.tone;
  // Slack allows 100 options in a static_select.
  const tones = toneList.slice(0, 100).map((t) => option(t.replace(/\.raw$/, ''), t));
  const toneInitial = tones.find((o) => o.value === tone);
  const permission = PERMISSIONS.find((p) => p.value === (reg?.permission ?? 'anyone'))!;
  const permOption = (p: (typeof PERMISSIONS)[number]): types.Option => ({ text: plain(p.label), value: p.value, description: plain(p.description) });

  const oneClick = d.username !== undefined && d.password !== undefined;
  const blocks: Block[] = [
    ...(found ? foundPhonesBlocks(found, { oneClick, ...(reg ? { current: reg.address } : {}) }) : []),
    section(reg ? 'Update how rescue-ring reaches your desk phone.' : 'Tell rescue-ring how to reach your desk phone. You find its address on the phone under *Settings > Phone Information* (or Network Configuration > IPv4 Address).'),
    {
      type: 'input',
      block_id: B.address,
      label: plain('Phone address'),
      hint: plain(found ? 'IP address, host name, or device name (SEP…), e.g. 10.1.2.3 or SEP001122AABBCC' : 'IP address or host name, e.g. 10.1.2.3 or https://phone-42.example.lan'),
      element: { type: 'plain_text_input', action_id: INPUT, placeholder: plain('10.1.2.3'), max_length: 300, ...(reg ? { initial_value: reg.address } : {}) },
    },
    {
      type: 'input',
      block_id: B.username,
      optional: d.username !== undefined,
      label: plain('Phone username'),
      hint: plain(d.username !== undefined ? 'Leave blank to use your office’s shared phone account.' : 'The user you sign in with on the phone’s web pages (often your Slack or Windows login).'),
      element: {
        type: 'plain_text_input',
        action_id: INPUT,
        max_length: 128,
        placeholder: plain(d.username !== undefined ? `Office default: ${d.username}` : 'jdoe'),
        ...(reg?.username ? { initial_value: reg.username } : {}),
      },
    },
    {
      type: 'input',
      block_id: B.password,
      optional: reg?.password !== undefined || d.password !== undefined,
      label: plain('Phone password'),
      hint: plain(
        'Slack cannot hide what you type here, so check nobody is looking. It is stored encrypted and never shown again. ' +
          (reg ? 'Leave blank to keep your current password.' : d.password !== undefined ? 'Leave blank to use the office account.' : ''),
      ),
      element: { type: 'plain_text_input', action_id: INPUT, max_length: 256, placeholder: plain(reg ? 'Unchanged' : 'Your phone password') },
    },
    {
      type: 'input',
      block_id: B.tone,
      label: plain('Ringtone'),
      element: { type: 'static_select', action_id: INPUT, options: tones, ...(toneInitial ? { initial_option: toneInitial } : {}) },
    },
    {
      type: 'input',
      block_id: B.rings,
      label: plain('Rings'),
      hint: plain(`How many times the tone plays (${RINGS_RANGE.min} to ${RINGS_RANGE.max}).`),
      element: { type: 'number_input', action_id: INPUT, is_decimal_allowed: false, min_value: String(RINGS_RANGE.min), max_value: String(RINGS_RANGE.max), initial_value: String(reg?.rings ?? d.rings) },
    },
    {
      type: 'input',
      block_id: B.interval,
      label: plain('Seconds between rings'),
      hint: plain(`${INTERVAL_RANGE.min} to ${INTERVAL_RANGE.max} seconds.`),
      element: {
        type: 'number_input',
        action_id: INPUT,
        is_decimal_allowed: false,
        min_value: String(INTERVAL_RANGE.min),
        max_value: String(INTERVAL_RANGE.max),
        initial_value: String(reg?.intervalSeconds ?? d.intervalSeconds),
      },
    },
    {
      type: 'input',
      block_id: B.permission,
      label: plain('Who may ring my phone'),
      element: { type: 'radio_buttons', action_id: INPUT, options: PERMISSIONS.map(permOption), initial_option: permOption(permission) },
    },
    {
      type: 'input',
      block_id: B.buddies,
      optional: true,
      label: plain('My rescue buddies'),
      hint: plain('Used when only your rescue buddies may ring your phone.'),
      element: { type: 'multi_users_select', action_id: INPUT, max_selected_items: 50, ...(reg && reg.buddies.length > 0 ? { initial_users: reg.buddies } : {}) },
    },
    {
      type: 'input',
      block_id: B.coverStory,
      optional: true,
      label: plain('Default cover story'),
      hint: plain(
        `Shown on your phone’s screen after the first ring when nobody gives one, e.g. "Facilities: your car is blocking the gate". ` +
          `Older phones show about ${LEGACY_COVER_TEXT_CHARS} characters; newer ones (78xx, 88xx, 98xx) up to ${MAX_COVER_TEXT_CHARS}. Leave blank for none.`,
      ),
      element: {
        type: 'plain_text_input',
        action_id: INPUT,
        multiline: true,
        // Slack takes max_length up to 3000; the phone's own limits are checked on submit (validateCoverStory).
        max_length: Math.min(MAX_COVER_TEXT_CHARS, TEXT_INPUT_MAX_LENGTH),
        placeholder: plain('Facilities: your car is blocking the gate'),
        ...(reg?.coverStory ? { initial_value: reg.coverStory } : {}),
      },
    },
  ];

  return {
    type: 'modal',
    callback_id: VIEWS.settings,
    title: plain('Phone settings'),
    submit: plain('Save'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(meta),
    blocks,
  };
}

/** What the modal shows after a successful save: a summary and the Test ring button. */
export function savedModal(reg: Registration, status?: SlackMessage): types.ModalView {
  const blocks: Block[] = [
    section(`:white_check_mark: Saved. rescue-ring will ring *${esc(reg.address)}*.`),
    context('Ring it once now to check everything works.'),
    actions('saved_actions', button('Test ring', ACTIONS.testRing, { style: 'primary' })),
  ];
  if (status) blocks.push(...(status.blocks ?? [section(status.text)]));
  return { type: 'modal', callback_id: 'phone_settings_saved', title: plain('Phone settings'), close: plain('Done'), blocks };
}

export function parseSettingsMetadata(raw: string | undefined): SettingsMetadata {
  try {
    const m = JSON.parse(raw ?? '') as Partial<SettingsMetadata>;
    if (m.from === 'command' || m.from === 'shortcut' || m.from === 'home' || m.from === 'message') return { from: m.from };
  } catch {
    /* fall through */
  }
  return { from: 'command' };
}
