/**
 * pino redaction (src/log.ts REDACT_PATHS) covers every field a secret travels under in this code
 * base, at the depths a log call puts it: `logger.info(config)`, `{ slack: config }`,
 * `{ rescue: { phone } }`, `{ env: process.env }`...
 */
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import BetterSqlite3 from 'better-sqlite3';
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

/** Carriers whose secrets sit one level down themselves (headers.authorization, credentials.password). */
const NESTED = new Set(['Headers', 'HeadersCapital']);

describe('pino redaction', () => {
  for (const [name, carrier] of Object.entries(CARRIERS)) {
    const depths = NESTED.has(name) ? 'nested once' : 'nested once or twice';
    it(`${name}: redacted at the top level and ${depths}`, () => {
      const shapes: [string, Record<string, unknown>][] = [
        ['top level', carrier],
        ['nested once', { config: carrier }],
      ];
      if (!NESTED.has(name)) shapes.push(['nested twice', { request: { context: carrier } }]);
      for (const [where, obj] of shapes) {
        const line = logged(obj);
        expect(line, `${name} ${where}`).not.toContain(S);
        expect(line, `${name} ${where}`).toContain('[redacted]');
      }
    });
  }

  it('logging native objects (a listening server, a socket, a database, an abort signal) never throws', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const db = new BetterSqlite3(':memory:');
    try {
      const natives: Record<string, unknown> = { server, socket, db, signal: new AbortController().signal, url: new URL('http://x.test'), map: new Map([['a', 1]]), buffer: Buffer.from('x'), bytes: new Uint8Array(4), date: new Date(0), error: new Error('boom') };
      for (const [name, value] of Object.entries(natives)) {
        for (const obj of [{ [name]: value }, { outer: { [name]: value } }, { err: new Error('x', { cause: value }) }]) {
          expect(() => logged(obj), name).not.toThrow();
        }
      }
    } finally {
      db.close();
      socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps what native objects say about themselves where it is safe, never the bytes of a buffer', () => {
    const line = JSON.parse(logged({ at: new Date(0), url: new URL('http://x.test/a'), sealed: Buffer.from(S), nested: { signal: new AbortController().signal } })) as Record<string, unknown>;
    expect(line).toMatchObject({ at: '1970-01-01T00:00:00.000Z', url: 'http://x.test/a', sealed: `[Buffer ${S.length} bytes]`, nested: { signal: '[AbortSignal]' } });
  });

  it('leaves ordinary fields alone (redaction is by path, not a blanket)', () => {
    const line = JSON.parse(logged({ teamId: 'T1', userId: 'U1', address: '10.0.0.5', phone: { address: '10.0.0.5' } })) as Record<string, unknown>;
    expect(line).toMatchObject({ teamId: 'T1', userId: 'U1', address: '10.0.0.5', phone: { address: '10.0.0.5' } });
  });

  it('every path in the list is valid for pino (a bad one would throw at logger creation)', () => {
    expect(REDACT_PATHS.length).toBeGreaterThan(0);
    expect(() => createLogger({ level: 'silent' })).not.toThrow();
  });
});
