/**
 * Block Kit as Slack checks it: the blocks of a message, a modal or a Home tab against the limits in
 * limits.ts. Each problem carries the JSON pointer of the offending field, the way Slack names it in
 * `response_metadata.messages` ("[ERROR] must be less than 76 characters [json-pointer:/blocks/2/...]").
 *
 * Only what rescue-ring can send is modelled in depth (section, header, context, actions, divider,
 * image, input; buttons, selects, radio buttons, checkboxes, overflow, text and number inputs, user
 * selects); any other block or element type is refused as unknown, so a new one gets rules here first.
 */
import { LIMITS, type Limit } from './limits.js';

export interface Problem {
  /** JSON pointer into the request argument, e.g. `/view/blocks/3/element/max_length`. */
  pointer: string;
  message: string;
}

export type Surface = 'message' | 'modal' | 'home';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Collects problems while walking one payload. */
class Walk {
  readonly problems: Problem[] = [];
  constructor(readonly surface: Surface) {}

  add(pointer: string, message: string): void {
    this.problems.push({ pointer, message });
  }

  /** A string field with a length limit; `required` when Slack says so. */
  str(o: Obj, key: string, at: string, lim: Limit, required = false): string | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.add(`${at}/${key}`, 'missing required field');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(`${at}/${key}`, 'must be a string');
      return undefined;
    }
    this.length(v, `${at}/${key}`, lim);
    return v;
  }

  length(v: string, pointer: string, lim: Limit): void {
    const n = [...v].length;
    if (n > lim.max) this.add(pointer, `must be less than ${lim.max + 1} characters`);
    if (lim.min !== undefined && n < lim.min) this.add(pointer, `must be at least ${lim.min} character${lim.min === 1 ? '' : 's'}`);
  }

  /** An array field whose item count is limited. */
  list(o: Obj, key: string, at: string, lim: Limit, required = false): unknown[] | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.add(`${at}/${key}`, 'missing required field');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add(`${at}/${key}`, 'must be an array');
      return undefined;
    }
    if (v.length > lim.max) this.add(`${at}/${key}`, `must provide no more than ${lim.max} items`);
    if (lim.min !== undefined && v.length < lim.min) this.add(`${at}/${key}`, `must provide at least ${lim.min} item${lim.min === 1 ? '' : 's'}`);
    return v;
  }

  /** A text object: `plainOnly` where Slack does not take mrkdwn. */
  text(o: Obj, key: string, at: string, lim: Limit, options: { required?: boolean; plainOnly?: boolean } = {}): void {
    this.textAt(o[key], `${at}/${key}`, lim, options);
  }

  /** A text object found at pointer `p`. */
  textAt(v: unknown, p: string, lim: Limit, options: { required?: boolean; plainOnly?: boolean } = {}): void {
    if (v === undefined) {
      if (options.required) this.add(p, 'missing required field');
      return;
    }
    if (!isObj(v)) return this.add(p, 'must be a text object');
    if (v.type !== 'plain_text' && v.type !== 'mrkdwn') return this.add(`${p}/type`, 'must be one of plain_text, mrkdwn');
    if (options.plainOnly && v.type !== 'plain_text') this.add(`${p}/type`, 'must be plain_text');
    if (v.type === 'mrkdwn' && v.emoji !== undefined) this.add(`${p}/emoji`, 'emoji is only allowed on plain_text');
    if (v.type === 'plain_text' && v.verbatim !== undefined) this.add(`${p}/verbatim`, 'verbatim is only allowed on mrkdwn');
    this.str(v, 'text', p, lim, true);
  }

  id(o: Obj, key: 'block_id' | 'action_id', at: string): string | undefined {
    return this.str(o, key, at, key === 'block_id' ? LIMITS.blockId : LIMITS.actionId);
  }

  int(o: Obj, key: string, at: string, lim: Limit): void {
    const v = o[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v)) return this.add(`${at}/${key}`, 'must be an integer');
    if (v > lim.max) this.add(`${at}/${key}`, `must be no more than ${lim.max}`);
    if (lim.min !== undefined && v < lim.min) this.add(`${at}/${key}`, `must be at least ${lim.min}`);
  }
}

/** Validates a message's blocks (chat.postMessage, chat.postEphemeral, chat.update, response_url). */
export function checkMessageBlocks(blocks: unknown, pointer = '/blocks'): Problem[] {
  const w = new Walk('message');
  checkBlockList(w, blocks, pointer, LIMITS.messageBlocks);
  return w.problems;
}

