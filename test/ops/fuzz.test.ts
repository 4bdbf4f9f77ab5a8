/**
 * Issue 5 "Bad input": generated input (long, unicode, control characters, XML and Slack markup)
 * for the settings fields, through registerPhone (9,000 cases) and through Bolt's real receiver as
 * view_submission payloads (1,000 cases), and /rescue text end to end (300 cases; the parser alone
 * has 10,000 more in test/slack/units.test.ts). Never a crash, never an unhandled rejection, never
 * "something went wrong on our side"; and every invalid field, by construction, gets its own field
 * error while every valid form is saved.
 *
 * Generated addresses are the simulator's, IP literals, or strings no host name can match, so no
 * case ever sends a DNS query off the machine.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidSettings, registerPhone, type RegisterInput } from '../../src/rescue/index.js';
import { SETTINGS_BLOCKS } from '../../src/slack/ids.js';
import type { SimPhone } from '../../src/sim/index.js';
import { messageText } from '../support/fake-slack.js';
import { viewSubmission } from '../support/slack-requests.js';
import { settingsForm, startWorld, TEAM, type World } from '../support/world.js';

type Field = 'address' | 'username' | 'password' | 'tone' | 'rings' | 'interval' | 'permission' | 'buddies';

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
let w: World;
let phone: SimPhone;

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  w = await startWorld({
    clock: 'system',
    slack: {
      users: [
        { id: 'U0FUZZ0', name: 'fuzzer' },
        { id: 'U0FUZZ1', name: 'alice' },
        { id: 'U0GONE', name: 'gone', deleted: true },
      ],
    },
    responseTimeoutMs: 2_000, connectTimeoutMs: 1_000,
    logLevel: 'warn',
    env: { PHONE_DEFAULT_USERNAME: 'org-user', PHONE_DEFAULT_PASSWORD: 'org-password', PHONE_DEFAULT_RINGS: '1' },
  });
  phone = await w.phone({ toneTimeScale: 0 });
  await w.register('U0FUZZ0', phone);
  await w.register('U0FUZZ1', phone);
});

afterAll(async () => {
  // Fuzzed user ids are people Slack does not know: it refuses to publish an App Home for them, to
  // open a DM with them, or to look them up. Nothing else may be refused.
  const lookups = new Set(['views.publish not_found', 'conversations.open user_not_found', 'users.info user_not_found']);
  expect(w.fake.takeRefusals().filter((r) => !lookups.has(`${r.method} ${r.error}`))).toEqual([]);
  await w.close();
  process.off('unhandledRejection', onRejection);
});

// ---- generators: each field valid or invalid by construction -------------------------------

const MARKUP = ['<@U0FUZZ1|alice>', '<!here>', '<#C123|general>', '<https://example.com|link>', '&lt;b&gt;', '<x a="1">&amp;</x>', ']]>', '*bold* _it_ `code`', '\u202eevil', '👩‍💻', 'Zürich', '東京', '\u200b'];
const CONTROL = ['\u0000', '\u0001', '\u0007', '\u001b', '\u007f'];

/** Text with no control character: unicode, markup, XML. */
const printable = (maxLength: number) =>
  fc
    .array(fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.constantFrom(...MARKUP)), { minLength: 1, maxLength: 12 })
    .map((parts) => [...parts.join('')].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join('').slice(0, maxLength))
    .filter((s) => s.trim() !== '');

/** Inserts a control character strictly inside the text (trimming cannot remove it). */
const withControl = (base: fc.Arbitrary<string>) => fc.tuple(base, fc.constantFrom(...CONTROL), base).map(([a, c, b]) => `x${a}${c}${b}x`);

interface Generated {
  input: Omit<RegisterInput, 'teamId' | 'userId' | 'rings' | 'intervalSeconds'> & { rings?: string; interval?: string };
  invalid: Set<Field>;
}

function field<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>): fc.Arbitrary<{ value: T; bad: boolean }> {
  return fc.oneof({ weight: 3, arbitrary: valid.map((value) => ({ value, bad: false })) }, { weight: 1, arbitrary: invalid.map((value) => ({ value, bad: true })) });
}

