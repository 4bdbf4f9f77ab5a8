/**
 * pino redaction (src/log.ts REDACT_PATHS) covers every field a secret travels under in this code
 * base, at the depths a log call puts it: `logger.info(config)`, `{ slack: config }`,
 * `{ rescue: { phone } }`, `{ env: process.env }`...
 */
import { describe, expect, it } from 'vitest';
import { createLogger, REDACT_PATHS } from '../../src/log.js';
import { LogCapture } from '../support/capture.js';

const S = 'S3CR3T-value-0042';

/** The shapes that carry secrets: the contracts' field names (config, store, phone, HTTP). */
const CARRIERS: Record<string, Record<string, unknown>> = {
  SlackConfig: { mode: 'socket', botToken: `xoxb-${S}`, appToken: `xapp-${S}`, signingSecret: S, port: 3000 },
  StoreConfig: { dataDir: './data', keys: `k1:${S}`, keyId: 'k1', databaseUrl: `postgres://u:${S}@db/x` },
  Registration: { teamId: 'T1', userId: 'U1', address: '10.0.0.5', username: 'svc', password: S },
  Phone: { address: '10.0.0.5', credentials: { username: 'svc', password: S } },
  Headers: { headers: { authorization: `Basic ${S}`, 'content-type': 'text/xml' } },
  HeadersCapital: { headers: { Authorization: `Bearer ${S}` } },
  Env: { SLACK_BOT_TOKEN: `xoxb-${S}`, SLACK_APP_TOKEN: `xapp-${S}`, SLACK_SIGNING_SECRET: S, PHONE_PASSWORD: S, PHONE_DEFAULT_PASSWORD: S, STORE_KEYS: `k1:${S}`, DATABASE_URL: `postgres://u:${S}@db/x` },
  Generic: { token: S, secret: S, key: S, keys: [S], storeKeys: S, authorization: S, Authorization: S },
};

function logged(obj: Record<string, unknown>): string {
  const capture = new LogCapture();
  createLogger({ level: 'info', destination: capture.stream }).info(obj, 'shape');
  return capture.text();
}

describe('pino redaction', () => {
  for (const [name, carrier] of Object.entries(CARRIERS)) {
    it(`${name}: redacted at the top level and nested one or two levels deep`, () => {
      for (const [where, obj] of [
        ['top level', carrier],
        ['nested once', { config: carrier }],
        ['nested twice', { request: { context: carrier } }],
      ] as const) {
        const line = logged(obj);
        expect(line, `${name} ${where}`).not.toContain(S);
        expect(line, `${name} ${where}`).toContain('[redacted]');
      }
    });
  }

  it('leaves ordinary fields alone (redaction is by path, not a blanket)', () => {
    const line = JSON.parse(logged({ teamId: 'T1', userId: 'U1', address: '10.0.0.5', phone: { address: '10.0.0.5' } })) as Record<string, unknown>;
    expect(line).toMatchObject({ teamId: 'T1', userId: 'U1', address: '10.0.0.5', phone: { address: '10.0.0.5' } });
  });

  it('every path in the list is valid for pino (a bad one would throw at logger creation)', () => {
    expect(REDACT_PATHS.length).toBeGreaterThan(0);
    expect(() => createLogger({ level: 'silent' })).not.toThrow();
  });
});