/** Validates a view object (views.open / push / update / publish). */
export function checkView(view: unknown, pointer = '/view'): Problem[] {
  if (!isObj(view)) return [{ pointer, message: 'must be a view object' }];
  if (view.type !== 'modal' && view.type !== 'home') return [{ pointer: `${pointer}/type`, message: 'must be one of modal, home' }];
  const w = new Walk(view.type);
  const blocks = checkBlockList(w, view.blocks, `${pointer}/blocks`, LIMITS.viewBlocks, true);
  w.str(view, 'private_metadata', pointer, LIMITS.privateMetadata);
  w.str(view, 'callback_id', pointer, LIMITS.callbackId);
  w.str(view, 'external_id', pointer, LIMITS.externalId);
  if (view.type === 'modal') {
    w.text(view, 'title', pointer, LIMITS.modalTitle, { required: true, plainOnly: true });
    w.text(view, 'submit', pointer, LIMITS.modalSubmit, { plainOnly: true });
    w.text(view, 'close', pointer, LIMITS.modalClose, { plainOnly: true });
    const hasInput = (blocks ?? []).some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) w.add(`${pointer}/submit`, 'must provide a submit button when the view has input blocks');
  } else {
    for (const key of ['title', 'submit', 'close']) if (view[key] !== undefined) w.add(`${pointer}/${key}`, `${key} is not allowed on a home view`);
  }
  return w.problems;
}

function checkBlockList(w: Walk, blocks: unknown, at: string, lim: Limit, required = false): unknown[] | undefined {
  if (blocks === undefined) {
    if (required) w.add(at, 'missing required field');
    return undefined;
  }
  if (!Array.isArray(blocks)) {
    w.add(at, 'must be an array');
    return undefined;
  }
  if (blocks.length > lim.max) w.add(at, `must provide no more than ${lim.max} items`);
  const blockIds = new Map<string, number>();
  blocks.forEach((b, i) => {
    const p = `${at}/${i}`;
    if (!isObj(b)) return w.add(p, 'must be a block object');
    const id = w.id(b, 'block_id', p);
    if (id !== undefined) {
      const first = blockIds.get(id);
      if (first !== undefined) w.add(`${p}/block_id`, `must be unique (also used by ${at}/${first})`);
      else blockIds.set(id, i);
    }
    checkBlock(w, b, p);
  });
  return blocks;
}

function checkBlock(w: Walk, b: Obj, p: string): void {
  switch (b.type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined) w.add(p, 'must provide either text or fields');
      w.text(b, 'text', p, LIMITS.sectionText);
      const fields = w.list(b, 'fields', p, LIMITS.sectionFields);
      fields?.forEach((f, i) => w.textAt(f, `${p}/fields/${i}`, LIMITS.sectionField, { required: true }));
      if (b.accessory !== undefined) checkElement(w, b.accessory, `${p}/accessory`, SECTION_ACCESSORIES);
      return;
    }
    case 'header':
      return w.text(b, 'text', p, LIMITS.headerText, { required: true, plainOnly: true });
    case 'divider':
      return;
    case 'context': {
      const elements = w.list(b, 'elements', p, LIMITS.contextElements, true);
      elements?.forEach((e, i) => {
        const ep = `${p}/elements/${i}`;
        if (isObj(e) && e.type === 'image') return checkElement(w, e, ep, ['image']);
        w.textAt(e, ep, LIMITS.contextText, { required: true });
      });
      return;
    }
    case 'actions': {
      const elements = w.list(b, 'elements', p, LIMITS.actionsElements, true);
      checkUniqueActionIds(w, elements, `${p}/elements`);
      elements?.forEach((e, i) => checkElement(w, e, `${p}/elements/${i}`, ACTIONS_ELEMENTS));
      return;
    }
    case 'image':
      w.str(b, 'image_url', p, LIMITS.imageUrl, true);
      w.str(b, 'alt_text', p, LIMITS.imageAltText, true);
      return w.text(b, 'title', p, LIMITS.imageTitle, { plainOnly: true });
    case 'input':
      if (w.surface === 'message') w.add(`${p}/type`, 'input blocks are only allowed in views (modals and Home tabs)');
      w.text(b, 'label', p, LIMITS.inputLabel, { required: true, plainOnly: true });
      w.text(b, 'hint', p, LIMITS.inputHint, { plainOnly: true });
      if (b.optional !== undefined && typeof b.optional !== 'boolean') w.add(`${p}/optional`, 'must be a boolean');
      if (b.element === undefined) return w.add(`${p}/element`, 'missing required field');
      return checkElement(w, b.element, `${p}/element`, INPUT_ELEMENTS);
    default:
      return w.add(`${p}/type`, `unsupported block type ${JSON.stringify(b.type)}`);
  }
}

