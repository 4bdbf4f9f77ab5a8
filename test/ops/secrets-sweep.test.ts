/**
 * Issue 5 "Secrets": every command and error path, driven with recognisable secrets (phone
 * passwords, the bot token, the signing secret, the app token, the store key, the organisation's
 * default phone password), and then everything the bot and the CLI left behind is searched for
 * them in every encoding (see test/support/capture.ts): all log lines (debug level), every call the
 * fake Slack received (bodies and headers, except the bot token's own Authorization bearer), the
 * HTTP answers to Slack, response_url posts, CLI stdout/stderr, and the SQLite files' bytes.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rescueSettingsFromEnv } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { createNetworkPolicy, PhoneClient } from '../../src/phone/index.js';
import { registerPhone, rescueDeps } from '../../src/rescue/index.js';
import { createSlackApp } from '../../src/slack/app.js';
import { openFullStore } from '../../src/store/index.js';
import { findSecrets, LogCapture, type Secret } from '../support/capture.js';
import { actionsIn, type RecordedCall } from '../support/fake-slack.js';
import { runCli, type CliResult } from '../cli/harness.js';
import { blockAction, globalShortcut, messageShortcut, viewSubmission } from '../support/slack-requests.js';
import { ALICE, BOB, BOT_USER, CAROL, GONE, ME, settingsForm, startWorld, TEAM, type World } from '../support/world.js';

// Recognisable, and full of characters that change under URL, form, JSON and XML encoding.
const PASSWORD = 'Sweep-Pw!/+&=~"<42>';
const WRONG_PASSWORD = 'Wrong-Pw%2F&7781?';
const ORG_PASSWORD = 'Org-Default-Pw#9931';
const BOT_TOKEN = 'xoxb-7001-sweep-bot-token-c0ffee';
const SIGNING_SECRET = 'sweep-signing-secret-5eb1a9e2';
const APP_TOKEN = 'xapp-1-A0SWEEP-8080-sweep-app-token';
const STORE_KEY = randomBytes(32);
const USERNAME = 'svc-sweep';

// BOB's phone hangs, CAROL's is unreachable.
const DAVE = 'U0DAVE'; // wrong password saved
const ERIN = 'U0ERIN'; // a ringtone the phone does not have
const FRANK = 'U0FRANK'; // organisation default password
const HANK = 'U0HANK'; // registration row damaged

const SECRETS: Secret[] = [
  { name: 'phone password', value: PASSWORD },
  { name: 'wrong phone password', value: WRONG_PASSWORD },
  { name: 'organisation phone password', value: ORG_PASSWORD },
  { name: 'bot token', value: BOT_TOKEN },
  { name: 'signing secret', value: SIGNING_SECRET },
  { name: 'app token', value: APP_TOKEN },
  { name: 'store key', value: STORE_KEY },
];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * Everything Slack received, minus the one header that legitimately carries a token: the bearer of
 * Web API calls, and of the file upload (@slack/web-api's filesUploadV2 sends it to the upload URL
 * Slack itself returned, on files.slack.com). response_url posts need no token, so a token sent
 * there counts as a leak.
 */
function sentToSlack(calls: readonly RecordedCall[], legit: Record<string, string>): string {
  return calls
    .map((c) => {
      const headers = { ...c.headers };
      const webApi = c.method !== 'response_url' && c.method !== 'socket_ack';
      const expected = legit[c.method] ?? `Bearer ${BOT_TOKEN}`;
      if (webApi && headers.authorization === expected) delete headers.authorization;
      return JSON.stringify({ method: c.method, params: c.params, headers });
    })
    .join('\n');
}

interface CliRun extends CliResult {
  args: string[];
}

/** Output is not checked here: the sweep searches it later, with everything else, in every encoding. */
async function cli(args: string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  return { args, ...(await runCli(args, { cwd: env.DATA_DIR, env, input: input ?? '' })) };
}

