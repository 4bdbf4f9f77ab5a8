/**
 * What Slack would show, as terminal text: Block Kit (messages, modals, App Home) turned into
 * indented lines, mrkdwn made readable, buttons numbered so they can be "pressed" with `click N`.
 * Also the one place output is written: every line goes to the terminal (coloured only on a TTY)
 * and to a plain-text transcript the tour checks.
 */
import type { types } from '@slack/bolt';

type Block = types.KnownBlock | types.Block;

// ---- output ---------------------------------------------------------------------------------

const ANSI = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', blue: '34', magenta: '35', cyan: '36' } as const;
export type Style = keyof typeof ANSI;

/** Strips ANSI colour codes (for the transcript and for checks). */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_PATTERN = /\u001b\[[0-9;]*m/g;

export interface OutputOptions {
  write?: (text: string) => void;
  /** Colours on or off (the demo's main turns them off for NO_COLOR); default: on when stdout is a TTY. */
  color?: boolean;
  /** Keep a transcript (the tour checks it); off for an open-ended interactive session. Default true. */
  transcript?: boolean;
}

export class Output {
  /** Every line written, without colours, oldest first. */
  readonly transcript: string[] = [];
  readonly color: boolean;
  private readonly keep: boolean;
  private readonly write: (text: string) => void;
  private readonly listeners = new Set<() => void>();

  constructor(options: OutputOptions = {}) {
    this.write = options.write ?? ((t) => void process.stdout.write(t));
    this.color = options.color ?? process.stdout.isTTY === true;
    this.keep = options.transcript ?? true;
  }

  paint(text: string, ...styles: Style[]): string {
    if (!this.color || styles.length === 0) return text;
    return `\u001b[${styles.map((s) => ANSI[s]).join(';')}m${text}\u001b[0m`;
  }

  line(text = ''): void {
    for (const l of text.split('\n')) {
      if (this.keep) this.transcript.push(l.replace(ANSI_PATTERN, ''));
      this.write(`${l}\n`);
    }
    for (const f of this.listeners) f();
  }

  /** Called after every write (the tour waits on the transcript this way). */
  onLine(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

// ---- the two kinds of thing the demo prints ---------------------------------------------------

const SLACK_TAG = '  [slack] ';
const PHONE_TAG = '  [phone] ';
const BODY_INDENT = ' '.repeat(SLACK_TAG.length);

/** A block of what Slack shows: a heading (where it appears) and the content, indented under it. */
export function printSlack(out: Output, heading: string, body: string[]): void {
  out.line(out.paint(SLACK_TAG, 'blue', 'bold') + out.paint(heading, 'blue'));
  for (const l of body) out.line(BODY_INDENT + l);
}

/** One thing a simulated phone did. */
export function printPhone(out: Output, text: string): void {
  out.line(out.paint(PHONE_TAG, 'yellow', 'bold') + text);
}

/** A note from the demo itself (not Slack, not a phone). */
export function printNote(out: Output, text: string): void {
  out.line(out.paint(`  ${text}`, 'dim'));
}

// ---- mrkdwn -----------------------------------------------------------------------------------

const EMOJI: Record<string, string> = {
  telephone_receiver: '📞',
  white_check_mark: '✅',
  warning: '⚠️',
  x: '❌',
  hourglass_flowing_sand: '⏳',
  octagonal_sign: '🛑',
  camera: '📷',
  lifebuoy: '🛟',
  wave: '👋',
  alarm_clock: '⏰',
  zzz: '💤',
};

export interface RenderContext {
  /** User id -> name, for `<@U123>`. */
  userName(id: string): string;
  /** Numbers a button so it can be clicked; returns its number. */
  button?(button: types.Button): number;
  paint?(text: string, ...styles: Style[]): string;
}

/** Slack's mrkdwn as a person reads it: mentions by name, links as text, emoji, no markup characters. */
export function mrkdwn(text: string, ctx: RenderContext): string {
  const paint = ctx.paint ?? ((t: string) => t);
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${ctx.userName(id)}`)
    .replace(/<#[A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<!date\^(\d+)[^|>]*\|[^>]*>/g, (_m, ts: string) => shortDate(new Date(Number(ts) * 1000)))
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m)
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, (_m, pre: string, inner: string) => pre + paint(inner, 'bold'))
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, '$1$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** "14:03:27" today, else "2026-11-27 14:03" (local time), like Slack's date formatting. */
function shortDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return `today ${time}:${pad(d.getSeconds())}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

function textOf(t: types.PlainTextElement | types.MrkdwnElement | undefined, ctx: RenderContext): string {
  if (!t) return '';
  return t.type === 'mrkdwn' ? mrkdwn(t.text, ctx) : t.text;
}

function buttonLabel(b: types.Button, ctx: RenderContext): string {
  const n = ctx.button?.(b);
  const label = `${n !== undefined ? `${n}: ` : ''}${b.text.text}`;
  const styled = ctx.paint ? ctx.paint(`[ ${label} ]`, b.style === 'danger' ? 'red' : b.style === 'primary' ? 'green' : 'cyan') : `[ ${label} ]`;
  return styled;
}

// ---- blocks -----------------------------------------------------------------------------------

/** Input values the demo remembers for an open modal (by block id), shown instead of the initial value. */
export type ShownValues = Record<string, string | undefined>;

/** Renders blocks as lines. Inputs (modals) show their label, current value, choices and hint. */
export function renderBlocks(blocks: readonly Block[] | undefined, ctx: RenderContext, values: ShownValues = {}, errors: Record<string, string> = {}): string[] {
  const lines: string[] = [];
  for (const block of blocks ?? []) {
    const b = block as types.KnownBlock;
    switch (b.type) {
      case 'header':
        lines.push((ctx.paint ?? ((t: string) => t))(b.text.text.toUpperCase(), 'bold'));
        break;
      case 'section': {
        if (b.text) lines.push(...textOf(b.text, ctx).split('\n'));
        for (const f of b.fields ?? []) lines.push(textOf(f, ctx));
        if (b.accessory && b.accessory.type === 'button') lines.push(buttonLabel(b.accessory, ctx));
        break;
      }
      case 'context':
        lines.push(
          b.elements
            .map((e) => (e.type === 'image' ? '' : textOf(e as types.PlainTextElement | types.MrkdwnElement, ctx)))
            .filter((t) => t !== '')
            .join(' · '),
        );
        break;
      case 'divider':
        lines.push('────────');
        break;
      case 'actions': {
        const buttons = b.elements.filter((e): e is types.Button => e.type === 'button');
        if (buttons.length > 0) lines.push(buttons.map((x) => buttonLabel(x, ctx)).join('  '));
        break;
      }
      case 'input':
        lines.push(...renderInput(b, ctx, values, errors));
        break;
      case 'image':
        lines.push(`(image: ${b.alt_text})`);
        break;
      default:
        lines.push(`(${b.type} block)`);
    }
  }
  return lines;
}

function renderInput(b: types.InputBlock, ctx: RenderContext, values: ShownValues, errors: Record<string, string>): string[] {
  const id = b.block_id ?? '';
  const el = b.element as unknown as Record<string, unknown> & { type: string };
  const label = `${b.label.text}${b.optional ? ' (optional)' : ''}`;
  const shown = values[id] ?? initialValueText(el, ctx);
  const lines = [`${label} [${id}]: ${shown === undefined || shown === '' ? '(empty)' : shown}`];
  const options = el.options as types.PlainTextOption[] | undefined;
  if (options && (el.type === 'radio_buttons' || el.type === 'static_select')) {
    const list = options.map((o) => o.value).join(', ');
    lines.push(`    choices: ${list.length > 160 ? `${list.slice(0, 157)}...` : list}`);
  }
  if (b.hint) lines.push(`    ${b.hint.text}`);
  const err = errors[id];
  if (err) lines.push((ctx.paint ?? ((t: string) => t))(`    ⚠ ${err}`, 'red'));
  return lines;
}

/** What an input shows before anything is typed. */
export function initialValueText(el: Record<string, unknown> & { type: string }, ctx: RenderContext): string | undefined {
  switch (el.type) {
    case 'plain_text_input':
    case 'number_input':
      return typeof el.initial_value === 'string' ? el.initial_value : undefined;
    case 'static_select':
    case 'radio_buttons':
      return (el.initial_option as types.PlainTextOption | undefined)?.value;
    case 'multi_users_select':
      return ((el.initial_users as string[] | undefined) ?? []).map((u) => `@${ctx.userName(u)}`).join(', ') || undefined;
    default:
      return undefined;
  }
}

/** A message: its blocks when it has any, else its text (as Slack does). */
export function renderMessage(msg: { text?: string; blocks?: readonly Block[] }, ctx: RenderContext): string[] {
  if (msg.blocks && msg.blocks.length > 0) return renderBlocks(msg.blocks, ctx);
  return mrkdwn(msg.text ?? '', ctx).split('\n');
}

/** A modal or App Home view. */
export function renderView(view: types.View, ctx: RenderContext, values: ShownValues = {}, errors: Record<string, string> = {}): string[] {
  const lines: string[] = [];
  if (view.type === 'modal') lines.push((ctx.paint ?? ((t: string) => t))(`== ${view.title.text} ==`, 'bold'));
  lines.push(...renderBlocks(view.blocks as Block[], ctx, values, errors));
  if (view.type === 'modal') {
    const foot = [view.submit ? `submit: "${view.submit.text}"` : undefined, view.close ? `close: "${view.close.text}"` : undefined].filter(Boolean).join(', ');
    if (foot) lines.push(`(${foot})`);
  }
  return lines;
}
