/**
 * The demo's composition root, built like src/main.ts builds the bot: an encrypted store in a
 * temporary DATA_DIR with a key generated for this run, the phone client limited to loopback,
 * the use cases, and the real Slack app (createSlackApp: same listeners, same Web API settings),
 * plus what stands in for the outside world: simulated phones, a simulated call manager (CUCM) that
 * knows where they are, and a Slack stand-in, with a terminal receiver driving the app.
 */
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { rescueSettingsFromEnv } from '../config/index.js';
import type { SlackConfig } from '../config/slack.js';
import { isAppError } from '../errors.js';
import { createLogger } from '../log.js';
import { createNetworkPolicy, PhoneClient } from '../phone/index.js';
import { Metrics } from '../metrics/index.js';
import { connectCallManager, meteredStore, phoneObserver, recentRescues, registerPhone, rescueDeps, watchRescues, type RescueDeps } from '../rescue/index.js';
import { startScheduler } from '../rescue/scheduler.js';
import { simCallManagerOptions, startCallManagerSim, type SimulatedCallManager } from '../sim/cucm/index.js';
import { startPhone, type SimPhone } from '../sim/index.js';
import { createSlackApp, type SlackApp } from '../slack/app.js';
import { slackScheduleReporter } from '../slack/flows/scheduled.js';
import { startHealthServer } from '../slack/health.js';
import { generateKeyLine, openFullStore } from '../store/index.js';
import { printNote, type Output } from './render.js';
import { Screen } from './screen.js';
import { SlackStandin, type SlackUser } from './slack-standin.js';
import { maskSecrets, TerminalReceiver } from './terminal-receiver.js';

export const DEMO_TEAM = 'T0DEMO';
export const DEMO_CHANNEL = { id: 'C0GENERAL', name: 'general' } as const;

export const YOU: SlackUser = { id: 'U0YOU', name: 'you' };
export const ALICE: SlackUser = { id: 'U0ALICE', name: 'alice' };
/** A colleague with no phone registered. */
export const BOB: SlackUser = { id: 'U0BOB', name: 'bob' };
/** A newcomer who registered nothing; the call manager lists one desk phone for her e-mail. */
export const CAROL: SlackUser = { id: 'U0CAROL', name: 'carol', email: 'Carol@Example.com' };
export const HELPER_BOT: SlackUser = { id: 'U0HELPER', name: 'helperbot', is_bot: true };

/**
 * The simulated phones' passwords. Fixed so the demo's test can prove none of them is ever printed;
 * they are loopback-only simulator credentials, not secrets of anyone's.
 */
export const DEMO_PASSWORDS = { you: 'you-desk-phone-pw-71', alice: 'alice-desk-phone-pw-42', office: 'office-shared-phone-pw-33' } as const;
export const DEMO_PHONE_USERNAME = 'rescue';
/** The device names the simulated call manager knows (SEP + the MAC address). Alice registered hers by name. */
export const DEMO_DEVICES = { alice: 'SEP00A11CE0F00D', carol: 'SEP00CA201CA201' } as const;

/** Rings of the demo: three, one second apart; tones play at this fraction of their real length. */
const DEMO_RINGS = 3;
const DEMO_INTERVAL_SECONDS = 1;
const TONE_TIME_SCALE = 0.3;

export interface DemoOptions {
  out: Output;
  /** Where screenshots and the log go (kept after exit). Default: a new directory under the system temp dir. */
  outDir?: string;
}

