/**
 * A Bolt Receiver whose "Slack" is the terminal: each typed line (a slash command, `click N`,
 * `submit ...`, `home`, `shortcut ...`) becomes the payload Slack would send, fed through
 * `app.processEvent` exactly like Bolt's own receivers do, with an `ack` that hands the reply to
 * the Slack stand-in so the terminal shows it.
 */
import type { App, Receiver, ReceiverEvent, types } from '@slack/bolt';
import type { Output } from './render.js';
import { printNote, printSlack } from './render.js';
import type { Screen } from './screen.js';
import { triggerId, type ShownModal, type SlackStandin } from './slack-standin.js';

/** Slack's limit for acknowledging a request. */
const ACK_DEADLINE_MS = 3_000;
const SECRET_LABEL = /password|secret|token/i;

export interface TerminalReceiverOptions {
  standin: SlackStandin;
  screen: Screen;
  out: Output;
  /** The channel slash commands are typed in. */
  channel: { id: string; name: string };
  /** Who is typing at first (a user id). */
  user: string;
  /**
   * What the app's manifest declares: its slash commands (others get Slack's "not a valid command")
   * and global shortcut callback ids. Asked for each line, as the app registers its listeners only
   * after Bolt has taken this receiver.
   */
  manifest: () => { commands: readonly string[]; shortcuts: readonly string[] };
}

/** Pass it to createSlackApp as `receiver`: Bolt calls init(app), and the app's start() and stop() start and stop it. */
export class TerminalReceiver implements Receiver {
  private app?: App;
  private running = false;
  /** The user typing now (`as alice` changes it). */
  user: string;
  private triggers = 0;

  constructor(private readonly o: TerminalReceiverOptions) {
    this.user = o.user;
  }

  init(app: App): void {
    this.app = app;
  }

  /** Nothing to listen on: lines arrive through `handle`. */
  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  /**
   * Handles one line if it is something a Slack user does; resolves false when it is not (the
   * caller may treat it as a demo command). Resolves once the app has answered (acked).
   */
  async handle(line: string): Promise<boolean> {
    const text = line.trim();
    if (text.startsWith('/')) {
      await this.slashCommand(text);
      return true;
    }
    const [verb = '', ...rest] = text.split(/\s+/);
    const arg = text.slice(verb.length).trim();
    switch (verb.toLowerCase()) {
      case 'click':
        await this.click(arg);
        return true;
      case 'submit':
        await this.submit(arg);
        return true;
      case 'cancel':
      case 'close': {
        const modal = this.o.standin.openModal(this.user);
        if (modal) this.o.standin.closeModal(modal.id);
        else printNote(this.o.out, 'No modal is open.');
        return true;
      }
      case 'home':
        await this.homeOpened();
        return true;
      case 'shortcut':
        await this.shortcut(rest[0] ?? '');
        return true;
      default:
        return false;
    }
  }

  // ---- payloads ---------------------------------------------------------------------------

  private async slashCommand(text: string): Promise<void> {
    const command = text.split(/\s/, 1)[0]!.toLowerCase();
    const args = text.slice(command.length).trim();
    const { commands } = this.o.manifest();
    if (!commands.includes(command)) {
      printSlack(this.o.out, 'Slackbot, only visible to you', [`${command} is not a valid command. Try ${commands.join(', ')}.`]);
      return;
    }
    const { id: responseId, url } = this.o.standin.commandResponseUrl(this.user, this.o.channel.id);
    const body = {
      token: 'demo-verification-token',
      team_id: this.o.standin.teamId,
      team_domain: 'demo',
      channel_id: this.o.channel.id,
      channel_name: this.o.channel.name,
      user_id: this.user,
      user_name: this.o.standin.userName(this.user),
      command,
      text: this.escapeMentions(args),
      api_app_id: 'A0DEMO',
      is_enterprise_install: 'false',
      response_url: url,
      trigger_id: this.trigger(),
    };
    await this.dispatch(body, command, (reply) => this.o.standin.showAck(responseId, reply));
  }

