/**
 * The Slack side of the configuration: which connection mode, the tokens it needs (each missing one
 * says where to get it), and where the bot listens.
 */
import { part } from './read.js';

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
  /** Port of the small /healthz, /readyz and /metrics listener, in both modes (0 = none). */
  healthPort: number;
  /** Prometheus metrics at /metrics (absent: none). */
  metrics?: MetricsEndpoint;
  /** Bind address of the HTTP listener(s). */
  host: string;
  /** Web API base URL override (enterprise proxy, tests). */
  apiUrl?: string;
}

export interface MetricsEndpoint {
  /** When set, /metrics wants "Authorization: Bearer <token>". Secret. */
  token?: string;
  /** HTTP mode: also on PORT (the port Slack reaches). */
  onSlackPort: boolean;
}

const WHERE = {
  SLACK_BOT_TOKEN: `the Bot User OAuth Token (xoxb-...) from your app's "OAuth & Permissions" page on api.slack.com/apps after installing it; see ${README_SLACK_SETUP}`,
  SLACK_APP_TOKEN: `an app-level token (xapp-...) with the connections:write scope, from "Basic Information > App-Level Tokens" on api.slack.com/apps (Socket Mode); see ${README_SLACK_SETUP}`,
  SLACK_SIGNING_SECRET: `the Signing Secret from "Basic Information > App Credentials" on api.slack.com/apps (needed because SLACK_SOCKET_MODE=false); see ${README_SLACK_SETUP}`,
} as const;

export const slackPart = part(
  ['SLACK_SOCKET_MODE', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_API_URL', 'PORT', 'HEALTH_PORT', 'HOST', 'METRICS_ENABLED', 'METRICS_TOKEN', 'METRICS_ON_SLACK_PORT'],
  ({ values: v, given, problem }): SlackConfig => {
    const socket = v.SLACK_SOCKET_MODE;
    const required = (name: keyof typeof WHERE): void => {
      if (!given(name)) problem(`${name} is missing: ${WHERE[name]}`);
    };
    required('SLACK_BOT_TOKEN');
    required(socket ? 'SLACK_APP_TOKEN' : 'SLACK_SIGNING_SECRET');
    return {
      mode: socket ? 'socket' : 'http',
      botToken: v.SLACK_BOT_TOKEN ?? '',
      appToken: socket ? v.SLACK_APP_TOKEN : undefined,
      signingSecret: socket ? undefined : v.SLACK_SIGNING_SECRET,
      port: v.PORT,
      healthPort: v.HEALTH_PORT,
      host: v.HOST,
      apiUrl: v.SLACK_API_URL,
      ...(v.METRICS_ENABLED ? { metrics: { ...(v.METRICS_TOKEN !== undefined ? { token: v.METRICS_TOKEN } : {}), onSlackPort: v.METRICS_ON_SLACK_PORT } } : {}),
    };
  },
);
