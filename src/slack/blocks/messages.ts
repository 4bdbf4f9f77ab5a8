/** The smaller replies: help, screenshot, forget, registration link, status. */
import type { Diagnosis } from '../../phone/types.js';
import { RESCUE_USAGE } from '../errors.js';
import { ACTIONS } from '../ids.js';
import type { SlackMessage } from './message.js';
import { actions, button, context, esc, section, type Block, type Button } from './kit.js';

/** "Forget my phone", with a confirm dialog (in /phone forget's reply and on App Home). */
export function forgetButton(): Button {
  return button('Forget my phone', ACTIONS.forget, {
    style: 'danger',
    confirm: {
      title: { type: 'plain_text', text: 'Forget your phone?' },
      text: { type: 'mrkdwn', text: 'Your phone address and credentials will be deleted.' },
      confirm: { type: 'plain_text', text: 'Forget it' },
      deny: { type: 'plain_text', text: 'Keep it' },
      style: 'danger',
    },
  });
}

export function helpMessage(): SlackMessage {
  const phone =
    '*Your phone*\n• `/phone` opens your settings (address, ringtone, who may ring you).\n• `/phone test` rings once.\n' +
    '• `/phone status` checks the connection step by step.\n• `/phone forget` deletes your registration.';
  return { text: `${RESCUE_USAGE}\n\n${phone}`, blocks: [section(RESCUE_USAGE), section(phone)] };
}

export function phoneUsageMessage(typed: string): SlackMessage {
  const text = `I do not know "/phone ${esc(typed.slice(0, 40))}". Use \`/phone\`, \`/phone test\`, \`/phone status\` or \`/phone forget\`.`;
  return { text };
}

export function workingMessage(text: string): SlackMessage {
  return { text, blocks: [section(`:hourglass_flowing_sand: ${text}`)] };
}

export function screenshotSentMessage(): SlackMessage {
  const text = 'Sent to your DMs: look for the screenshot in your direct messages with rescue-ring.';
  return { text, blocks: [section(`:camera: ${text}`)] };
}

export function forgetConfirmMessage(): SlackMessage {
  const text = 'Delete your phone registration? rescue-ring will forget your phone address and credentials, and nobody (you included) can ring your phone until you register again.';
  return {
    text,
    blocks: [
      section(text),
      actions(
        'forget_actions',
        forgetButton(),
      ),
    ],
  };
}

export function forgottenMessage(removed: boolean): SlackMessage {
  const text = removed ? 'Done: your phone registration is deleted. Run /phone whenever you want to register again.' : 'You had no phone registered, so there was nothing to delete.';
  return { text };
}

export function registrationInviteDm(requesterId: string): SlackMessage {
  const text = `<@${requesterId}> tried to rescue you with rescue-ring, but you have not registered your desk phone yet. Register it so colleagues can ring it to get you out of a long meeting (you choose who may).`;
  return { text, blocks: [section(`:wave: ${text}`), actions('invite_actions', button('Register your phone', ACTIONS.openSettings, { style: 'primary' }))] };
}

export function registrationLinkSentMessage(targetId: string): SlackMessage {
  return { text: `I sent <@${targetId}> a message with a button to register their phone.` };
}

export function statusMessage(d: Diagnosis): SlackMessage {
  const s = d.status;
  const facts = [
    s?.model ? `*Model:* ${esc(s.model)}` : undefined,
    s?.firmware ? `*Firmware:* ${esc(s.firmware)}` : undefined,
    s?.directoryNumber ? `*Number:* ${esc(s.directoryNumber)}` : undefined,
    s?.inCall !== undefined ? `*On a call:* ${s.inCall ? 'yes' : 'no'}` : undefined,
  ].filter((x): x is string => x !== undefined);
  const steps = d.steps.map((st) => `${st.ok ? ':white_check_mark:' : ':x:'} *${st.name}*: ${esc(st.detail)}${!st.ok && st.next ? `\n      _${esc(st.next)}_` : ''}`);
  const head = d.ok ? 'Your phone is reachable and accepts rescue-ring.' : 'Your phone has a problem: see the failed check below.';
  const text = [head, ...facts, ...steps].join('\n');
  const blocks: Block[] = [section(`${d.ok ? ':white_check_mark:' : ':warning:'} ${head}`)];
  if (facts.length > 0) blocks.push(section(facts.join('\n')));
  blocks.push(section(steps.join('\n') || 'No checks ran.'));
  if (!d.ok) blocks.push(context('Fix the settings with /phone, or show this to your IT team.'));
  return { text, blocks };
}
