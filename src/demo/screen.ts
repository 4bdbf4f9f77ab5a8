/**
 * The terminal as a Slack client and a row of desk phones: prints every change the Slack stand-in
 * reports (messages, updates, modals, App Home, files) and everything the simulated phones do,
 * and numbers each button it prints so `click N` knows what was pressed.
 */
import type { types } from '@slack/bolt';
import type { SimPhone } from '../sim/index.js';
import { Output, printNote, printPhone, printSlack, renderMessage, renderView, type RenderContext } from './render.js';
import type { ShownMessage, SlackShows, SlackStandin } from './slack-standin.js';

/** Where a printed button lives, so a click can be sent from the right place. */
export type ButtonPlace = { kind: 'message'; ref: string } | { kind: 'view'; viewId: string; viewType: 'modal' | 'home' };

export interface PrintedButton {
  n: number;
  button: types.Button;
  place: ButtonPlace;
}

const POLL_MS = 20;

export class Screen {
  private readonly buttons = new Map<number, PrintedButton>();
  private nextButton = 1;
  private readonly timers: NodeJS.Timeout[] = [];
  private standin?: SlackStandin;
  private readonly homeWanted = new Set<string>();

  constructor(
    readonly out: Output,
    /** Channel id -> name, for headings. */
    private readonly channels: Record<string, string>,
  ) {}

  attach(standin: SlackStandin): void {
    this.standin = standin;
  }

  /** Look up a printed button by number, or the newest one whose label matches (case-insensitive). */
  button(which: string): PrintedButton | undefined {
    const n = Number(which);
    if (Number.isInteger(n) && n > 0) return this.buttons.get(n);
    const label = which.trim().toLowerCase();
    return [...this.buttons.values()].reverse().find((b) => b.button.text.text.toLowerCase() === label);
  }

  /** The user is opening App Home: print the next view published for them in full. */
  openingHome(user: string): void {
    this.homeWanted.add(user);
  }

  /** Prints one change reported by the stand-in. */
  show(s: SlackShows): void {
    const out = this.out;
    switch (s.kind) {
      case 'message': {
        const m = s.message;
        const where = this.place(m);
        if (s.change === 'deleted') return printSlack(out, `${where}: message removed`, []);
        const heading = s.change === 'updated' ? `${where} (updates its earlier message)` : where;
        printSlack(out, heading, renderMessage(m, this.ctx({ kind: 'message', ref: m.ref })));
        return;
      }
      case 'modal': {
        const { modal } = s;
        const who = `@${this.name(modal.user)}`;
        if (s.change === 'closed') return printSlack(out, `modal closed (${who})`, []);
        const heading = { opened: `modal opened for ${who}`, updated: `modal updated (${who})`, errors: `modal refused the submission (${who}): see ⚠ below` }[s.change];
        const lines = renderView(modal.view, this.ctx({ kind: 'view', viewId: modal.id, viewType: 'modal' }), modal.shown, modal.errors);
        if (modal.view.submit) lines.push('Type: submit field=value ... (e.g. submit password=...), or cancel');
        printSlack(out, heading, lines);
        return;
      }
      case 'home':
        // Slack refreshes App Home in the background; show it in full only when the user opened it.
        if (this.homeWanted.delete(s.user)) printSlack(out, `App Home of @${this.name(s.user)}`, renderView(s.view, this.ctx({ kind: 'view', viewId: s.viewId, viewType: 'home' })));
        else printSlack(out, `App Home of @${this.name(s.user)} was refreshed (type home to see it)`, []);
        return;
      case 'file':
        printSlack(out, `DM from rescue-ring to @${this.name(s.user)}: a file`, [
          ...(s.comment ? [s.comment] : []),
          `📎 ${s.title} (${s.bytes.toLocaleString('en')} bytes)`,
          `saved as ${s.path}`,
        ]);
        return;
      case 'refused':
        printNote(out, `(Slack answered ${s.method} with error "${s.error}")`);
        return;
    }
  }

  /** Prints what a simulated phone does (rings, screenshots, refusals, screen changes) as it happens. */
  watchPhone(phone: SimPhone, label = phone.name): void {
    let seenRequests = phone.requests.length;
    let seenDisplay = displayText(phone);
    let seenOff = phone.faults.webAccessDisabled;
    const timer = setInterval(() => {
      // A phone starts playing when the command arrives (it answers when the tone ends): print rings on arrival.
      for (const r of phone.requests.slice(seenRequests)) {
        if (!r.authorized && r.method === 'POST') printPhone(this.out, `${label}'s phone refused a command: wrong username or password`);
        else if (r.path.startsWith('/CGI/Screenshot')) printPhone(this.out, `${label}'s phone sent a picture of its screen`);
        else if (/DeviceInformationX/i.test(r.path)) printPhone(this.out, `${label}'s phone answered with its model and firmware`);
        for (const item of r.authorized ? (r.items ?? []) : []) {
          if (item.url.startsWith('Play:')) printPhone(this.out, `${label}'s phone rings ♪ ${item.url.slice('Play:'.length)}`);
        }
      }
      seenRequests = phone.requests.length;
      // Rings are printed above; the clock in the title changes every minute: show only new screen text.
      const display = displayText(phone);
      if (display !== seenDisplay && !display.startsWith('Playing ')) {
        printPhone(this.out, `${label}'s phone screen: ${display}`);
        seenDisplay = display;
      }
      const off = phone.faults.webAccessDisabled;
      if (off !== seenOff) printPhone(this.out, `${label}'s phone: Web Access ${off ? 'disabled (it refuses every connection)' : 'enabled again'}`);
      seenOff = off;
    }, POLL_MS);
    timer.unref();
    this.timers.push(timer);
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }

  private ctx(place: ButtonPlace): RenderContext {
    return {
      userName: (id) => this.name(id),
      paint: (t, ...styles) => this.out.paint(t, ...styles),
      button: (button) => {
        const n = this.nextButton++;
        this.buttons.set(n, { n, button, place });
        return n;
      },
    };
  }

  private place(m: ShownMessage): string {
    if (m.channel.startsWith('D')) return `DM from rescue-ring to @${this.name(m.user)}`;
    const channel = this.channels[m.channel] ? `#${this.channels[m.channel]}` : m.channel;
    return m.ephemeral ? `${channel}, only visible to @${this.name(m.user)}` : channel;
  }

  private name(id: string): string {
    return this.standin?.userName(id) ?? id;
  }
}

function displayText(phone: SimPhone): string {
  return phone.display.lines.filter((x) => x !== '').join(' | ');
}
