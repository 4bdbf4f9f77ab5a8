/**
 * Where a listener's follow-up messages go, and how each place is rationed:
 * - a response_url (slash commands, message buttons, message shortcuts): Slack accepts at most
 *   5 posts in 30 minutes, so progress posts are budgeted and one post is always kept for the outcome;
 * - the user's DM with the app (global shortcuts and App Home have no channel): post, then update;
 * - an open modal (the Test ring button after saving settings): views.update.
 * Posts are serialized so the outcome always lands last. Failures are logged, never thrown.
 */
import type { types, webApi } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { SlackDeps } from './context.js';
import type { SlackMessage } from './blocks/message.js';
import { responsePoster, type PostResponse } from './respond.js';
import { isRefusedPayload, logSlackFailure, trySlack } from './slack-errors.js';

/** Kept for blocks/settings-modal.ts until its import moves to blocks/message.ts; new code imports from there. */

/** A message as the ephemeral body of a slash command's ack. */
export function ephemeral(m: SlackMessage): { response_type: 'ephemeral'; text: string; blocks?: types.KnownBlock[] } {
  return { response_type: 'ephemeral', text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}) };
}

export type PostKind =
  /** Nice to have: dropped when the budget is short. */
  | 'progress'
  /** The outcome: always sent while any post is left. */
  | 'final';

export interface Surface {
  /** Shows `msg`, replacing this surface's previous message. Resolves false when it was dropped or failed. */
  show(msg: SlackMessage, kind: PostKind): Promise<boolean>;
  /** How many more progress posts can go out while keeping one for the outcome. */
  progressSlots(): number;
  /** Logs what follows here (a rescue's logger, so every line about its posts carries the rescue id). */
  logWith(logger: Logger): void;
}

/** Slack's limit: 5 posts per response_url within 30 minutes. */
export const RESPONSE_URL_POSTS = 5;

abstract class SerialSurface implements Surface {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(protected log: Logger) {}
  abstract progressSlots(): number;

  logWith(logger: Logger): void {
    this.log = logger;
  }

  protected abstract post(msg: SlackMessage, kind: PostKind): Promise<boolean>;

  show(msg: SlackMessage, kind: PostKind): Promise<boolean> {
    const next = this.chain.then(() => this.post(msg, kind));
    this.chain = next.catch(() => undefined);
    return next;
  }
}

export class ResponseUrlSurface extends SerialSurface {
  private used = 0;
  private dead = false;
  private fallback?: Surface;

  private readonly post_: PostResponse;

  constructor(
    responseUrl: string | PostResponse,
    deps: Pick<SlackDeps, 'logger' | 'rescue'>,
    /** False when nothing was shown yet (a message shortcut acks with no message): the first post adds one. */
    private replaceOriginal = true,
    budget = RESPONSE_URL_POSTS,
  ) {
    super(deps.logger);
    this.budget = budget;
    this.post_ = typeof responseUrl === 'string' ? responsePoster(responseUrl, { observe: deps.rescue.metrics }) : responseUrl;
  }

  private readonly budget: number;

  /** Where the outcome goes when the response_url cannot take it (expired, 404, budget spent): usually the DM. */
  withFallback(fallback: Surface): this {
    this.fallback = fallback;
    return this;
  }

  override logWith(logger: Logger): void {
    super.logWith(logger);
    this.fallback?.logWith(logger);
  }

  progressSlots(): number {
    return this.dead ? 0 : Math.max(0, this.budget - this.used - 1);
  }

  protected async post(msg: SlackMessage, kind: PostKind): Promise<boolean> {
    const sent = await this.postHere(msg, kind);
    if (sent || kind !== 'final' || !this.fallback) return sent;
    this.log.info('outcome sent to the fallback surface (DM) instead of the response_url');
    return this.fallback.show(msg, 'final');
  }

