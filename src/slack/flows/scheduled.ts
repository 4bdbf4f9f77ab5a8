/**
 * Scheduled rescues as Slack shows them: scheduling (`/rescue in 10m`, `/rescue @alice at 14:30`),
 * `/rescue list`, `/rescue cancel`, the Cancel button, and the DMs sent when one fires (the scheduler
 * calls the reporter built by `slackScheduleReporter`).
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { isAppError } from '../../errors.js';
import { now, type RescueDeps } from '../../rescue/deps.js';
import { cancelScheduled, listScheduled, scheduleRescue } from '../../rescue/schedule.js';
import type { ScheduleReporter } from '../../rescue/scheduler.js';
import { safeTimeZone, type WhenSpec } from '../../rescue/when.js';
import { errorMessage, personHint } from '../blocks/errors.js';
import { outcomeMessage, rescuedDm, type RescueView } from '../blocks/rescue.js';
import { cancelledMessage, scheduledListMessage, scheduledMessage, scheduledInterruptedDm, scheduledMissedDm, scheduledRefusedDm } from '../blocks/scheduled.js';
import type { SlackDeps } from '../context.js';
import type { SlackMessage } from '../blocks/message.js';
import { DmSurface, type Surface } from '../surface.js';
import { logRefusal } from './rescue.js';
import { checkTarget } from './target.js';

export interface ScheduleAsk {
  teamId: string;
  requesterId: string;
  /** Someone else's phone; absent (or the requester) = your own. */
  targetId?: string;
  when: WhenSpec;
  coverStory?: string;
}

/** The person's IANA time zone from users.info (`tz`); UTC when Slack cannot say. */
export async function userTimeZone(client: webApi.WebClient, logger: Logger, userId: string): Promise<string> {
  try {
    const res = await client.users.info({ user: userId });
    return safeTimeZone((res.user as { tz?: string } | undefined)?.tz);
  } catch (err) {
    logger.warn({ userId, err: isAppError(err) ? err.code : String(err) }, 'slack: users.info failed; reading times in UTC');
    return 'UTC';
  }
}

/** Checks the colleague (if any), reads the requester's time zone, schedules, shows the time and a Cancel button. */
export async function scheduleOnSurface(deps: SlackDeps, client: webApi.WebClient, ask: ScheduleAsk, surface: Surface): Promise<void> {
  const other = ask.targetId !== undefined && ask.targetId !== ask.requesterId;
  try {
    if (other) await checkTarget(client, deps.logger, ask.targetId!);
    const timeZone = await userTimeZone(client, deps.logger, ask.requesterId);
    const { entry } = await scheduleRescue(deps.rescue, {
      teamId: ask.teamId,
      requesterId: ask.requesterId,
      ...(other ? { targetId: ask.targetId } : {}),
      when: ask.when,
      timeZone,
      ...(ask.coverStory !== undefined ? { coverStory: ask.coverStory } : {}),
      replyTo: ask.requesterId,
    });
    await surface.show(scheduledMessage(entry, timeZone, now(deps.rescue)), 'final');
  } catch (err) {
    logRefusal(deps, err, ask);
    await surface.show(errorMessage(err, { self: !other }), 'final');
  }
}

/**
 * `/rescue list`, answered in the ack: no Slack call before it (the 3 s budget), so the fallback
 * text of each time is in UTC; Slack clients render the time itself in the reader's own zone.
 */
export async function listMessageFor(deps: SlackDeps, teamId: string, userId: string): Promise<SlackMessage> {
  try {
    return scheduledListMessage(await listScheduled(deps.rescue, teamId, userId), userId, 'UTC');
  } catch (err) {
    return errorMessage(err);
  }
}

/** `/rescue cancel` (all yours) or the Cancel button (one, yours or planned for your phone). No Slack call: see listMessageFor. */
export async function cancelMessageFor(deps: SlackDeps, teamId: string, userId: string, id?: string): Promise<{ message: SlackMessage; count: number }> {
  try {
    const cancelled = await cancelScheduled(deps.rescue, teamId, userId, id);
    return { message: cancelledMessage(cancelled, userId, 'UTC'), count: cancelled.length };
  } catch (err) {
    return { message: errorMessage(err), count: 0 };
  }
}

/**
 * Tells the requester, in a DM, how each scheduled rescue went (and the rescued colleague, as for
 * an immediate rescue). Failures to post are logged, never thrown.
 */
export function slackScheduleReporter(client: webApi.WebClient, deps: { rescue: RescueDeps; logger: Logger }): ScheduleReporter {
  const dm = (userId: string, msg: SlackMessage) => new DmSurface(client, userId, deps.logger).show(msg, 'final');
  const tz = (userId: string) => userTimeZone(client, deps.logger, userId);
  return {
    async finished(entry, handle, outcome) {
      const view: RescueView = { id: handle.id, targetId: handle.targetId, self: handle.self, rings: handle.rings };
      const msg = outcomeMessage(view, outcome);
      const text = `Your scheduled rescue: ${msg.text}`;
      await dm(entry.requesterId, { text, blocks: [...(msg.blocks ?? [])].map((b, i) => (i === 0 && b.type === 'section' && b.text ? { ...b, text: { ...b.text, text: `*Scheduled rescue.* ${b.text.text}` } } : b)) });
      if (!handle.self && outcome.completed > 0) await dm(entry.targetId, rescuedDm(entry.requesterId, outcome.completed));
    },
    async refused(entry, error) {
      await dm(entry.requesterId, scheduledRefusedDm(entry, personHint(error, { self: entry.targetId === entry.requesterId }), await tz(entry.requesterId)));
    },
    async missed(entry) {
      await dm(entry.requesterId, scheduledMissedDm(entry, await tz(entry.requesterId)));
    },
    async interrupted(entry, late) {
      await dm(entry.requesterId, scheduledInterruptedDm(entry, await tz(entry.requesterId), late));
    },
  };
}