  /** Like Slack with `should_escape: true`: & < > escaped, and `@alice` (a real member) sent as `<@U0ALICE|alice>`. */
  private escapeMentions(typed: string): string {
    const text = typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return text.replace(/(^|\s)@([\w.-]+)/g, (m, pre: string, name: string) => {
      const u = this.o.standin.userByName(name);
      return u ? `${pre}<@${u.id}|${u.name}>` : m;
    });
  }

  private async click(which: string): Promise<void> {
    const printed = which === '' ? undefined : this.o.screen.button(which);
    if (!printed) {
      printNote(this.o.out, which === '' ? 'Click what? Type click and a button number, e.g. click 1.' : `There is no button "${which}" on screen.`);
      return;
    }
    const { button, place } = printed;
    const owner = place.kind === 'message' ? this.o.standin.message(place.ref)?.user : place.viewType === 'modal' ? this.o.standin.modal(place.viewId)?.user : this.o.standin.homeOwner(place.viewId);
    if (owner !== undefined && owner !== this.user) {
      const name = this.o.standin.userName(owner);
      printNote(this.o.out, `Button ${printed.n} is on @${name}'s screen; type "as ${name}" first to press it.`);
      return;
    }
    if (button.confirm) printNote(this.o.out, `(Slack asks "${button.confirm.title?.text ?? 'Are you sure?'}"; answering "${button.confirm.confirm?.text ?? 'Yes'}")`);
    const action = { type: 'button', block_id: 'demo', action_id: button.action_id ?? '', text: button.text, ...(button.value !== undefined ? { value: button.value } : {}), action_ts: now() };
    const base = {
      type: 'block_actions',
      token: 'demo-verification-token',
      api_app_id: 'A0DEMO',
      team: { id: this.o.standin.teamId, domain: 'demo' },
      user: this.userObject(),
      trigger_id: this.trigger(),
      is_enterprise_install: false,
      enterprise: null,
      actions: [action],
    };
    let body: Record<string, unknown>;
    if (place.kind === 'message') {
      const m = this.o.standin.message(place.ref);
      if (!m) {
        printNote(this.o.out, 'That message is gone.');
        return;
      }
      body = {
        ...base,
        container: { type: 'message', message_ts: m.ts, channel_id: m.channel, is_ephemeral: m.ephemeral },
        channel: { id: m.channel, name: this.o.channel.id === m.channel ? this.o.channel.name : 'directmessage' },
        response_url: this.o.standin.messageResponseUrl(m.ref),
        ...(m.ephemeral ? {} : { message: { type: 'message', ts: m.ts, text: m.text, blocks: m.blocks ?? [] } }),
      };
    } else {
      const modal = place.viewType === 'modal' ? this.o.standin.modal(place.viewId) : undefined;
      if (place.viewType === 'modal' && !modal) {
        printNote(this.o.out, 'That modal is closed.');
        return;
      }
      body = {
        ...base,
        container: { type: 'view', view_id: place.viewId },
        view: {
          id: place.viewId,
          team_id: this.o.standin.teamId,
          type: place.viewType,
          callback_id: modal?.view.callback_id ?? '',
          private_metadata: modal?.view.private_metadata ?? '',
          state: { values: {} },
          hash: 'demo',
        },
      };
    }
    await this.dispatch(body, `the "${button.text.text}" button`);
  }

