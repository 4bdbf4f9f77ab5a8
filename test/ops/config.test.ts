/**
 * The start-up check made from the table of settings: every bad value reported at once, each naming
 * its variable and what it should be, secrets never repeated; each part checked on its own; the
 * optional call manager.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, readConfig, type Env } from '../../src/config/index.js';
import { SETTINGS, SETTING_NAMES } from '../../src/config/settings.js';
import { REDACT_PATHS, SECRET_FIELDS } from '../../src/log.js';

const SLACK = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' };

function problems(env: Env, parts?: Parameters<typeof readConfig>[0] & unknown[]): readonly string[] {
  try {
    if (parts) readConfig(parts, env);
    else readConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the start-up check', () => {
  it('reports every bad value at once, each with its variable and what it should be', () => {
    const found = problems({
      SLACK_BOT_TOKEN: 'oops-secret-1',
      SLACK_SOCKET_MODE: 'maybe',
      SLACK_APP_TOKEN: 'nope-secret-2',
      SLACK_API_URL: 'ftp://x',
      PORT: 'eighty',
      HEALTH_PORT: '70000',
      PHONE_ALLOWED_NETWORKS: '10.0.0.0/8,banana',
      PHONE_DEFAULT_RINGS: '11',
      PHONE_DEFAULT_TONE: 'Piano2.raw',
      RESCUE_TARGET_PER_HOUR: '0',
      SHUTDOWN_GRACE_SECONDS: '601',
      PHONE_RESPONSE_TIMEOUT_SECONDS: '0',
      LOG_LEVEL: 'verbose',
      DATABASE_URL: 'mysql://u:PW-9931@db/rr',
    });
    expect(found).toEqual([
      'SLACK_BOT_TOKEN must be a bot token starting with "xoxb-" (OAuth & Permissions > Bot User OAuth Token)',
      'SLACK_SOCKET_MODE must be true or false; it is "maybe"',
      'SLACK_APP_TOKEN must be an app-level token starting with "xapp-" (Basic Information > App-Level Tokens)',
      'SLACK_API_URL must be an http(s) URL such as https://slack.com/api/; it is "ftp://x"',
      expect.stringMatching(/^PHONE_ALLOWED_NETWORKS is not usable: "banana" is not a network in CIDR form .*PHONE_ALLOWED_NETWORKS must be a comma-separated list/),
      'PHONE_DEFAULT_RINGS must be a whole number between 1 and 10; it is "11"',
      'PHONE_RESPONSE_TIMEOUT_SECONDS must be a whole number between 1 and 300; it is "0"',
      'DATABASE_URL must be a Postgres URL such as postgres://USER:PASSWORD@HOST:5432/DATABASE (or unset it to use SQLite in DATA_DIR)',
      'RESCUE_TARGET_PER_HOUR must be a whole number; it is "0"',
      'PORT must be a whole number between 0 and 65535; it is "eighty"',
      'HEALTH_PORT must be a whole number between 0 and 65535; it is "70000"',
      'SHUTDOWN_GRACE_SECONDS must be a whole number between 0 and 600; it is "601"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; it is "verbose"',
      'PHONE_DEFAULT_TONE Piano2.raw is on the deny list (reported to crash phones); pick another tone',
    ]);
    for (const secret of ['oops-secret-1', 'nope-secret-2', 'PW-9931']) expect(found.join('\n')).not.toContain(secret);
  });

  it('says where to get each missing Slack value, for the mode chosen', () => {
    expect(problems({})).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN is missing: .*OAuth & Permissions/), expect.stringMatching(/^SLACK_APP_TOKEN is missing: .*App-Level Tokens/)]);
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SOCKET_MODE: 'false' })).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET is missing: .*SLACK_SOCKET_MODE=false/)]);
  });

  it('reads blank as unset and trims values', () => {
    const config = readConfig({ ...SLACK, LOG_LEVEL: '', PORT: ' 8080 ', PHONE_ALLOWED_NETWORKS: ' 127.0.0.0/8 , 10.0.0.0/8', ADMIN_USER_IDS: 'U1, ,U2' });
    expect(config.logLevel).toBe('info');
    expect(config.slack.port).toBe(8080);
    expect(config.phones.networkPolicy.allowed).toEqual(['127.0.0.0/8', '10.0.0.0/8']);
    expect(config.rescue.adminUserIds).toEqual(['U1', 'U2']);
  });

  it('has the documented defaults', () => {
    const config = readConfig(SLACK);
    expect(config.slack).toEqual({ mode: 'socket', botToken: 'xoxb-1', appToken: 'xapp-1', signingSecret: undefined, port: 3000, healthPort: 3001, host: '0.0.0.0', apiUrl: undefined, metrics: { onSlackPort: false } });
    expect(config.phones.networkPolicy.allowed).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);
    expect(config.phones.responseTimeoutMs).toBe(15_000);
    expect(config.shutdownGraceMs).toBe(10_000);
    expect(config.rescue.defaults).toMatchObject({ tone: 'Classic1.raw', rings: 3, intervalSeconds: 3 });
    expect(config.rescue.tonesFrom).toBe('default');
    expect(config.callManager).toBeUndefined();
    expect(config.noColor).toBe(false);
    // Each default is a valid value; a setting without one is read as undefined.
    for (const name of SETTING_NAMES) {
      const s = SETTINGS[name];
      if ('default' in s) expect(s.parse.safeParse(s.default).success, name).toBe(true);
    }
  });

  it('checks only the variables of the parts asked for', () => {
    expect(problems({ PORT: 'eighty', SLACK_SOCKET_MODE: 'maybe', STORE_KEY_ID: 'k1' }, ['store'])).toEqual(['STORE_KEY_ID is set but no keys are: set STORE_KEYS or STORE_KEY_FILE as well']);
    expect(problems({ PORT: 'eighty' }, ['rescue', 'phones'])).toEqual([]);
  });

  it('puts every secret setting on the log redaction list', () => {
    for (const name of SETTING_NAMES.filter((n) => 'secret' in SETTINGS[n] && SETTINGS[n].secret === true)) {
      expect(SECRET_FIELDS, name).toContain(name);
      expect(REDACT_PATHS, name).toContain(`*.${name}`);
    }
    expect(SECRET_FIELDS).toContain('password');
  });
});

describe('the call manager settings', () => {
  const CUCM = { CUCM_URL: 'https://cucm.example.com:8443', CUCM_USERNAME: 'axl', CUCM_PASSWORD: 'CUCM-SECRET-77' };

  it('are none without CUCM_URL, and complete with it', () => {
    expect(readConfig(['callManager'], {}).callManager).toBeUndefined();
    expect(readConfig(['callManager'], CUCM).callManager).toEqual({
      url: 'https://cucm.example.com:8443',
      username: 'axl',
      password: 'CUCM-SECRET-77',
      axlVersion: '12.5',
      tls: { trustOnFirstUse: false },
      phonePort: 80,
      phoneScheme: 'http',
      addressCacheSeconds: 300,
      risPerMinute: 10,
      staleAddressSeconds: 86_400,
    });
    const pinned = readConfig(['callManager'], { ...CUCM, CUCM_TLS_FINGERPRINT: 'ab'.repeat(32), CUCM_PHONE_SCHEME: 'https', CUCM_PHONE_PORT: '8443', CUCM_AXL_VERSION: '15.0' }).callManager;
    expect(pinned).toMatchObject({ tls: { fingerprint: Array(32).fill('AB').join(':'), trustOnFirstUse: false }, phoneScheme: 'https', phonePort: 8443, axlVersion: '15.0' });
  });

  it('need the account with CUCM_URL, and say what is wrong with each value', () => {
    expect(problems({ CUCM_URL: 'https://cucm' }, ['callManager'])).toEqual([
      expect.stringMatching(/^CUCM_USERNAME is missing: .*CUCM_URL is set/),
      expect.stringMatching(/^CUCM_PASSWORD is missing: .*CUCM_URL is set/),
    ]);
    const found = problems(
      { ...CUCM, CUCM_URL: 'cucm.example.com', CUCM_AXL_VERSION: '13.0', CUCM_RIS_PER_MINUTE: '19', CUCM_TLS_FINGERPRINT: 'abc', CUCM_TLS_TRUST_ON_FIRST_USE: 'true', CUCM_PHONE_SCHEME: 'ftp' },
      ['callManager'],
    );
    expect(found).toEqual([
      'CUCM_URL must be an http(s) URL such as https://cucm.example.com:8443; it is "cucm.example.com"',
      'CUCM_AXL_VERSION must be one of 11.0, 11.5, 12.0, 12.5, 14.0, 15.0; it is "13.0"',
      'CUCM_TLS_FINGERPRINT must be a SHA-256 fingerprint: 64 hexadecimal digits, colons allowed; it is "abc"',
      'CUCM_PHONE_SCHEME must be one of http, https; it is "ftp"',
      'CUCM_RIS_PER_MINUTE must be a whole number between 1 and 18; it is "19"',
      "CUCM_TLS_FINGERPRINT and CUCM_TLS_TRUST_ON_FIRST_USE are both set; choose one way to trust the call manager's certificate",
    ]);
    expect(found.join('\n')).not.toContain('CUCM-SECRET-77');
  });

  it('take a CA file only when it is a readable PEM certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-config-'));
    dirs.push(dir);
    const pem = join(dir, 'ca.pem');
    const der = join(dir, 'ca.der');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(der, 'binary');
    expect(readConfig(['callManager'], { ...CUCM, CUCM_TLS_CA_FILE: pem }).callManager?.tls).toEqual({ caFile: pem, trustOnFirstUse: false });
    expect(problems({ ...CUCM, CUCM_TLS_CA_FILE: der }, ['callManager'])).toEqual([expect.stringMatching(/^CUCM_TLS_CA_FILE is not a PEM certificate/)]);
    expect(problems({ ...CUCM, CUCM_TLS_CA_FILE: join(dir, 'missing.pem') }, ['callManager'])).toEqual([expect.stringMatching(/^CUCM_TLS_CA_FILE cannot be read: .*ENOENT/)]);
  });
});
