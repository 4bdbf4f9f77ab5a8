/**
 * Answering within Slack's 3 s: slash commands and view submissions must be acked before Slack shows
 * "operation_timeout". Work that usually takes milliseconds (store lookups) but can be slow (a
 * Postgres server under load, a lock) is raced against a deadline; when it is late, the listener acks
 * with a holding message and delivers the answer afterwards.
 */
import { workingMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../context.js';
import type { SlackMessage } from '../blocks/message.js';
import type { Surface } from '../surface.js';

/** The use-case checks before an ack must fit well inside Slack's 3 s. */
export const ACK_DEADLINE_MS = 1_500;

/** `work`'s result when it settles within `ms`, else 'late' (the work goes on; the caller still owns its outcome). */
export async function withinDeadline<T>(work: Promise<T>, ms: number = ACK_DEADLINE_MS): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Acks with `message` when it is ready within the deadline; otherwise acks "One moment..." and shows
 * the message on `surface` (the response_url) once it is ready. `message` must never reject.
 */
export async function ackInTime(deps: SlackDeps, what: string, message: Promise<SlackMessage>, ack: (m: SlackMessage) => Promise<void>, surface: Surface): Promise<void> {
  const first = await withinDeadline(message);
  if (first !== 'late') {
    await ack(first);
    return;
  }
  deps.logger.warn({ what, deadlineMs: ACK_DEADLINE_MS }, 'the store is slow; acked before the answer was ready');
  await ack(workingMessage('One moment...'));
  deps.tasks.run(what, async () => void (await surface.show(await message, 'final')));
}