  private async submit(args: string): Promise<void> {
    const modal = this.o.standin.openModal(this.user);
    if (!modal || !modal.view.submit) {
      printNote(this.o.out, 'No form is open. /phone opens the settings form.');
      return;
    }
    const assigned = parseAssignments(args);
    if (typeof assigned === 'string') {
      printNote(this.o.out, assigned);
      return;
    }
    // What was typed before (a refused submission) stays in the form, as in Slack.
    const typed = { ...modal.typed, ...assigned };
    const built = stateValues(modal, typed, (name) => this.o.standin.userByName(name)?.id);
    if (typeof built === 'string') {
      printNote(this.o.out, built);
      return;
    }
    this.o.standin.setTyped(modal.id, typed, built.shown);
    const body = {
      type: 'view_submission',
      token: 'demo-verification-token',
      api_app_id: 'A0DEMO',
      team: { id: this.o.standin.teamId, domain: 'demo' },
      user: this.userObject(),
      trigger_id: this.trigger(),
      view: { ...modal.view, id: modal.id, team_id: this.o.standin.teamId, state: { values: built.values }, hash: 'demo' },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    await this.dispatch(body, 'the form', (reply) => this.o.standin.viewAck(modal.id, reply));
  }

  private async homeOpened(): Promise<void> {
    this.o.screen.openingHome(this.user);
    const body = {
      token: 'demo-verification-token',
      team_id: this.o.standin.teamId,
      api_app_id: 'A0DEMO',
      type: 'event_callback',
      event_id: `Ev${this.triggers++}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: this.user, channel: this.o.standin.dmChannel(this.user), tab: 'home', event_ts: now() },
    };
    await this.dispatch(body, 'App Home');
  }

  private async shortcut(callbackId: string): Promise<void> {
    const { shortcuts } = this.o.manifest();
    if (!shortcuts.includes(callbackId)) {
      printNote(this.o.out, `Shortcuts: ${shortcuts.join(', ')} (e.g. shortcut ${shortcuts[0] ?? ''}).`);
      return;
    }
    const body = {
      type: 'shortcut',
      token: 'demo-verification-token',
      action_ts: now(),
      team: { id: this.o.standin.teamId, domain: 'demo' },
      user: this.userObject(),
      callback_id: callbackId,
      trigger_id: this.trigger(),
      is_enterprise_install: false,
      enterprise: null,
    };
    await this.dispatch(body, `the ${callbackId} shortcut`);
  }

  /** Feeds a payload through Bolt, with Slack's 3-second ack deadline. */
  private async dispatch(body: Record<string, unknown>, what: string, onAck: (reply: unknown) => void = () => undefined): Promise<void> {
    const app = this.app;
    if (!app) throw new Error('The terminal receiver is not attached to an app: pass it to createSlackApp as `receiver`.');
    if (!this.running) throw new Error('The terminal receiver is stopped: start the app (bot.start()) before typing Slack actions.');
    let acked = false;
    let timer: NodeJS.Timeout | undefined;
    const ackedOrLate = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (!acked) printSlack(this.o.out, 'Slack, only visible to you', [`${what} failed with the error "operation_timeout"`]);
        resolve();
      }, ACK_DEADLINE_MS);
      timer.unref();
    });
    const event: ReceiverEvent = {
      body,
      ack: async (reply?: unknown) => {
        if (acked) throw new Error('acknowledged twice');
        acked = true;
        clearTimeout(timer);
        onAck(reply);
      },
    };
    // A failure after the deadline must still be reported, never left as an unhandled rejection.
    const processed = app.processEvent(event).then(
      () => undefined,
      (err: unknown) => {
        // What Slack shows when an app answers with an error before acking.
        if (!acked) printSlack(this.o.out, 'Slack, only visible to you', [`${what} failed with the error "dispatch_failed"`]);
        printNote(this.o.out, `(the app raised ${err instanceof Error ? err.name : 'an error'}; details are in the log)`);
      },
    );
    await Promise.race([processed, ackedOrLate]);
    clearTimeout(timer);
  }

  private userObject() {
    const name = this.o.standin.userName(this.user);
    return { id: this.user, username: name, name, team_id: this.o.standin.teamId };
  }

  /** Trigger ids name their user so the stand-in knows whose modal views.open opens, and when it expires. */
  private trigger(): string {
    return triggerId(this.user);
  }
}

function now(): string {
  return (Date.now() / 1000).toFixed(6);
}

/** `a=1 b="two words"` -> { a: '1', b: 'two words' }, or a message saying what is wrong. */
export function parseAssignments(args: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  const re = /\s*([\w-]+)=("([^"]*)"|(\S*))/y;
  let rest = args.trim();
  while (rest !== '') {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (!m) return `I did not understand "${rest.split(/\s/)[0]}". Write fields as name=value, e.g. submit rings=2 tone=Chime.raw.`;
    out[m[1]!] = m[3] ?? m[4] ?? '';
    rest = rest.slice(m[0].length).trim();
  }
  return out;
}

/** Masks the value of secret-looking assignments in a typed line (for echoing it). */
export function maskSecrets(line: string): string {
  return line.replace(/\b(password|secret|token)=("[^"]*"|\S*)/gi, (_m, k: string) => `${k}=********`);
}

type StateValue = Record<string, unknown> & { type: string };

/** view.state.values as Slack sends them: every input's current value, with the typed overrides. */
export function stateValues(
  modal: ShownModal,
  overrides: Record<string, string>,
  userId: (name: string) => string | undefined,
): { values: Record<string, Record<string, StateValue>>; shown: Record<string, string | undefined> } | string {
  const inputs = (modal.view.blocks as types.KnownBlock[]).filter((b): b is types.InputBlock => b.type === 'input');
  const known = inputs.map((b) => b.block_id ?? '');
  const unknown = Object.keys(overrides).filter((k) => !known.includes(k));
  if (unknown.length > 0) return `This form has no field "${unknown[0]}". Its fields are: ${known.join(', ')}.`;
  const values: Record<string, Record<string, StateValue>> = {};
  const shown: Record<string, string | undefined> = {};
  for (const block of inputs) {
    const id = block.block_id ?? '';
    const el = block.element as unknown as Record<string, unknown> & { type: string; action_id?: string };
    const typed = overrides[id];
    const secret = SECRET_LABEL.test(block.label.text);
    if (typed !== undefined) shown[id] = secret && typed !== '' ? '******** (hidden)' : typed;
    let v: StateValue;
    switch (el.type) {
      case 'plain_text_input':
      case 'number_input':
        v = { type: el.type, value: typed ?? (typeof el.initial_value === 'string' ? el.initial_value : null) };
        break;
      case 'static_select':
      case 'radio_buttons': {
        const options = (el.options as types.PlainTextOption[] | undefined) ?? [];
        let selected = el.initial_option as types.PlainTextOption | undefined;
        if (typed !== undefined) {
          const t = typed.toLowerCase();
          selected = options.find((o) => o.value?.toLowerCase() === t || o.text.text.toLowerCase() === t || o.value?.toLowerCase() === `${t}.raw`);
          if (!selected) return `"${typed}" is not a choice for ${id}. Choices: ${options.map((o) => o.value).join(', ')}.`;
          shown[id] = selected.value;
        }
        v = { type: el.type, selected_option: selected ?? null };
        break;
      }
      case 'multi_users_select': {
        let users = (el.initial_users as string[] | undefined) ?? [];
        if (typed !== undefined) {
          const names = typed.split(',').map((s) => s.trim()).filter((s) => s !== '');
          const ids = names.map((n) => (/^[UW][A-Z0-9]{2,}$/.test(n) ? n : userId(n)));
          const missing = names.find((_n, i) => ids[i] === undefined);
          if (missing) return `Nobody called ${missing} is in this workspace.`;
          users = ids as string[];
          shown[id] = names.map((n) => (n.startsWith('@') ? n : `@${n}`)).join(', ');
        }
        v = { type: el.type, selected_users: users };
        break;
      }
      default:
        v = { type: el.type };
    }
    values[id] = { [el.action_id ?? 'value']: v };
  }
  return { values, shown };
}
