/**
 * The CUCM_* settings for the `rescue-ring` verbs that use the call manager (phones sync, doctor --cucm,
 * status SEP...), and the Slack bot token `phones sync` lists people with. Read like every setting
 * (EnvReader: every problem at once). The config branch's `callManagerPart` (src/config/call-manager.ts)
 * reads the same variables for the bot; when both are in one tree this file gives way to it.
 */
import type { CallManagerOptions } from '../callmanager/types.js';
import type { EnvReader } from './env.js';

const URL_FORM = /^https?:\/\/[^/\s@]+\/?$/;
const FINGERPRINT = /^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/;

/** Undefined when CUCM_URL is unset. */
export function readCallManagerOptions(env: EnvReader): CallManagerOptions | undefined {
  const url = env.string('CUCM_URL');
  if (url === undefined) return undefined;
  if (!URL_FORM.test(url)) env.problem(`CUCM_URL must be the call manager's address with scheme and port only, e.g. https://cucm.example.com:8443; it is "${url.replace(/\/\/[^@/]*@/, '//…@')}"`);
  const username = env.required('CUCM_USERNAME', 'the call manager application user rescue-ring signs in as (see README.md#phones-from-the-call-manager)');
  const password = env.required('CUCM_PASSWORD', 'that application user\'s password');
  const axlVersion = env.string('CUCM_AXL_VERSION') ?? '12.5';
  if (!/^\d{1,2}\.\d$/.test(axlVersion)) env.problem(`CUCM_AXL_VERSION must be like 12.5; it is "${axlVersion}"`);
  const caFile = env.string('CUCM_TLS_CA_FILE');
  const fingerprint = env.string('CUCM_TLS_FINGERPRINT');
  if (fingerprint !== undefined && !FINGERPRINT.test(fingerprint)) env.problem('CUCM_TLS_FINGERPRINT must be a SHA-256 fingerprint: 64 hexadecimal digits, colons allowed');
  const trustOnFirstUse = env.bool('CUCM_TLS_TRUST_ON_FIRST_USE', false);
  if ([caFile !== undefined, fingerprint !== undefined, trustOnFirstUse].filter(Boolean).length > 1) {
    env.problem('Set only one of CUCM_TLS_CA_FILE, CUCM_TLS_FINGERPRINT and CUCM_TLS_TRUST_ON_FIRST_USE');
  }
  const scheme = env.string('CUCM_PHONE_SCHEME') ?? 'http';
  if (scheme !== 'http' && scheme !== 'https') env.problem(`CUCM_PHONE_SCHEME must be http or https; it is "${scheme}"`);
  return {
    url: url.replace(/\/$/, ''),
    username,
    password,
    axlVersion,
    tls: { ...(caFile !== undefined ? { caFile } : {}), ...(fingerprint !== undefined ? { fingerprint } : {}), trustOnFirstUse },
    phonePort: env.int('CUCM_PHONE_PORT', 80, { min: 1, max: 65535 }),
    phoneScheme: scheme === 'https' ? 'https' : 'http',
    addressCacheSeconds: env.int('CUCM_ADDRESS_CACHE_SECONDS', 300, { min: 0, max: 86_400 }),
    risPerMinute: env.int('CUCM_RIS_PER_MINUTE', 10, { min: 1, max: 18 }),
    staleAddressSeconds: env.int('CUCM_STALE_ADDRESS_SECONDS', 86_400, { min: 0, max: 30 * 86_400 }),
  };
}

/** What `phones sync` needs of Slack: the bot token (xoxb-) and, for tests and proxies, SLACK_API_URL. */
export function readSlackBotToken(env: EnvReader): { botToken: string; apiUrl?: string } {
  const botToken = env.required('SLACK_BOT_TOKEN', 'the Bot User OAuth Token (xoxb-...) the bot runs with; phones sync lists the workspace\'s people with it (users:read, users:read.email)');
  if (botToken !== '' && !botToken.startsWith('xoxb-')) env.problem('SLACK_BOT_TOKEN must be a bot token starting with "xoxb-"');
  const apiUrl = env.string('SLACK_API_URL');
  if (apiUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(apiUrl)) env.problem(`SLACK_API_URL must be an http(s) URL such as https://slack.com/api/; it is "${apiUrl}"`);
  return { botToken, ...(apiUrl !== undefined ? { apiUrl } : {}) };
}