  private async postHere(msg: SlackMessage, kind: PostKind): Promise<boolean> {
    if (this.dead) return false;
    if (kind === 'progress' ? this.progressSlots() <= 0 : this.used >= this.budget) {
      this.log.debug({ kind }, 'response_url budget spent; post skipped');
      return false;
    }
    this.used += 1;
    try {
      await this.post_({ response_type: 'ephemeral', replace_original: this.replaceOriginal, text: msg.text, ...(msg.blocks ? { blocks: msg.blocks } : {}) });
      this.replaceOriginal = true;
      this.log.debug({ kind }, 'response_url post sent');
      return true;
    } catch (err) {
      const code = logSlackFailure(this.log, 'response_url post', err, { kind });
      // 404 = expired or unknown response_url: further posts cannot succeed either.
      if (code === 'response_url_404' || code === 'response_url_410') this.dead = true;
      // Slack refused the blocks: the text alone still tells the person what happened.
      if (isRefusedPayload(code) && msg.blocks && this.used < this.budget) return this.postHere({ text: msg.text }, kind);
      return false;
    }
  }
}

export class DmSurface extends SerialSurface {
  private where?: { channel: string; ts: string };

  constructor(
    private readonly client: webApi.WebClient,
    private readonly userId: string,
    logger: Logger,
  ) {
    super(logger);
  }

  progressSlots(): number {
    return Number.POSITIVE_INFINITY;
  }

  protected async post(msg: SlackMessage, kind: PostKind): Promise<boolean> {
    const ctx = { userId: this.userId, kind };
    if (this.where) {
      const { channel, ts } = this.where;
      const updated = await sendOrText(this.log, 'chat.update (DM)', msg, (m) => this.client.chat.update({ channel, ts, text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}) }), ctx);
      if (updated) return true;
      if (kind === 'progress') return false;
      // The outcome must arrive: fall through and post it as a new message.
    }
    const dm = await trySlack(this.log, 'conversations.open', () => this.client.conversations.open({ users: this.userId }), ctx);
    const channel = dm?.channel?.id;
    if (!channel) return false;
    const posted = await sendOrText(this.log, 'chat.postMessage (DM)', msg, (m) => this.client.chat.postMessage({ channel, text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}) }), ctx);
    if (posted?.ts) this.where = { channel, ts: posted.ts };
    return posted !== undefined;
  }
}

export class ViewSurface extends SerialSurface {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly viewId: string,
    private readonly render: (msg: SlackMessage) => types.View,
    logger: Logger,
  ) {
    super(logger);
  }

  progressSlots(): number {
    return Number.POSITIVE_INFINITY;
  }

  protected async post(msg: SlackMessage): Promise<boolean> {
    const r = await trySlack(this.log, 'views.update', () => this.client.views.update({ view_id: this.viewId, view: this.render(msg) }), { viewId: this.viewId });
    return r !== undefined;
  }
}

/**
 * Sends `msg`; when Slack refuses it (our Block Kit, logged at error level with Slack's messages),
 * sends its text alone, so the person still learns what happened. Other failures are logged only.
 */
export async function sendOrText<T>(logger: Logger, what: string, msg: SlackMessage, send: (m: SlackMessage) => Promise<T>, context: Record<string, unknown> = {}): Promise<T | undefined> {
  try {
    return await send(msg);
  } catch (err) {
    const code = logSlackFailure(logger, what, err, context);
    if (!isRefusedPayload(code) || !msg.blocks) return undefined;
    return trySlack(logger, `${what} (text only)`, () => send({ text: msg.text }), context);
  }
}

/** Which rings get a progress post, spread evenly over the slots available (never the last ring: the outcome follows it). */
export function planProgress(rings: number, slots: number): Set<number> {
  const candidates = rings - 1;
  const n = Math.max(0, Math.min(candidates, slots));
  const out = new Set<number>();
  for (let i = 1; i <= n; i++) out.add(Math.round((i * rings) / (n + 1)) || 1);
  return out;
}
