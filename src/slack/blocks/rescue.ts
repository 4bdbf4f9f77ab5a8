/** The messages of a rescue: ringing (with Stop), progress, outcome, and the DM to the rescued. */
import type { CoverStoryOutcome } from '../../phone/types.js';
import type { RescueOutcome } from '../../rescue/index.js';
import { ACTIONS } from '../ids.js';
import type { SlackMessage } from './message.js';
import { errorMessage } from './errors.js';
import { actions, button, context, section } from './kit.js';

export interface RescueView {
  id: string;
  targetId: string;
  self: boolean;
  rings: number;
  test?: boolean;
}

const whose = (r: RescueView) => (r.self ? 'your phone' : `<@${r.targetId}>'s phone`);
const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

function stop(r: RescueView) {
  return actions('rescue_actions', button('Stop', ACTIONS.stopRescue, { value: r.id, style: 'danger' }));
}

export function checkingMessage(targetId: string): SlackMessage {
  const text = `Checking whether I can ring <@${targetId}>'s phone...`;
  return { text, blocks: [section(`:hourglass_flowing_sand: ${text}`)] };
}

export function ringingMessage(r: RescueView): SlackMessage {
  const what = r.test ? `Test ring: ringing ${whose(r)} once...` : `Ringing ${whose(r)}... (${r.rings} ${r.rings === 1 ? 'ring' : 'rings'})`;
  return { text: what, blocks: [section(`:telephone_receiver: ${what}`), stop(r)] };
}

export function progressMessage(r: RescueView, ring: number): SlackMessage {
  const text = `Ringing ${whose(r)}: ring ${ring} of ${r.rings}...`;
  return { text, blocks: [section(`:telephone_receiver: ${text}`), stop(r)] };
}

export function outcomeMessage(r: RescueView, outcome: RescueOutcome): SlackMessage {
  if (!outcome.ok) {
    if (outcome.error.code === 'PhoneInCall') {
      const text = `${r.self ? 'You are' : `<@${r.targetId}> is`} on a call, so I did not ring ${r.self ? 'your' : 'their'} phone: the ringtone would play over the call. Try again when the call is over.`;
      return { text, blocks: [section(`:telephone_receiver: ${text}`)] };
    }
    const prefix = outcome.completed > 0 ? `${capital(whose(r))} rang ${times(outcome.completed)} of ${outcome.requested}, then it failed:` : `I could not ring ${whose(r)}.`;
    return errorMessage(outcome.error, { prefix, self: r.self });
  }
  let text: string;
  if (outcome.interruptedByCall) {
    text = `${capital(whose(r))} rang ${times(outcome.completed)}, then ${r.self ? 'you' : `<@${r.targetId}>`} took a call, so I stopped ringing.`;
  } else if (outcome.stopped) text = `Stopped. ${capital(whose(r))} rang ${times(outcome.completed)} of ${outcome.requested}.`;
  else if (r.test) text = `Test ring done: ${whose(r)} rang. If you did not hear it, check the ringer volume and your ringtone in /phone.`;
  else if (r.self) text = `Your phone rang ${times(outcome.completed)}. Good luck getting away!`;
  else text = `<@${r.targetId}>'s phone rang ${times(outcome.completed)}. I have told them you came to the rescue.`;
  const icon = outcome.stopped ? ':octagonal_sign:' : ':white_check_mark:';
  const notes = [coverStoryNote(r, outcome.coverStory), outcome.callCheck === 'unsupported' ? `${capital(whose(r))} cannot tell rescue-ring whether it is in a call, so it rang without checking.` : undefined].filter(
    (n): n is string => n !== undefined,
  );
  if (notes.length > 0) text = `${text}\n${notes.join('\n')}`;
  return { text, blocks: [section(`${icon} ${text}`)] };
}

/** What became of the cover story, when one was sent; undefined when none was asked for. */
function coverStoryNote(r: RescueView, outcome: CoverStoryOutcome | undefined): string | undefined {
  switch (outcome) {
    case 'shown':
      return 'The cover story is on the phone’s screen.';
    case 'rejected':
      return `${capital(whose(r))} does not show text messages (its model refuses them), so the cover story was not shown; the phone rang anyway.`;
    case 'failed':
      return 'The cover story could not be put on the phone’s screen; the phone rang anyway.';
    case 'not-sent':
      return 'The cover story was not sent: the phone did not ring.';
    default:
      return undefined;
  }
}

export function rescuedDm(requesterId: string, rings: number): SlackMessage {
  const text = `<@${requesterId}> rescued you: your desk phone rang ${times(rings)} so you have a reason to step away.`;
  return { text, blocks: [section(`:lifebuoy: ${text}`), context('Manage who may ring your phone with /phone.')] };
}

export function stoppedMessage(count: number): SlackMessage {
  const text = count === 0 ? 'Nothing to stop: no phone is ringing for you.' : `Stopping ${count === 1 ? 'the ring' : `${count} rings`} in progress.`;
  return { text };
}

export function alreadyFinishedMessage(): SlackMessage {
  return { text: 'That ring has already finished (or is not yours to stop).' };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