export interface Demo {
  out: Output;
  screen: Screen;
  standin: SlackStandin;
  receiver: TerminalReceiver;
  bot: SlackApp;
  rescue: RescueDeps;
  /** Alice's entry changes when her phone moves (`move alice`). */
  phones: { you: SimPhone; alice: SimPhone; carol: SimPhone };
  cucm: SimulatedCallManager;
  /** Prometheus metrics of this run (the bot serves them on HEALTH_PORT). */
  metricsUrl: string;
  outDir: string;
  logPath: string;
  /** Runs one typed line (a Slack action or a demo command). Resolves false when the user asked to quit. */
  run(line: string): Promise<boolean>;
  /** Like run, first echoing the line after a prompt (secrets masked), for input that is not typed at a terminal. */
  echoAndRun(line: string): Promise<boolean>;
  /** Moves the demo's clock forward (scheduled rescues, limits and the audit log all follow it) and fires what is due. */
  skip(ms: number): Promise<void>;
  /** The demo's clock: real time plus what was skipped. */
  now(): Date;
  /** Waits until no ring, upload or follow-up post is in progress (and the phones' last words are printed). */
  idle(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const { out } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'rescue-ring-demo-data-'));
  const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), 'rescue-ring-demo-'));
  const logPath = join(outDir, 'demo.log');
  const logStream: WriteStream = createWriteStream(logPath, { flags: 'a' });
  const logger = createLogger({ level: 'info', destination: logStream });
  const cleanups: (() => Promise<void> | void)[] = [() => new Promise<void>((resolve) => logStream.end(() => resolve())), () => rmSync(dataDir, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
  };

  try {
    // The store, exactly as production opens it, with a key made for this run (never ./data).
    const key = generateKeyLine();
    const store = await openFullStore({ dataDir, keys: key.line, keyId: key.id, production: false }, { logger });
    cleanups.push(() => store.close());

    const phoneOptions = { toneTimeScale: TONE_TIME_SCALE, username: DEMO_PHONE_USERNAME };
    const you = await startPhone({ ...phoneOptions, name: 'you', password: DEMO_PASSWORDS.you });
    cleanups.push(() => you.stop());
    // The phones the call manager knows each have their own address (127.0.0.x) and the same port, as on a real network.
    const alice = await startPhone({ ...phoneOptions, name: 'alice', password: DEMO_PASSWORDS.alice, model: 'CP-7841', host: '127.0.0.2' });
    const carol = await startPhone({ ...phoneOptions, name: 'carol', password: DEMO_PASSWORDS.office, host: '127.0.0.3', port: alice.port });
    const cucm = await startCallManagerSim({
      users: [
        { userid: 'alice', mailid: 'alice@example.com' },
        { userid: 'carol', mailid: 'carol@example.com' },
      ],
      devices: [
        { name: DEMO_DEVICES.alice, owner: 'alice', model: 'Cisco 7841', description: 'Alice, 2nd floor', ip: '127.0.0.2' },
        { name: DEMO_DEVICES.carol, owner: 'carol', model: 'Cisco 8845', description: 'Carol, reception', ip: '127.0.0.3' },
      ],
    });
    cleanups.push(() => cucm.stop());

    const settings = rescueSettingsFromEnv({
      PHONE_DEFAULT_RINGS: String(DEMO_RINGS),
      PHONE_DEFAULT_INTERVAL_SECONDS: String(DEMO_INTERVAL_SECONDS),
      // The tour rings the same phones again and again; production's abuse limits would refuse that.
      RESCUE_TARGET_COOLDOWN_SECONDS: '0',
      RESCUE_TARGET_PER_HOUR: '1000',
      RESCUE_REQUESTER_PER_MINUTE: '100',
      // The office's shared phone account: phones found in the call manager use it.
      PHONE_DEFAULT_USERNAME: DEMO_PHONE_USERNAME,
      PHONE_DEFAULT_PASSWORD: DEMO_PASSWORDS.office,
    });
    // Only loopback: the demo's phones live on 127.0.0.1 and nothing else may be reached.
    // Metrics as the bot has them (src/main.ts), served on a loopback port printed in the banner.
    const metrics = new Metrics();
    const metered = meteredStore(store, metrics);
    const phones = new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']), connectTimeoutMs: 1_000, responseTimeoutMs: 3_000, logger, observe: phoneObserver(metrics) });
    // A clock that `skip` moves forward, so a scheduled rescue can be shown without waiting for it.
    let skippedMs = 0;
    const clock = () => new Date(Date.now() + skippedMs);
    const callManager = connectCallManager(
      simCallManagerOptions(cucm.url, { phonePort: alice.port }),
      { limits: store.limits, logger, dataDir, clock },
    );
    cleanups.push(() => callManager?.close());
    const rescue: RescueDeps = rescueDeps(metered, { phones, settings, logger, clock, metrics, ...(callManager ? { callManager } : {}) });
    watchRescues(metrics, { rescue, phones, store });
    const metricsServer = await startHealthServer({ checks: { store: () => store.health() } }, 0, '127.0.0.1', { text: () => metrics.text() });
    cleanups.push(() => new Promise<void>((resolve) => metricsServer.server.close(() => resolve())));
    // You typed your phone's address; Alice typed her phone's device name (the call manager knows its address).
    for (const [user, address, phone] of [[YOU, you.address, you], [ALICE, DEMO_DEVICES.alice, alice]] as const) {
      await registerPhone(rescue, { teamId: DEMO_TEAM, userId: user.id, address, username: phone.username, password: phone.password, rings: DEMO_RINGS, intervalSeconds: DEMO_INTERVAL_SECONDS });
    }

    const screen = new Screen(out, { [DEMO_CHANNEL.id]: DEMO_CHANNEL.name });
    const botToken = `xoxb-demo-${randomBytes(8).toString('hex')}`;
    const standin = await SlackStandin.start({
      users: [YOU, ALICE, BOB, CAROL, HELPER_BOT],
      botToken,
      teamId: DEMO_TEAM,
      botUserId: 'U0RESCUERING',
      botId: 'B0RESCUERING',
      filesDir: outDir,
      onShow: (s) => screen.show(s),
    });
    cleanups.push(() => standin.stop());
    screen.attach(standin);

    // Every request reaches the app through the terminal receiver and app.processEvent; no HTTP or
    // Socket Mode receiver is built. With a receiver only botToken and apiUrl are read from the config.
    const config: SlackConfig = { mode: 'http', botToken, port: 0, healthPort: 0, host: '127.0.0.1', apiUrl: standin.apiUrl, metrics: { onSlackPort: false } };
    // What the manifest declares is what the app registered (read once a line is typed, when `bot` exists).
    const manifest = () => ({ commands: bot.registered.commands, shortcuts: bot.registered.shortcuts.filter((s) => s !== 'rescue_author') });
    const receiver = new TerminalReceiver({ standin, screen, out, channel: DEMO_CHANNEL, user: YOU.id, manifest });
    const bot = createSlackApp({ config, receiver, rescue, logger, history: (k, limit) => recentRescues(rescue, k, limit), botId: 'B0RESCUERING', botUserId: 'U0RESCUERING', retries: 0, timeoutMs: 5_000 });
    await bot.start();
    // Scheduled rescues, as in production (reported in DMs by the Slack reporter).
    const scheduler = startScheduler(rescue, { report: slackScheduleReporter(bot.app.client, { rescue, logger }) });
    cleanups.push(async () => {
      await bot.stop();
      await scheduler.stop();
      await rescue.active.drain(0);
      await bot.tasks.idle(5_000);
    });
    screen.watchPhone(you);
    screen.watchPhone(alice);
    screen.watchPhone(carol);
    cleanups.push(() => screen.stop());
    const phonesNow = { you, alice, carol };
    // The phone Alice has at the moment (it changes when she moves); each stopped at the end.
    cleanups.push(() => Promise.all([phonesNow.alice.stop(), carol.stop()]).then(() => undefined));

    const demo: Demo = {
      out,
      screen,
      standin,
      receiver,
      bot,
      rescue,
      phones: phonesNow,
      cucm,
      metricsUrl: `http://127.0.0.1:${metricsServer.port}/metrics`,
      outDir,
      logPath,
      run: (line) => runLine(demo, line),
      echoAndRun(line) {
        if (line.trim() !== '') out.line(`${out.paint(`${standin.userName(receiver.user)}>`, 'bold')} ${maskSecrets(line.trim())}`);
        return runLine(demo, line);
      },
      async skip(ms) {
        skippedMs += ms;
        await scheduler.tick();
      },
      now: clock,
      async idle(timeoutMs = 15_000) {
        const deadline = Date.now() + timeoutMs;
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        });
        // Scheduled rescues report in DMs once their rings are over.
        const reported = await Promise.race([scheduler.idle().then(() => true), late]);
        clearTimeout(timer);
        const done = reported && (await bot.tasks.idle(Math.max(0, deadline - Date.now())));
        // The phone watcher polls; give it time to print the last ring.
        await new Promise((resolve) => setTimeout(resolve, 150));
        return done && rescue.active.size === 0;
      },
      close: cleanup,
    };
    printBanner(demo, dataDir);
    return demo;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function printBanner(demo: Demo, dataDir: string): void {
  const { out, phones } = demo;
  out.line(out.paint('rescue-ring offline demo', 'bold'));
  out.line(`  Two simulated desk phones on this machine, registered through the real registerPhone use case:`);
  out.line(`    @you    → ${phones.you.address}  (user ${phones.you.username}, password stored encrypted)`);
  out.line(`    @alice  → ${DEMO_DEVICES.alice}, the device name: a simulated call manager says it is at ${phones.alice.address}`);
  out.line(`    @carol  registered nothing; the call manager lists ${DEMO_DEVICES.carol} for her e-mail`);
  out.line(`    @bob has no phone registered; @helperbot is a bot.`);
  out.line(`  Encrypted store: ${dataDir} (key made for this run; deleted on exit)`);
  out.line(`  Slack is a stand-in on ${demo.standin.url}; nothing leaves this machine.`);
  out.line(`  Metrics (Prometheus text, as the bot serves them on HEALTH_PORT): ${demo.metricsUrl}`);
  out.line(`  Screenshots are saved in ${demo.outDir}; the app's log is ${demo.logPath}`);
  out.line(`  ${out.paint('[slack]', 'blue', 'bold')} marks what Slack shows, ${out.paint('[phone]', 'yellow', 'bold')} what a phone did.`);
}