function settings(phoneAddress: string): fc.Arbitrary<Generated> {
  const address = field(
    fc.constantFrom(phoneAddress, `http://${phoneAddress}/`, ` ${phoneAddress} `),
    fc.oneof(
      fc.constantFrom('', '   ', '8.8.8.8', '169.254.169.254', '10.1.2.3:8080', '[::1]', 'http://127.0.0.1:0', 'ftp://127.0.0.1', 'user:pw@127.0.0.1', '127.0.0.1/CGI/Execute'),
      printable(300).map((s) => `_${s}`),
      withControl(printable(40)),
    ),
  );
  const username = field(
    fc.oneof(fc.constant(undefined), fc.constant('  '), printable(128).map((s) => s.replace(/:/g, ''))).filter((s) => s === undefined || s.trim() !== '' || s === '  '),
    fc.oneof(withControl(printable(20)), printable(40).map((s) => `a:${s}`), fc.integer({ min: 129, max: 600 }).map((n) => 'u'.repeat(n))),
  );
  const password = field(
    fc.oneof(fc.constant(undefined), fc.constant(''), printable(256)),
    fc.oneof(withControl(printable(20)), fc.integer({ min: 257, max: 2000 }).map((n) => 'p'.repeat(n))),
  );
  const tone = field(fc.constantFrom(undefined, 'Classic1.raw', 'Chime.raw'), fc.oneof(fc.constant('Piano2.raw'), printable(80).map((s) => `${s}.raw!`)));
  const small = (max: number) =>
    field(
      fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max }).map(String), fc.integer({ min: 1, max }).map((n) => ` ${n} `)),
      fc.oneof(fc.integer({ min: -1000, max: 0 }).map(String), fc.integer({ min: max + 1, max: 1e9 }).map(String), fc.constantFrom('2.5', 'z', 'NaN', 'Infinity', '٣', '1,5'), printable(20).map((s) => `z${s}`)),
    );
  const permission = field(fc.constantFrom(undefined, 'anyone', 'buddies', 'only_me'), fc.oneof(fc.constantFrom('everyone', 'ANYONE', 'only me', ''), printable(30).map((s) => `p${s}`)));
  const userId = fc.stringMatching(/^U[A-Z0-9]{8}$/);
  const buddies = field(
    fc.uniqueArray(userId, { maxLength: 50 }),
    fc.oneof(
      fc.uniqueArray(userId, { minLength: 51, maxLength: 80 }),
      fc.tuple(fc.uniqueArray(userId, { maxLength: 5 }), fc.oneof(printable(30).map((t) => `x${t}`), fc.constantFrom('<@U123>', 'alice', 'u0lower', 'B0BOTID'))).map(([ok, bad]) => [...ok, bad]),
    ),
  );
  return fc.record({ address, username, password, tone, rings: small(10), interval: small(30), permission, buddies }).map((r) => {
    const invalid = new Set<Field>((Object.keys(r) as Field[]).filter((k) => r[k].bad));
    return {
      input: {
        address: r.address.value,
        username: r.username.value,
        password: r.password.value,
        tone: r.tone.value,
        rings: r.rings.value,
        interval: r.interval.value,
        permission: r.permission.value as RegisterInput['permission'],
        buddies: r.buddies.value,
      },
      invalid,
    };
  });
}

/** What the modal's number inputs turn into (src/slack/views/settings.ts readSettingsForm). */
const num = (raw: string | undefined) => (raw === undefined || raw.trim() === '' ? undefined : Number(raw.trim()));

/**
 * Every message is text, and none echoes the password (unless the same text was typed in another
 * field too, which a message may legitimately quote, e.g. an unknown ringtone).
 */
function checkMessages(fields: Record<string, string | undefined>, input: Generated['input']): void {
  const password = input.password;
  const elsewhere = JSON.stringify({ ...input, password: undefined });
  const secret = password !== undefined && password.length >= 8 && !elsewhere.includes(JSON.stringify(password).slice(1, -1));
  for (const message of Object.values(fields)) {
    expect(typeof message).toBe('string');
    expect(message!.length).toBeGreaterThan(0);
    if (secret) expect(message).not.toContain(password);
  }
}