// Which elements each place takes (BLOCKS section "accessory", actions "elements", input "element").
const SECTION_ACCESSORIES = ['button', 'image', 'overflow', 'static_select', 'users_select', 'multi_users_select', 'radio_buttons', 'checkboxes', 'datepicker'];
const ACTIONS_ELEMENTS = ['button', 'overflow', 'static_select', 'users_select', 'multi_users_select', 'radio_buttons', 'checkboxes', 'datepicker'];
const INPUT_ELEMENTS = ['plain_text_input', 'number_input', 'static_select', 'users_select', 'multi_users_select', 'radio_buttons', 'checkboxes', 'datepicker', 'email_text_input', 'url_text_input'];

function checkUniqueActionIds(w: Walk, elements: unknown[] | undefined, at: string): void {
  const seen = new Map<string, number>();
  elements?.forEach((e, i) => {
    if (!isObj(e) || typeof e.action_id !== 'string') return;
    const first = seen.get(e.action_id);
    if (first !== undefined) w.add(`${at}/${i}/action_id`, `must be unique within the block (also used by ${at}/${first})`);
    else seen.set(e.action_id, i);
  });
}

function checkElement(w: Walk, e: unknown, p: string, allowed: readonly string[]): void {
  if (!isObj(e)) return w.add(p, 'must be an element object');
  if (typeof e.type !== 'string' || !allowed.includes(e.type)) return w.add(`${p}/type`, `must be one of ${allowed.join(', ')}`);
  if (e.type !== 'image') w.id(e, 'action_id', p);
  if (e.confirm !== undefined) checkConfirm(w, e.confirm, `${p}/confirm`);
  w.text(e, 'placeholder', p, LIMITS.placeholder, { plainOnly: true });
  switch (e.type) {
    case 'button':
      w.text(e, 'text', p, LIMITS.buttonText, { required: true, plainOnly: true });
      w.str(e, 'value', p, LIMITS.buttonValue);
      w.str(e, 'url', p, LIMITS.buttonUrl);
      if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') w.add(`${p}/style`, 'must be one of primary, danger');
      return;
    case 'image':
      w.str(e, 'image_url', p, LIMITS.imageUrl, true);
      w.str(e, 'alt_text', p, LIMITS.imageAltText, true);
      return;
    case 'overflow':
      return checkOptions(w, e, p, LIMITS.overflowOptions, true);
    case 'static_select':
      if (e.options === undefined && e.option_groups === undefined) return w.add(p, 'must provide either options or option_groups');
      if (e.option_groups !== undefined) {
        const groups = w.list(e, 'option_groups', p, LIMITS.optionGroups);
        const all: unknown[] = [];
        groups?.forEach((g, i) => {
          if (!isObj(g)) return w.add(`${p}/option_groups/${i}`, 'must be an option group');
          w.text(g, 'label', `${p}/option_groups/${i}`, LIMITS.optionGroupLabel, { required: true, plainOnly: true });
          const opts = w.list(g, 'options', `${p}/option_groups/${i}`, LIMITS.staticSelectOptions, true) ?? [];
          opts.forEach((o, j) => checkOption(w, o, `${p}/option_groups/${i}/options/${j}`, true));
          all.push(...opts);
        });
        return checkInitial(w, e, p, all);
      }
      return checkOptions(w, e, p, LIMITS.staticSelectOptions, true);
    case 'radio_buttons':
      return checkOptions(w, e, p, LIMITS.radioOptions, false);
    case 'checkboxes':
      return checkOptions(w, e, p, LIMITS.checkboxOptions, false);
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input': {
      w.int(e, 'min_length', p, LIMITS.textInputMinLength);
      w.int(e, 'max_length', p, LIMITS.textInputMaxLength);
      const min = typeof e.min_length === 'number' ? e.min_length : 0;
      const max = typeof e.max_length === 'number' ? e.max_length : LIMITS.textInputMaxLength.max;
      if (min > max) w.add(`${p}/min_length`, 'must be no more than max_length');
      if (typeof e.initial_value === 'string' && [...e.initial_value].length > max) w.add(`${p}/initial_value`, `must be less than ${max + 1} characters`);
      if (e.multiline !== undefined && typeof e.multiline !== 'boolean') w.add(`${p}/multiline`, 'must be a boolean');
      return;
    }
    case 'number_input': {
      if (typeof e.is_decimal_allowed !== 'boolean') w.add(`${p}/is_decimal_allowed`, 'missing required field');
      const num = (k: string): number | undefined => {
        const v = e[k];
        if (v === undefined) return undefined;
        const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
        if (!Number.isFinite(n) || (e.is_decimal_allowed !== true && !Number.isInteger(n))) {
          w.add(`${p}/${k}`, 'must be a number given as a string');
          return undefined;
        }
        return n;
      };
      const [min, max, initial] = [num('min_value'), num('max_value'), num('initial_value')];
      if (min !== undefined && max !== undefined && min > max) w.add(`${p}/min_value`, 'must be no more than max_value');
      if (initial !== undefined && ((min !== undefined && initial < min) || (max !== undefined && initial > max))) w.add(`${p}/initial_value`, 'must be between min_value and max_value');
      return;
    }
    case 'multi_users_select':
      w.int(e, 'max_selected_items', p, LIMITS.maxSelectedItems);
      if (e.initial_users !== undefined && (!Array.isArray(e.initial_users) || e.initial_users.some((u) => typeof u !== 'string'))) w.add(`${p}/initial_users`, 'must be an array of user ids');
      return;
    default:
      return;
  }
}