describe('secrets sweep', () => {
  it('no secret in any log line, Slack call, reply, CLI output or database byte, over every command and error path', { timeout: 240_000 }, async () => {
    const w: World = await startWorld({
      clock: 'system',
      slack: {
        users: [
          { id: ME, name: 'me' },
          { id: ALICE, name: 'alice' },
          { id: BOB, name: 'bob' },
          { id: CAROL, name: 'carol' },
          { id: DAVE, name: 'dave' },
          { id: ERIN, name: 'erin' },
          { id: FRANK, name: 'frank' },
          { id: HANK, name: 'hank' },
          { id: GONE, name: 'gone', deleted: true },
          { id: BOT_USER, name: 'somebot', is_bot: true },
        ],
        botToken: BOT_TOKEN,
        signingSecret: SIGNING_SECRET,
      },
      storeKey: STORE_KEY,
      responseTimeoutMs: 700,
      connectTimeoutMs: 500,
      logLevel: 'trace',
      env: { PHONE_DEFAULT_PASSWORD: ORG_PASSWORD, ADMIN_USER_IDS: ME, PHONE_TONES: 'Classic1.raw,Chime.raw,Missing1.raw' },
    });
    cleanups.push(() => {
      // The sweep names people Slack does not know (U0NOBODY): Slack refuses only those lookups.
      const lookups = new Set(['conversations.open user_not_found', 'users.info user_not_found']);
      expect(w.fake.takeRefusals().filter((r) => !lookups.has(`${r.method} ${r.error}`))).toEqual([]);
      return w.close();
    });
    const acks: string[] = [];
    const ack = <T extends { text: string }>(r: T): T => {
      acks.push(r.text);
      return r;
    };
    const final = async (r: { responseId: string }, needle: string | RegExp) => w.fake.waitForResponse(r.responseId, needle, 15_000);

    const mine = await w.phone({ username: USERNAME, password: PASSWORD });
    const alices = await w.phone({ username: USERNAME, password: PASSWORD });
    const bobs = await w.phone({ username: USERNAME, password: PASSWORD, faults: { hang: true } });
    const gone = await w.phone({ username: USERNAME, password: PASSWORD });
    const daves = await w.phone({ username: USERNAME, password: PASSWORD });
    const erins = await w.phone({ username: USERNAME, password: PASSWORD });
    const franks = await w.phone({ username: USERNAME, password: ORG_PASSWORD });
    await w.register(ALICE, alices);
    await w.register(BOB, bobs);
    await w.register(CAROL, gone);
    await w.register(DAVE, daves, { password: WRONG_PASSWORD });
    await w.register(ERIN, erins, { tone: 'Missing1.raw' });
    await w.register(FRANK, franks, { password: undefined });
    await w.register(HANK, alices);
    await gone.stop(); // Carol's phone: nothing listens there any more
    // Hank's row is damaged on disk: flip bytes in the middle of its sealed blob.
    const sealed = w.db.prepare<[string, string], { sealed: Buffer }>('SELECT sealed FROM phone_registrations WHERE team_id = ? AND user_id = ?').get(TEAM, HANK)!.sealed;
    for (let i = 20; i < 30; i++) sealed[i]! ^= 0xa5;
    w.db.prepare('UPDATE phone_registrations SET sealed = ? WHERE team_id = ? AND user_id = ?').run(sealed, TEAM, HANK);

    // ---- settings: modal opened from /phone, refused submissions, saved ones --------------------
    ack(await w.command(ME, '/phone'));
    await w.fake.waitFor('views.open');
    const refused = ack(
      await w.interact(viewSubmission(ME, 'phone_settings_modal', settingsForm({ address: 'no such phone!', username: USERNAME, password: `${PASSWORD}\u0007`, tone: 'Piano2.raw', rings: '99' }))),
    );
    expect(refused.text).toContain('"response_action":"errors"');
    ack(await w.interact(viewSubmission(ME, 'phone_settings_modal', settingsForm({ address: 'http://169.254.169.254', username: USERNAME, password: PASSWORD }))));
    const saved = ack(await w.interact(viewSubmission(ME, 'phone_settings_modal', settingsForm({ address: mine.address, username: USERNAME, password: PASSWORD, tone: 'Chime.raw', rings: '2', interval: '1', permission: 'anyone' }))));
    expect(saved.text).toContain('"response_action":"update"');
    // Saving again with the password left blank keeps it.
    ack(await w.interact(viewSubmission(ME, 'phone_settings_modal', settingsForm({ address: mine.address, username: USERNAME, tone: 'Classic1.raw', rings: '2', interval: '1', permission: 'anyone' }))));

    // ---- /rescue: self, colleague, cover story, and every refusal ------------------------------
    await final(ack(await w.command(ME, '/rescue')), /rang/i);
    await final(ack(await w.command(ME, '/rescue', `<@${ALICE}|alice>`)), /rang/i);
    await final(ack(await w.command(ME, '/rescue', `<@${FRANK}|frank> "Facilities: your car"`)), /rang/i);
    await w.settle();
    await final(ack(await w.command(ME, '/rescue', `<@${BOB}|bob>`)), /did not answer in time/);
    await final(ack(await w.command(ME, '/rescue', `<@${CAROL}|carol>`)), /Web Access/);
    await final(ack(await w.command(ME, '/rescue', `<@${DAVE}|dave>`)), /did not accept the username and password/);
    await final(ack(await w.command(ME, '/rescue', `<@${ERIN}|erin>`)), /does not have the ringtone/);
    await final(ack(await w.command(ME, '/rescue', `<@${HANK}|hank>`)), /can no longer be read/);
    for (const text of ['<@U0NOBODY|nobody>', '<@U0GONE|gone>', '<@U0BOTTY|somebot>', 'please ring bob', '"never closed', 'help', 'stop', 'list']) ack(await w.command(ME, '/rescue', text));
    await w.settle();

    // A ring stopped with its Stop button.
    const long = ack(await w.command(ALICE, '/rescue', `<@${ME}|me>`));
    const stop = actionsIn(JSON.parse(long.text) as unknown).find((a) => a.action_id === 'stop_rescue');
    if (stop) ack(await w.interact(blockAction(ALICE, { action_id: 'stop_rescue', value: stop.value ?? '' }, { responseUrl: w.fake.responseUrl(long.responseId) })));
    await w.settle();

    // ---- /phone and /phone-screenshot ----------------------------------------------------------
    await final(ack(await w.command(ME, '/phone', 'status')), /auth/i);
    await final(ack(await w.command(ME, '/phone', 'test')), /rang/i);
    await final(ack(await w.command(ME, '/phone-screenshot')), /Sent to your DMs/);
    for (const text of ['help', 'nonsense']) ack(await w.command(ME, '/phone', text));
    ack(await w.command(DAVE, '/phone', 'status'));
    ack(await w.command(CAROL, '/phone-screenshot'));
    ack(await w.command(HANK, '/phone', 'test'));
    await w.settle();

    // ---- shortcuts, buttons, App Home -----------------------------------------------------------
    for (const s of ['rescue_me', 'phone_settings', 'phone_screenshot']) ack(await w.interact(globalShortcut(s, ME)));
    ack(await w.interact(messageShortcut('rescue_author', ME, { user: ALICE }, w.fake.responseUrl('author'))));
    ack(await w.interact(messageShortcut('rescue_author', ME, { bot_id: 'B1' }, w.fake.responseUrl('author-bot'))));
    for (const a of ['open_settings', 'test_ring', 'send_screenshot', 'phone_status']) {
      ack(await w.interact(blockAction(ME, { action_id: a }, { responseUrl: w.fake.responseUrl(`btn-${a}`) })));
      ack(await w.interact(blockAction(DAVE, { action_id: a }, { view: { id: 'VHOME', type: 'home' } })));
    }
    ack(await w.interact(blockAction(ME, { action_id: 'send_registration_link', value: 'U0NOBODY' }, { responseUrl: w.fake.responseUrl('link') })));
    await w.event({ type: 'app_home_opened', user: ME, channel: 'DME', tab: 'home', event_ts: '1' });
    await w.event({ type: 'app_home_opened', user: HANK, channel: 'DHANK', tab: 'home', event_ts: '2' });
    await w.settle();

    // ---- Slack failing: errors are logged (with whatever the Web API client attached) ----------
    w.fake.setFault('views.open', { kind: 'error', error: 'expired_trigger_id' }, 1);
    ack(await w.command(ME, '/phone'));
    w.fake.setFault('chat.postMessage', { kind: 'http', status: 500 });
    w.fake.setFault('conversations.open', { kind: 'rate_limited', retryAfterSeconds: 0 });
    ack(await w.command(ME, '/phone-screenshot'));
    ack(await w.interact(globalShortcut('rescue_me', ME)));
    await w.settle();
    w.fake.setResponseUrlStatus('expired-url', 404);
    const gone404 = ack(await w.command(ME, '/rescue', '', 'expired-url'));
    await w.settle();
    expect(w.fake.responses(gone404.responseId).length).toBeGreaterThan(0);
    w.fake.clearFaults();

    // ---- the store failing: read-only, then full ------------------------------------------------
    w.db.pragma('query_only = ON');
    ack(await w.interact(viewSubmission(ME, 'phone_settings_modal', settingsForm({ address: mine.address, username: USERNAME, password: PASSWORD }))));
    ack(await w.command(ME, '/rescue'));
    await w.settle();
    w.db.pragma('query_only = OFF');

    // ---- the CLI, as separate processes on the same DATA_DIR ------------------------------------
    const env = { DATA_DIR: w.dataDir, STORE_KEYS: w.storeKeys, STORE_KEY_ID: 'k1', PHONE_ALLOWED_NETWORKS: '127.0.0.0/8', PHONE_DEFAULT_PASSWORD: ORG_PASSWORD, LOG_LEVEL: 'trace' };
    const withPw = { ...env, PHONE_PASSWORD: PASSWORD };
    const shot = join(w.dataDir, 'shot.png');
    const runs = await Promise.all([
      cli(['phones', 'add', '--team', TEAM, '--user', 'U0CLI', '--address', mine.address, '--username', USERNAME, '--password-stdin'], env, `${PASSWORD}\n`),
      cli(['phones', 'add', '--team', TEAM, '--user', 'U0CLI2', '--address', mine.address, '--username', USERNAME, '--json'], withPw),
      cli(['phones', 'list', '--json'], env),
      cli(['phones', 'list'], env),
      cli(['phones', 'show', ME, '--json'], env),
      cli(['phones', 'export'], env),
      cli(['phones', 'export', '--json'], env),
      cli(['phones', 'test', ME], env),
      cli(['phones', 'test', DAVE], env),
      cli(['phones', 'test', HANK, '--json'], env),
      cli(['audit', '--json'], env),
      cli(['ring', mine.address, '--user', USERNAME, '--rings', '1', '--interval', '0'], withPw),
      cli(['ring', mine.address, '--user', USERNAME, '--rings', '1', '--json'], { ...env, PHONE_PASSWORD: WRONG_PASSWORD }),
      cli(['ring', mine.address, '--user', USERNAME, '--tone', 'Piano2.raw'], withPw),
      cli(['ring', gone.address, '--user', USERNAME, '--connect-timeout', '0.5'], withPw),
      cli(['ring', bobs.address, '--user', USERNAME, '--timeout', '0.5', '--json'], withPw),
      cli(['screenshot', mine.address, '--user', USERNAME, '-o', shot], withPw),
      cli(['status', mine.address, '--json'], withPw),
      cli(['doctor', mine.address, '--user', USERNAME], withPw),
      cli(['doctor', mine.address, '--user', USERNAME, '--json'], { ...env, PHONE_PASSWORD: WRONG_PASSWORD }),
      cli(['phones', 'add', '--team', TEAM, '--user', 'bad user', '--address', mine.address], withPw),
      cli(['keys', 'rotate'], env),
      cli(['phones', 'list'], { ...env, STORE_KEYS: `k2:${randomBytes(32).toString('base64')}`, STORE_KEY_ID: 'k2' }),
      cli(['phones', 'list'], { ...env, STORE_KEYS: 'k1:not-base64!!' }),
    ]);
    // The CLI did what it was asked (so the sweep covers real work, not only usage errors).
    const byArgs = (prefix: string) => runs.find((r) => r.args.join(' ').startsWith(prefix))!;
    expect(byArgs('phones add --team T1 --user U0CLI --').code).toBe(0);
    expect(byArgs(`phones test ${ME}`).code).toBe(0);
    expect(byArgs(`phones test ${DAVE}`).code).toBe(1);
    expect(byArgs(`ring ${mine.address} --user ${USERNAME} --rings 1 --interval`).code).toBe(0);
    expect(byArgs(`screenshot ${mine.address}`).code).toBe(0);

    // ---- the sweep ------------------------------------------------------------------------------
    w.db.pragma('wal_checkpoint(PASSIVE)');
    const leaks: string[] = [];
    leaks.push(...findSecrets('log', w.logs.text(), SECRETS));
    leaks.push(...findSecrets('Slack calls', sentToSlack(w.fake.calls, {}), SECRETS));
    leaks.push(...findSecrets('HTTP answers to Slack', acks.join('\n'), SECRETS));
    for (const r of runs) leaks.push(...findSecrets(`rescue-ring ${r.args.join(' ')}`, r.stdout + r.stderr, SECRETS));
    for (const file of readdirSync(w.dataDir)) {
      if (file.startsWith('rescue-ring.db')) leaks.push(...findSecrets(`file ${file}`, readFileSync(join(w.dataDir, file)), SECRETS));
    }
    expect(leaks).toEqual([]);

    // The sweep saw real traffic: logs at every level, the password reached the phones (so it was
    // there to leak), Slack got messages, the database holds rows.
    expect(w.logs.lines().length).toBeGreaterThan(50);
    expect(mine.requests.some((r) => r.authorized)).toBe(true);
    expect(w.fake.callsTo('response_url').length).toBeGreaterThan(20);
    expect(w.fake.callsTo('response_url').filter((c) => c.headers.authorization !== undefined)).toEqual([]);
    expect(readdirSync(w.dataDir)).toContain('rescue-ring.db');
    // A Basic auth header really carries the password in base64; the search finds it there.
    const basic = String(mine.requests.find((r) => r.authorized)!.headers.authorization);
    expect(findSecrets('phone request', basic, SECRETS).some((f) => f.startsWith('phone request: phone password (base64'))).toBe(true);
  });

  it('Socket Mode: the app token and a submitted password stay out of the debug log', async () => {
    const w = await startWorld({ clock: 'system', slack: { users: [{ id: ME, name: 'me' }], botToken: BOT_TOKEN }, storeKey: STORE_KEY, responseTimeoutMs: 2_000, connectTimeoutMs: 1_000 });
    cleanups.push(() => w.close());
    const phone = await w.phone({ username: USERNAME, password: PASSWORD });
    const logs = new LogCapture();
    const logger = createLogger({ level: 'trace', destination: logs.stream });
    const store = await openFullStore({ dataDir: w.dataDir, production: true, keys: w.storeKeys, keyId: 'k1' }, { logger });
    const rescue = rescueDeps(store, { phones: new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']), logger }), settings: rescueSettingsFromEnv({ PHONE_DEFAULT_INTERVAL_SECONDS: '1', PHONE_DEFAULT_RINGS: '1', RESCUE_TARGET_COOLDOWN_SECONDS: '0' }), logger });
    await registerPhone(rescue, { teamId: TEAM, userId: ME, address: phone.address, username: USERNAME, password: PASSWORD });
    const bot = createSlackApp({
      config: { mode: 'socket', botToken: BOT_TOKEN, appToken: APP_TOKEN, port: 0, healthPort: 0, host: '127.0.0.1', apiUrl: w.fake.apiUrl },
      rescue,
      logger,
      botId: w.fake.botId,
      botUserId: w.fake.botUserId,
    });
    cleanups.push(async () => {
      await bot.stop();
      await rescue.active.drain(0);
      await bot.tasks.idle(5_000);
      await store.close();
    });
    await bot.start({ port: 0, host: '127.0.0.1' });
    await w.fake.socketMode.connected();
    const submission = viewSubmission(ME, 'phone_settings_modal', settingsForm({ address: phone.address, username: USERNAME, password: PASSWORD, tone: 'Classic1.raw' }));
    const acked = await w.fake.socketMode.push('interactive', submission);
    expect(JSON.stringify(acked)).toContain('update');
    await w.fake.socketMode.push('slash_commands', { token: 'x', team_id: TEAM, team_domain: 'fake', channel_id: 'C1', user_id: ME, user_name: 'me', command: '/rescue', text: '', response_url: w.fake.responseUrl('sock'), trigger_id: 't', api_app_id: 'A1' });
    await w.fake.waitForResponse('sock', /rang/i, 15_000);
    await rescue.active.drain(10_000);
    await bot.tasks.idle(5_000);

    const leaks = [
      ...findSecrets('log', logs.text(), SECRETS),
      ...findSecrets('Slack calls', sentToSlack(w.fake.calls, { 'apps.connections.open': `Bearer ${APP_TOKEN}` }), SECRETS),
      ...findSecrets('socket acks', JSON.stringify(w.fake.callsTo('socket_ack')), SECRETS),
    ];
    expect(leaks).toEqual([]);
    // The log did see the traffic (the save through the socket, the ring), so a leak would have been caught.
    expect(logs.text()).toMatch(/"updated":true[^\n]*"msg":"phone registered"/);
    expect(logs.text()).toContain('"msg":"rescue started"');
    expect(w.fake.callsTo('apps.connections.open')[0]!.headers.authorization).toBe(`Bearer ${APP_TOKEN}`);
  });
});
