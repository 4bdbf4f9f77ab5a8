/**
 * The Slack side of the configuration. Every problem is recorded on the EnvReader so start-up
 * reports all of them at once, each saying where to get the value.
 */
import type { EnvReader } from './env.js';

export const README_SLACK_SETUP = 'README.md#create-the-slack-app';

export type SlackMode = 'socket' | 'http';

export interface SlackConfig {
  mode: SlackMode;
  botToken: string;
  /** Socket Mode only (xapp-...). */
  appToken?: string;
  /** HTTP mode only. */
  signingSecret?: string;
  /** HTTP mode: port of /slack/events, /healthz and /readyz. */
  port: number;
  /** Socket Mode: port of the small /healthz + /readyz listener (0 = none). */
  healthPort: number;
  /** Bind address of the HTTP listener(s). */
  host: string;
  /** Web API base URL override (enterprise proxy, tests). */
  apiUrl?: string;
}

export function readSlackConfig(env: EnvReader): SlackConfig {
  const socket = env.bool('SLACK_SOCKET_MODE', true);
  const botToken = env.required(
    'SLACK_BOT_TOKEN',
    `the Bot User OAuth Token (xoxb-...) from your app's "OAuth & Permissions" page on api.slack.com/apps after installing it; see ${README_SLACK_SETUP}`,
  );
  if (botToken !== '' && !botToken.startsWith('xoxb-')) env.problem('SLACK_BOT_TOKEN must be a bot token starting with "xoxb-" (OAuth & Permissions > Bot User OAuth Token)');

  let appToken: string | undefined;
  let signingSecret: string | undefined;
  if (socket) {
    appToken = env.required(
      'SLACK_APP_TOKEN',
      `an app-level token (xapp-...) with the connections:write scope, from "Basic Information > App-Level Tokens" on api.slack.com/apps (Socket Mode); see ${README_SLACK_SETUP}`,
    );
    if (appToken !== '' && !appToken.startsWith('xapp-')) env.problem('SLACK_APP_TOKEN must be an app-level token starting with "xapp-" (Basic Information > App-Level Tokens)');
  } else {
    signingSecret = env.required(
      'SLACK_SIGNING_SECRET',
      `the Signing Secret from "Basic Information > App Credentials" on api.slack.com/apps (needed because SLACK_SOCKET_MODE=false); see ${README_SLACK_SETUP}`,
    );
  }

  const apiUrl = env.string('SLACK_API_URL');
  if (apiUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(apiUrl)) env.problem(`SLACK_API_URL must be an http(s) URL such as https://slack.com/api/; it is "${apiUrl}"`);

  return {
    mode: socket ? 'socket' : 'http',
    botToken,
    appToken: appToken || undefined,
    signingSecret: signingSecret || undefined,
    port: env.int('PORT', 3000, { min: 0, max: 65535 }),
    healthPort: env.int('HEALTH_PORT', 3001, { min: 0, max: 65535 }),
    host: env.string('HOST') ?? '0.0.0.0',
    apiUrl,
  };
}