/** `plainOnly`: select menus and overflow take plain_text options; radio buttons and checkboxes also mrkdwn. */
function checkOptions(w: Walk, e: Obj, p: string, lim: Limit, plainOnly: boolean): void {
  const options = w.list(e, 'options', p, lim, true) ?? [];
  options.forEach((o, i) => checkOption(w, o, `${p}/options/${i}`, plainOnly));
  const values = new Map<string, number>();
  options.forEach((o, i) => {
    if (!isObj(o) || typeof o.value !== 'string') return;
    if (values.has(o.value)) w.add(`${p}/options/${i}/value`, 'must be unique among the options');
    values.set(o.value, i);
  });
  checkInitial(w, e, p, options);
}

function checkOption(w: Walk, o: unknown, p: string, plainOnly: boolean): void {
  if (!isObj(o)) return w.add(p, 'must be an option object');
  w.text(o, 'text', p, LIMITS.optionText, { required: true, plainOnly });
  w.str(o, 'value', p, LIMITS.optionValue, true);
  w.text(o, 'description', p, LIMITS.optionDescription, { plainOnly: true });
}

/** `initial_option` (and each of `initial_options`) must be exactly one of the options. */
function checkInitial(w: Walk, e: Obj, p: string, options: readonly unknown[]): void {
  const isOne = (x: unknown) => options.some((o) => sameOption(o, x));
  if (e.initial_option !== undefined && !isOne(e.initial_option)) w.add(`${p}/initial_option`, 'must match one of the provided options');
  if (Array.isArray(e.initial_options)) {
    e.initial_options.forEach((x, i) => {
      if (!isOne(x)) w.add(`${p}/initial_options/${i}`, 'must match one of the provided options');
    });
  }
}

function sameOption(a: unknown, b: unknown): boolean {
  if (!isObj(a) || !isObj(b) || a.value !== b.value) return false;
  const t = (o: Obj) => (isObj(o.text) ? `${String(o.text.type)}:${String(o.text.text)}` : '');
  const d = (o: Obj) => (isObj(o.description) ? String(o.description.text) : '');
  return t(a) === t(b) && d(a) === d(b);
}

function checkConfirm(w: Walk, c: unknown, p: string): void {
  if (!isObj(c)) return w.add(p, 'must be a confirmation dialog object');
  w.text(c, 'title', p, LIMITS.confirmTitle, { required: true, plainOnly: true });
  w.text(c, 'text', p, LIMITS.confirmText, { required: true });
  w.text(c, 'confirm', p, LIMITS.confirmButton, { required: true, plainOnly: true });
  w.text(c, 'deny', p, LIMITS.confirmButton, { required: true, plainOnly: true });
  if (c.style !== undefined && c.style !== 'primary' && c.style !== 'danger') w.add(`${p}/style`, 'must be one of primary, danger');
}

/** Slack's wording in `response_metadata.messages`. */
export function slackMessages(problems: readonly Problem[]): string[] {
  return problems.map((pr) => `[ERROR] ${pr.message} [json-pointer:${pr.pointer}]`);
}
