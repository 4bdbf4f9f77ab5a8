/**
 * The messages of scheduled rescues: the confirmation (exact time + Cancel), the list, cancellations,
 * and the DMs sent when one fires, is refused at firing time, or was missed.
 * Times use Slack's date formatting, shown in each reader's own time zone, with a fallback text
 * in the requester's zone for clients that cannot render it.
 */
import type { ScheduledRescue } from '../../store/state-types.js';
import { formatExact, formatFromNow } from '../../rescue/when.js';
import { ACTIONS } from '../ids.js';
import type { SlackMessage } from './message.js';
import { actions, button, context, esc, section, type Block } from './kit.js';

/** `<!date^UNIX^{date_short_pretty} at {time}|Sat 28 Nov, 14:30 (Europe/London)>`. */
export function slackTime(at: Date, timeZone: string): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${formatExact(at, timeZone)}>`;
}

const whose = (e: ScheduledRescue, viewerId: string) => (e.targetId === viewerId ? 'your phone' : `<@${e.targetId}>'s phone`);

function cancelButton(e: ScheduledRescue) {
  return button('Cancel', ACTIONS.cancelScheduled, { value: e.id, style: 'danger' });
}

function storyLine(e: ScheduledRescue): string {
  return e.coverStory !== undefined ? ` with the cover story “${esc(e.coverStory.length > 80 ? `${e.coverStory.slice(0, 77)}...` : e.coverStory)}”` : '';
}

export function schedulingMessage(): SlackMessage {
  const text = 'Scheduling your rescue...';
  return { text, blocks: [section(`:hourglass_flowing_sand: ${text}`)] };
}

export function scheduledMessage(e: ScheduledRescue, timeZone: string, now: Date): SlackMessage {
  const text = `I will ring ${whose(e, e.requesterId)} ${slackTime(e.dueAt, timeZone)} (${formatFromNow(e.dueAt, now)})${storyLine(e)}.`;
  return {
    text,
    blocks: [section(`:alarm_clock: ${text}`), actions('scheduled_actions', cancelButton(e)), context('See what is waiting with `/rescue list`; cancel all of yours with `/rescue cancel`.')],
  };
}

export function scheduledListMessage(list: { mine: ScheduledRescue[]; forMe: ScheduledRescue[] }, userId: string, timeZone: string): SlackMessage {
  if (list.mine.length === 0 && list.forMe.length === 0) {
    return { text: 'No rescues are waiting to ring: none scheduled by you, and none for your phone. Schedule one with `/rescue in 10m` or `/rescue at 14:30`.' };
  }
  const blocks: Block[] = [];
  const lines: string[] = [];
  const add = (heading: string, entries: ScheduledRescue[], line: (e: ScheduledRescue) => string) => {
    if (entries.length === 0) return;
    blocks.push(section(`*${heading}*`));
    lines.push(heading);
    for (const e of entries.slice(0, 20)) {
      const l = line(e);
      lines.push(`• ${l}`);
      blocks.push(section(l, cancelButton(e)));
    }
    if (entries.length > 20) blocks.push(context(`...and ${entries.length - 20} more.`));
  };
  add('Scheduled by you', list.mine, (e) => `${slackTime(e.dueAt, timeZone)}: ${whose(e, userId)}${storyLine(e)}`);
  add('For your phone', list.forMe, (e) => `${slackTime(e.dueAt, timeZone)}: <@${e.requesterId}> will ring your phone`);
  if (list.forMe.length > 0) blocks.push(context('Not a good moment? Cancel it, or choose who may ring your phone with /phone.'));
  return { text: lines.join('\n'), blocks };
}

export function cancelledMessage(cancelled: ScheduledRescue[], userId: string, timeZone: string): SlackMessage {
  if (cancelled.length === 0) return { text: 'Nothing to cancel: you have no scheduled rescues waiting. (`/rescue stop` stops a ring in progress.)' };
  if (cancelled.length === 1) {
    const e = cancelled[0]!;
    return { text: `Cancelled: ${whose(e, userId)} will not ring ${slackTime(e.dueAt, timeZone)}.` };
  }
  return { text: `Cancelled your ${cancelled.length} scheduled rescues.` };
}

export function cancelNotFoundMessage(): SlackMessage {
  return { text: 'That scheduled rescue is no longer waiting: it already rang, was missed, or was cancelled. See what is waiting with `/rescue list`.' };
}

/** DM to the requester when a scheduled rescue could not ring at its time. */
export function scheduledRefusedDm(e: ScheduledRescue, hint: string, timeZone: string): SlackMessage {
  const text = `Your scheduled rescue of ${whose(e, e.requesterId)} (${slackTime(e.dueAt, timeZone)}) did not ring.\n${hint}`;
  return { text, blocks: [section(`:warning: ${text}`)] };
}

/** DM to the requester when a scheduled rescue was due while rescue-ring was not running. */
export function scheduledMissedDm(e: ScheduledRescue, timeZone: string): SlackMessage {
  const text = `Your scheduled rescue of ${whose(e, e.requesterId)} was due ${slackTime(e.dueAt, timeZone)}, but rescue-ring was not running then, so it was missed and nothing rang. Send /rescue to ring now, or schedule it again.`;
  return { text, blocks: [section(`:zzz: ${text}`)] };
}

/**
 * DM to the requester when the rescue-ring process that was firing a scheduled rescue stopped (a
 * crash, a killed replica) before it was done: whether the phone rang cannot be known, and it is not
 * rung a second time. `late`: too late by now to ring it at all.
 */
export function scheduledInterruptedDm(e: ScheduledRescue, timeZone: string, late: boolean): SlackMessage {
  const again = e.targetId === e.requesterId ? '/rescue' : `/rescue <@${e.targetId}>`;
  const next = late ? `It is too late to ring it now; send ${again} if you still need it.` : `If it did not ring, send ${again} to ring now.`;
  const text = `Your scheduled rescue of ${whose(e, e.requesterId)} (${slackTime(e.dueAt, timeZone)}) was interrupted: rescue-ring stopped while firing it, so I cannot tell whether the phone rang, and I will not ring it twice. ${next}`;
  return { text, blocks: [section(`:warning: ${text}`)] };
}
