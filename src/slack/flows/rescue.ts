/**
 * A rescue as Slack shows it: start through the use case, post progress within the surface's
 * budget, post the outcome, and DM the rescued colleague afterwards.
 */
import type { webApi } from '@slack/bolt';
import { isAppError } from '../../errors.js';
import { startRescue, type RescueHandle } from '../../rescue/index.js';
import { outcomeMessage, progressMessage, rescuedDm, ringingMessage, type RescueView } from '../blocks/rescue.js';
import { errorMessage } from '../blocks/errors.js';
import type { SlackDeps } from '../context.js';
import type { SlackMessage } from '../blocks/message.js';
import { planProgress, sendOrText, type Surface } from '../surface.js';
import { trySlack } from '../slack-errors.js';
import { ACK_DEADLINE_MS, withinDeadline } from './ack.js';
import { checkTarget } from './target.js';
import { ownPhoneNote } from './find-phones.js';
import { ownPhoneNoteText } from '../blocks/found-phones.js';
import { context } from '../blocks/kit.js';

export interface RescueAsk {
  teamId: string;
  requesterId: string;
  /** Someone else's phone; absent (or the requester) = your own. */
  targetId?: string;
  test?: boolean;
  /** Text for the phone's screen after the first ring (`/rescue "..."`). */
  coverStory?: string;
  /** The Slack request's trigger id, for the rescue's first log line. */
  triggerId?: string;
}

export interface StartedRescue {
  handle: RescueHandle;
  view: RescueView;
  /** "Ringing... [Stop]": show it first (in the ack when possible). */
  first: SlackMessage;
  /** Waits for the outcome, shows it, and DMs a rescued colleague. Never throws. */
  follow(): Promise<void>;
}

/** Runs the use-case checks and starts ringing. Throws the use case's refusals (AppError). */
export async function beginRescue(deps: SlackDeps, client: webApi.WebClient, ask: RescueAsk, surface: Surface): Promise<StartedRescue> {
  // Filled in once the rescue has started; progress callbacks read it.
  const state: { view?: RescueView; plan?: Set<number> } = {};
  // Your own phone, with a call manager: your one desk phone is registered on your first /rescue (never a colleague's).
  const self = ask.targetId === undefined || ask.targetId === ask.requesterId;
  const note = self && !ask.test ? ownPhoneNoteText(await ownPhoneNote(deps, client, ask.teamId, ask.requesterId)) : undefined;
  const handle = await startRescue(deps.rescue, {
    teamId: ask.teamId,
    requesterId: ask.requesterId,
    ...(ask.targetId && ask.targetId !== ask.requesterId ? { targetId: ask.targetId } : {}),
    ...(ask.test ? { test: true } : {}),
    ...(ask.coverStory !== undefined ? { coverStory: ask.coverStory } : {}),
    ...(ask.triggerId !== undefined ? { trace: { triggerId: ask.triggerId } } : {}),
    onProgress: (p) => {
      const view = state.view;
      if (!view || p.ring >= p.of) return; // the outcome covers the last ring
      state.plan ??= planProgress(view.rings, surface.progressSlots());
      if (state.plan.has(p.ring)) void surface.show(progressMessage(view, p.ring), 'progress');
    },
  });
  const v: RescueView = { id: handle.id, targetId: handle.targetId, self: handle.self, rings: handle.rings, ...(ask.test ? { test: true } : {}) };
  state.view = v;
  // The progress and outcome posts are logged with the rescue's id.
  surface.logWith(handle.logger);
  return {
    handle,
    view: v,
    first: note ? withNote(ringingMessage(v), note) : ringingMessage(v),
    follow: async () => {
      const outcome = await handle.done;
      await surface.show(outcomeMessage(v, outcome), 'final');
      if (!v.self && !ask.test && outcome.completed > 0) {
        const log = handle.logger;
        const ctx = { teamId: ask.teamId, targetId: v.targetId };
        const dm = await trySlack(log, 'conversations.open (rescued DM)', () => client.conversations.open({ users: v.targetId }), ctx);
        const channel = dm?.channel?.id;
        const msg = rescuedDm(ask.requesterId, outcome.completed);
        if (channel) await sendOrText(log, 'chat.postMessage (rescued DM)', msg, (m) => client.chat.postMessage({ channel, text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}) }), ctx);
      }
    },
  };
}

/**
 * The whole rescue on a surface, for listeners that acked already (shortcuts, buttons, /rescue @user):
 * checks the colleague on Slack, starts, shows "Ringing... [Stop]", progress and the outcome.
 */
export async function rescueOnSurface(deps: SlackDeps, client: webApi.WebClient, ask: RescueAsk, surface: Surface): Promise<void> {
  const other = ask.targetId !== undefined && ask.targetId !== ask.requesterId;
  let started: StartedRescue;
  try {
    if (other) await checkTarget(client, deps.logger, ask.targetId!);
    started = await beginRescue(deps, client, ask, surface);
  } catch (err) {
    logRefusal(deps, err, ask);
    await surface.show(errorMessage(err, { self: !other }), 'final');
    return;
  }
  await surface.show(started.first, 'progress');
  await started.follow();
}

/**
 * For slash commands on your own phone: start the rescue and put "Ringing... [Stop]" (or the
 * refusal) in the ack itself. If the checks take longer than ACK_DEADLINE_MS (a locked or slow
 * store), ack with a holding message and post the rest on the response_url instead.
 */
export async function rescueWithAck(deps: SlackDeps, client: webApi.WebClient, ask: RescueAsk, surface: Surface, ack: (m: SlackMessage) => Promise<void>): Promise<void> {
  const starting = beginRescue(deps, client, ask, surface);
  starting.catch(() => undefined); // handled below, whichever way the race goes
  let first: StartedRescue | 'late';
  try {
    first = await withinDeadline(starting);
  } catch (err) {
    logRefusal(deps, err, ask);
    await ack(errorMessage(err));
    return;
  }
  if (first !== 'late') {
    deps.tasks.run(ask.test ? 'test ring' : 'rescue', first.follow);
    await ack(first.first);
    return;
  }
  deps.logger.warn({ teamId: ask.teamId, requesterId: ask.requesterId, deadlineMs: ACK_DEADLINE_MS }, 'rescue checks are slow; acked before they finished');
  await ack({ text: ask.test ? 'Test ring: getting ready...' : 'Getting ready to ring your phone...' });
  deps.tasks.run('rescue (late start)', async () => {
    let started: StartedRescue;
    try {
      started = await starting;
    } catch (err) {
      logRefusal(deps, err, ask);
      await surface.show(errorMessage(err), 'final');
      return;
    }
    await surface.show(started.first, 'progress');
    await started.follow();
  });
}

export function logRefusal(deps: SlackDeps, err: unknown, ask: RescueAsk): void {
  const who = { teamId: ask.teamId, requesterId: ask.requesterId, targetId: ask.targetId };
  if (!isAppError(err)) deps.logger.error({ err, ...who }, 'rescue failed to start');
  // The store failing is the operator's problem, not a refusal: log its message (never secret) loudly.
  else if (err.code.startsWith('Store') || err.code === 'Unexpected') deps.logger.error({ ...who, code: err.code, message: err.message }, 'rescue could not start');
  else deps.logger.info({ ...who, code: err.code }, 'rescue refused');
}

function withNote(m: SlackMessage, note: string): SlackMessage {
  return { text: `${m.text}\n${note}`, ...(m.blocks ? { blocks: [...m.blocks, context(note)] } : {}) };
}