export const DEMO_HELP = [
  'Type what you would type in Slack:',
  '  /rescue, /rescue @alice, /rescue stop, /rescue help, /rescue @alice in 5m "Your taxi is here"',
  '  /phone (settings form), /phone test, /phone status, /phone forget, /phone-screenshot',
  'and, to act on what Slack shows:',
  '  click N            press button N (or click Stop: the newest button with that label)',
  '  submit a=1 b=2     submit the open form with these fields changed (e.g. submit password=... rings=2)',
  '  cancel             close the open form',
  '  home               open the App Home tab',
  '  shortcut NAME      run a global shortcut (rescue_me, phone_settings, phone_screenshot)',
  'Demo controls:',
  '  as alice           type as another person (you, alice, bob)',
  '  unplug alice       turn off Web Access on a phone (plug alice turns it back on)',
  '  call alice         put a phone on a call (hangup alice ends it): rescue-ring does not ring it',
  '  move alice         Alice\'s phone gets another address (DHCP); the call manager knows the new one',
  '  skip 1m            move the clock forward (scheduled rescues: /rescue in 1m, /rescue list)',
  '  wait [N]           wait N seconds, or until nothing is in progress (handy in piped input)',
  '  help, quit         this text; stop the demo (Ctrl-D or Ctrl-C work too)',
];

