/**
 * The tests' name for the one Slack stand-in (src/demo/slack-standin.ts), which the demo ships:
 * it validates everything the app sends as Slack does and records every call.
 */
export { SlackStandin as FakeSlack, actionsIn, messageText, type Fault, type RecordedCall, type SlackUser as FakeUser, type UploadedFile } from '../../src/demo/slack-standin.js';