describe('fuzz', () => {
  it('registerPhone: 9,000 generated forms; each invalid field gets its own error, valid forms are saved', { timeout: 120_000 }, async () => {
    let saved = 0;
    let refused = 0;
    let i = 0;
    await fc.assert(
      fc.asyncProperty(settings(phone.address), async ({ input, invalid }) => {
        const userId = `U0REG${i++ % 50}`;
        try {
          await registerPhone(w.rescue, { teamId: TEAM, userId, ...input, rings: num(input.rings), intervalSeconds: num(input.interval) });
          expect([...invalid]).toEqual([]);
          saved += 1;
        } catch (err) {
          if (!(err instanceof InvalidSettings)) throw err;
          expect(Object.keys(err.fields).sort()).toEqual([...invalid].sort());
          checkMessages(err.fields, input);
          refused += 1;
        }
      }),
      { numRuns: 9_000 },
    );
    // Both kinds were generated in number (the generator is not stuck on one side).
    expect(saved).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });

  it('the settings modal through the receiver: 1,000 generated submissions answered with the right field errors or saved', { timeout: 120_000 }, async () => {
    const blockOf = SETTINGS_BLOCKS as Record<Field, string>;
    let i = 0;
    await fc.assert(
      fc.asyncProperty(settings(phone.address), async ({ input, invalid }) => {
        const userId = `U0MODAL${i++ % 20}`;
        const form = settingsForm({ ...input, buddies: input.buddies ?? [] });
        const r = await w.interact(viewSubmission(userId, 'phone_settings_modal', form));
        expect(r.status).toBe(200);
        const body = JSON.parse(r.text) as { response_action: string; errors?: Record<string, string> };
        if (invalid.size === 0) expect(body.response_action).toBe('update');
        else {
          expect(body.response_action).toBe('errors');
          expect(Object.keys(body.errors ?? {}).sort()).toEqual([...invalid].map((f) => blockOf[f]).sort());
          checkMessages(body.errors ?? {}, input);
          for (const m of Object.values(body.errors ?? {})) expect(m.length).toBeLessThanOrEqual(600);
        }
      }),
      { numRuns: 1_000 },
    );
    await w.settle();
  });

  it('/rescue text end to end: 300 generated commands, each answered, none unexpected', { timeout: 120_000 }, async () => {
    const pieces = fc.oneof(
      fc.constantFrom('<@U0FUZZ1|alice>', '<@U0FUZZ1>', '<@U0NOPE|nobody>', '<@U0GONE|gone>', '<!here>', '<#C1|general>', '<https://x.test|x>', '"a cover story"', '“curly story”', '"unclosed', 'in 10m', 'at 14:30', 'in 99h', 'at 25:99', 'stop', 'help', 'list', 'cancel', '@alice', '&lt;script&gt;', '&amp;'),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.integer({ min: 1000, max: 5000 }).map((n) => 'a'.repeat(n)),
    );
    const ids: string[] = [];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(pieces, { maxLength: 5 }), async (parts) => {
        const r = await w.command('U0FUZZ0', '/rescue', parts.join(' '), `fuzz${n++}`);
        ids.push(r.responseId);
        expect(r.status).toBe(200);
        if (r.text !== '') expect(messageText(JSON.parse(r.text) as Record<string, unknown>).length).toBeGreaterThan(0);
        expect(r.text).not.toMatch(/Something went wrong on our side/);
      }),
      { numRuns: 300 },
    );
    await w.settle();
    const replies = w.fake.calls.filter((c) => c.method === 'response_url' && c.responseId?.startsWith('fuzz')).map((c) => messageText(c.params));
    expect(replies.filter((t) => /Something went wrong on our side/.test(t))).toEqual([]);
    // The bot kept working: a plain rescue still rings.
    const after = await w.command('U0FUZZ0', '/rescue');
    await w.fake.waitForResponse(after.responseId, /rang/i, 15_000);
  });

  it('no unhandled promise rejection and no error logged as unexpected during any of it', () => {
    expect(rejections).toEqual([]);
    const unexpected = w.logs.lines().filter((l) => (l.level as number) >= 50);
    expect(unexpected.map((l) => l.msg)).toEqual([]);
  });
});
