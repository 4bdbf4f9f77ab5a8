/**
 * What can go wrong on the Slack side of a request, in office words. Phone and use-case errors
 * come from src/phone and src/rescue; these cover the text people type and the people they name.
 */
import { AppError } from '../errors.js';
import { isRefusedPayload } from './slack-errors.js';

export const RESCUE_USAGE =
  '*How to use /rescue*\n' +
  '• `/rescue` rings your own desk phone, so you have a reason to leave.\n' +
  '• `/rescue @colleague` rings a colleague\'s phone (if they allow it) to rescue them.\n' +
  '• `/rescue in 10m`, `/rescue at 14:30`, `/rescue @colleague in 5m` ring later (your time zone, up to 24 hours ahead).\n' +
  '• `/rescue "Facilities: your car is blocking the gate"` also puts that text on the phone\'s screen (with a mention or a time too).\n' +
  '• `/rescue list` shows the rescues waiting to ring; `/rescue cancel` cancels yours.\n' +
  '• `/rescue stop` stops a ring in progress.\n' +
  '• `/rescue help` shows this message.\n' +
  'Set up your phone with `/phone`; see your phone\'s screen with `/phone-screenshot`.';

/** `/rescue` text we cannot make sense of. */
export class RescueTextNotUnderstood extends AppError {
  readonly code = 'RescueTextNotUnderstood';
  constructor() {
    super('rescue text not understood', `I did not understand that.\n${RESCUE_USAGE}`);
  }
}

/** An opening double quote without its closing one. */
export class CoverStoryNotClosed extends AppError {
  readonly code = 'CoverStoryNotClosed';
  constructor() {
    super('cover story quote not closed', 'Put the cover story between two double quotes, like `/rescue "Facilities: your car is blocking the gate"`.');
  }
}

/** A bare `@alice` or a name instead of a real mention. */
export class NotAMention extends AppError {
  readonly code = 'NotAMention';
  constructor(readonly typed: string) {
    super(
      'rescue target was not a mention',
      `I cannot tell who "${typed}" is. Type @ and pick the person from the list Slack shows, so their name turns into a mention (highlighted), then send: \`/rescue @name\`.`,
    );
  }
}

export class TooManyPeople extends AppError {
  readonly code = 'TooManyPeople';
  constructor(readonly count: number) {
    super(`rescue named ${count} people`, `You mentioned ${count} people. /rescue rings one phone at a time: send \`/rescue @name\` once per person.`);
  }
}

export class TargetIsBot extends AppError {
  readonly code = 'TargetIsBot';
  constructor(readonly userId: string) {
    super(`rescue target ${userId} is a bot`, `<@${userId}> is an app, not a person, so there is no desk phone to ring.`);
  }
}

export class TargetDeactivated extends AppError {
  readonly code = 'TargetDeactivated';
  constructor(readonly userId: string) {
    super(`rescue target ${userId} is deactivated`, `<@${userId}>'s Slack account is deactivated, so rescue-ring will not ring their phone.`);
  }
}

export class TargetNotFound extends AppError {
  readonly code = 'TargetNotFound';
  constructor(readonly userId: string) {
    super(`rescue target ${userId} not found`, 'I cannot find that person in this workspace. Mention someone from the list Slack shows when you type @.');
  }
}

/** A message shortcut on a message that has no human author (a bot or a workflow). */
export class NoHumanAuthor extends AppError {
  readonly code = 'NoHumanAuthor';
  constructor() {
    super('message has no human author', 'This message was posted by an app or a workflow, not a person, so there is no desk phone to ring.');
  }
}

/** Slack itself failed us (rate limit, outage) on a step the user is waiting for. */
export class SlackUnavailable extends AppError {
  readonly code = 'SlackUnavailable';
  constructor(readonly step: string, readonly slackError: string) {
    super(
      `Slack call ${step} failed: ${slackError}`,
      slackError === 'expired_trigger_id' || slackError === 'timeout'
        ? 'Slack took too long to open the window. Please try again.'
        : isRefusedPayload(slackError)
          ? `Slack refused the window rescue-ring tried to open (${slackError}): that is a fault in rescue-ring, not in what you did, and trying again will not help. Please tell your IT team; rescue-ring's log names the field Slack refused. Meanwhile an admin can register your phone with \`rescue-ring phones add\`.`
          : 'Slack did not accept a request from rescue-ring just now. Try again in a minute; if it keeps happening, tell your IT team.',
    );
  }
}

/** The screenshot was taken but could not be delivered to the DM. */
export class ScreenshotNotDelivered extends AppError {
  readonly code = 'ScreenshotNotDelivered';
  constructor(readonly slackError: string) {
    super(
      `screenshot upload failed: ${slackError}`,
      'I took the screenshot but Slack did not accept the upload to your direct messages. Try again in a minute; if it keeps happening, ask IT to check that rescue-ring has the files:write and im:write permissions.',
    );
  }
}

/** Start-up: Slack refused the bot token, or could not be reached to check it. */
export class SlackTokenRefused extends AppError {
  readonly code = 'SlackTokenRefused';
  constructor(readonly slackError: string) {
    super(
      `Slack refused the bot token at start-up: ${slackError}`,
      ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired'].includes(slackError)
        ? 'SLACK_BOT_TOKEN is not valid for this workspace (was the app reinstalled, or the token copied incompletely?). Copy the Bot User OAuth Token (xoxb-...) again from "OAuth & Permissions" on api.slack.com/apps; see README.md#create-the-slack-app.'
        : 'rescue-ring could not reach Slack to check SLACK_BOT_TOKEN. Check this server can reach slack.com (or SLACK_API_URL, if set) through your proxy and firewall, then start again.',
    );
  }
}