/** DHCP gives the phone another address: a phone with the same credentials answers there, the old address refuses. */
async function movePhone(demo: Demo, who: 'alice'): Promise<void> {
  const old = demo.phones[who];
  const host = `127.0.0.${Number(old.address.split(':')[0]!.split('.')[3]) + 2}`;
  const moved = await startPhone({ toneTimeScale: TONE_TIME_SCALE, name: old.name, username: old.username, password: old.password, model: 'CP-7841', host, port: old.port });
  await old.stop();
  demo.cucm.moveDevice(DEMO_DEVICES[who], host);
  demo.phones[who] = moved;
  demo.screen.watchPhone(moved);
  printNote(demo.out, `(${who}'s phone moved from ${old.address} to ${moved.address}; rescue-ring still has only its device name ${DEMO_DEVICES[who]}.)`);
}

/** Lets the phone watcher print a change made to a phone before the next line runs. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100));
}

async function runLine(demo: Demo, raw: string): Promise<boolean> {
  const line = raw.trim();
  if (line === '' || line.startsWith('#')) return true;
  try {
    if (await demo.receiver.handle(line)) return true;
  } catch (err) {
    printNote(demo.out, `That failed: ${isAppError(err) ? err.hint : err instanceof Error ? err.message : String(err)}`);
    return true;
  }
  const [verb = '', arg = ''] = line.split(/\s+/);
  switch (verb.toLowerCase()) {
    case 'quit':
    case 'exit':
      return false;
    case 'help':
    case '?':
      for (const l of DEMO_HELP) demo.out.line(`  ${l}`);
      return true;
    case 'wait': {
      // For piped input: lines arrive faster than the app answers.
      const seconds = Number(arg);
      if (arg !== '' && (!Number.isFinite(seconds) || seconds < 0 || seconds > 120)) printNote(demo.out, 'wait takes a number of seconds (0 to 120), or nothing to wait until all is quiet.');
      else if (arg === '') await demo.idle();
      else await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      return true;
    }
    case 'skip': {
      const m = /^(\d{1,4})\s*(m|min|minutes?|h|hours?)$/i.exec(arg);
      if (!m) printNote(demo.out, 'skip takes minutes or hours, e.g. skip 1m or skip 2h.');
      else {
        const ms = Number(m[1]) * (/^h/i.test(m[2]!) ? 3_600_000 : 60_000);
        printNote(demo.out, `(The demo's clock moves to ${new Date(demo.now().getTime() + ms).toTimeString().slice(0, 8)}.)`);
        await demo.skip(ms);
      }
      return true;
    }
    case 'as': {
      const user = demo.standin.userByName(arg);
      if (!user || user.is_bot) printNote(demo.out, `Type as whom? you, alice, bob or carol.`);
      else {
        demo.receiver.user = user.id;
        printNote(demo.out, `You are now typing as @${user.name}.`);
      }
      return true;
    }
    case 'call':
    case 'hangup': {
      const phone = arg === 'you' || arg === 'alice' ? demo.phones[arg] : undefined;
      if (!phone) printNote(demo.out, `Which phone? ${verb} you, or ${verb} alice.`);
      else {
        phone.setOnCall(verb.toLowerCase() === 'call');
        await settle();
      }
      return true;
    }
    case 'move': {
      if (arg !== 'alice') printNote(demo.out, 'Only Alice\'s phone is known to the call manager by name: move alice.');
      else await movePhone(demo, 'alice');
      return true;
    }
    case 'unplug':
    case 'plug': {
      const phone = arg === 'you' || arg === 'alice' ? demo.phones[arg] : undefined;
      if (!phone) printNote(demo.out, `Which phone? ${verb} you, or ${verb} alice.`);
      else {
        await phone.setFault('webAccessDisabled', verb.toLowerCase() === 'unplug');
        await settle();
      }
      return true;
    }
    default:
      printNote(demo.out, `I do not know "${maskSecrets(line).slice(0, 60)}". Type help for what you can do.`);
      return true;
  }
}
