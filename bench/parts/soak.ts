/**
 * Soak: ten minutes of an office's mixed traffic, compressed into 60 s (SOAK_SECONDS=600 runs it in
 * real time): rescues of yourself and of colleagues, test rings, screenshots, status checks and
 * settings modal submissions, all through Bolt's real HTTP receiver with signed requests, while
 * about 5% of the phones are failing at any moment (hang, reset, garbage, HTTP 500, refused; which
 * ones changes every 2 s) and 5% of the Web API calls the bot makes answer 429 with Retry-After.
 * Reports requests handled, outcomes and errors by class (from the audit log and the acks), Slack
 * 429s served, and each figure beside its floor in the same run: RSS at end beside RSS at start
 * (after a full GC each; target at most 1.10x), requests handled beside requests sent (target: all),
 * JS heap at end beside at start, and the acks' latency beside that of /healthz on the same port,
 * probed at the same moments (every HEALTHZ_EVERY_MS), so the bot's event loop weighs on both alike.
 *
 * The bot runs alone in this process. The phones, the fake Slack (behind a proxy that injects the
 * 429s) and the load generator run in a child process (this file with BENCH_SOAK_CHILD=world).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { request } from 'undici';
import type { BenchSection } from '../run.js';
import type { RatioRow } from '../support/ratio.js';
import { load1 } from '../support/proc.js';
import { summarize } from '../support/stats.js';

const SIMULATED_SECONDS = 600;
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const COMPRESSION = SIMULATED_SECONDS / SECONDS;
/** Requests per second of the uncompressed office (about 100 people using it a lot). */
const BASE_RATE = 2;
const RATE = BASE_RATE * COMPRESSION;
const WARMUP_SECONDS = 5;
const USERS = 100;
const PHONE_FAULT_SHARE = 0.05;
const SLACK_429_SHARE = 0.05;
const TARGET_RSS_RATIO = 1.1;
/** The load generator also GETs /healthz on the bot's port this often, timed: the acks' latency floor. */
const HEALTHZ_EVERY_MS = 100;
const SECRET = 'bench-soak-signing-secret';
const FAULTS = ['hang', 'reset', 'garbage', 'http500', 'webAccessDisabled'] as const;

/** The traffic mix: what share of requests is what. */
const MIX: [kind: string, weight: number][] = [
  ['rescue (own phone)', 30],
  ['rescue (a colleague)', 10],
  ['test ring', 15],
  ['screenshot', 10],
  ['status', 15],
  ['settings submission', 20],
];

const userId = (i: number) => `USOAK${String(i).padStart(4, '0')}`;

interface Ready {
  apiUrl: string;
  responseBase: string;
  phones: { address: string; username: string; password: string }[];
}

interface Traffic {
  sent: number;
  byKind: Record<string, number>;
  acks: Record<string, number>;
  ackFailures: string[];
  slackCalls: number;
  slack429: number;
  phoneFaultSwitches: number;
  /** Soak phase only: each request's time to its ack, and each /healthz probe's answer time, in ms. */
  ackMs: number[];
  healthzMs: number[];
}

// ---- child: phones, fake Slack behind a 429-injecting proxy, load generator ----------------

async function worldRole(): Promise<void> {
  const { startPhone } = await import('../../src/sim/index.js');
  const { FakeSlack } = await import('../../test/support/fake-slack.js');
  const req = await import('../../test/support/slack-requests.js');

  const phones = await Promise.all(Array.from({ length: USERS }, (_, i) => startPhone({ name: `p${i}`, toneTimeScale: 0.05 })));
  const fake = await FakeSlack.start({ users: phones.map((_, i) => ({ id: userId(i), name: `user${i}` })), teamId: 'T1' });
  let slackCalls = 0;
  let slack429 = 0;
  const proxy = createServer((inReq: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of inReq) chunks.push(c as Buffer);
      slackCalls += 1;
      if (inReq.url?.startsWith('/api/') && Math.random() < SLACK_429_SHARE) {
        slack429 += 1;
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"ok":false,"error":"ratelimited"}');
        return;
      }
      const headers = { ...inReq.headers };
      delete headers.host;
      delete headers['content-length'];
      const r = await request(`${fake.url}${inReq.url ?? '/'}`, { method: (inReq.method ?? 'POST') as 'POST', headers, body: Buffer.concat(chunks) });
      const body = Buffer.from(await r.body.arrayBuffer());
      res.writeHead(r.statusCode, { 'content-type': String(r.headers['content-type'] ?? 'application/json') }).end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const ready: Ready = { apiUrl: `${proxyUrl}/api/`, responseBase: fake.responseUrl('x').slice(0, -1), phones: phones.map((p) => ({ address: p.address, username: p.username, password: p.password })) };
  process.stdout.write(JSON.stringify({ ready }) + '\n');

  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const { port } = JSON.parse((await lines.next()).value as string) as { port: number };
  const url = `http://127.0.0.1:${port}/slack/events`;
  const healthzUrl = `http://127.0.0.1:${port}/healthz`;

  // ~5% of the phones failing at any moment; which ones (and how) changes every 2 s.
  let phoneFaultSwitches = 0;
  const faulty = new Map<number, (typeof FAULTS)[number]>();
  const shuffleFaults = async () => {
    for (const [i, f] of faulty) await phones[i]!.setFault(f, false);
    faulty.clear();
    while (faulty.size < Math.round(USERS * PHONE_FAULT_SHARE)) faulty.set(Math.floor(Math.random() * USERS), FAULTS[Math.floor(Math.random() * FAULTS.length)]!);
    for (const [i, f] of faulty) await phones[i]!.setFault(f, true);
    phoneFaultSwitches += 1;
  };
  await shuffleFaults();
  const faultTimer = setInterval(() => void shuffleFaults(), 2_000);

  const traffic: Traffic = { sent: 0, byKind: {}, acks: {}, ackFailures: [], slackCalls: 0, slack429: 0, phoneFaultSwitches: 0, ackMs: [], healthzMs: [] };
  const totalWeight = MIX.reduce((n, [, w]) => n + w, 0);
  const pick = () => {
    let r = Math.random() * totalWeight;
    for (const [kind, w] of MIX) if ((r -= w) < 0) return kind;
    return MIX[0]![0];
  };
  let n = 0;
  const one = async (kind: string) => {
    const u = Math.floor(Math.random() * USERS);
    const user = userId(u);
    const responseUrl = `${ready.responseBase}s${n++}`;
    const command = (c: string, text = '') => req.slashCommand(SECRET, { command: c, text, user_id: user, team_id: 'T1', response_url: responseUrl });
    let signed;
    switch (kind) {
      case 'rescue (own phone)':
        signed = command('/rescue');
        break;
      case 'rescue (a colleague)':
        signed = command('/rescue', `<@${userId((u + 1 + Math.floor(Math.random() * (USERS - 1))) % USERS)}|someone>`);
        break;
      case 'test ring':
        signed = command('/phone', 'test');
        break;
      case 'screenshot':
        signed = command('/phone-screenshot');
        break;
      case 'status':
        signed = command('/phone', 'status');
        break;
      default: {
        const p = ready.phones[u]!;
        const text = (value: string | null) => ({ value: { type: 'plain_text_input', value } });
        signed = req.interaction(
          SECRET,
          req.viewSubmission(user, 'phone_settings_modal', {
            address: text(p.address),
            username: text(p.username),
            password: text(Math.random() < 0.5 ? p.password : null),
            tone: { value: { type: 'static_select', selected_option: { value: Math.random() < 0.5 ? 'Classic1.raw' : 'Chime.raw' } } },
            rings: { value: { type: 'number_input', value: '2' } },
            interval: { value: { type: 'number_input', value: '1' } },
            permission: { value: { type: 'radio_buttons', selected_option: { value: 'anyone' } } },
            buddies: { value: { type: 'multi_users_select', selected_users: [] } },
          }),
        );
      }
    }
    traffic.sent += 1;
    traffic.byKind[kind] = (traffic.byKind[kind] ?? 0) + 1;
    try {
      const t0 = performance.now();
      const r = await req.send(url, signed);
      traffic.ackMs.push(performance.now() - t0);
      const key = r.status === 200 ? 'HTTP 200' : `HTTP ${r.status}`;
      traffic.acks[key] = (traffic.acks[key] ?? 0) + 1;
      if (r.status !== 200 && traffic.ackFailures.length < 5) traffic.ackFailures.push(`${kind}: ${r.status} ${r.text.slice(0, 80)}`);
    } catch (err) {
      traffic.acks['no answer'] = (traffic.acks['no answer'] ?? 0) + 1;
      if (traffic.ackFailures.length < 5) traffic.ackFailures.push(`${kind}: ${(err as Error).message}`);
    }
  };

  // The floor of the acks' latency: /healthz on the same port (Bolt's custom route), the same client.
  const probe = async () => {
    try {
      const t0 = performance.now();
      const r = await fetch(healthzUrl);
      await r.arrayBuffer();
      if (r.status === 200) traffic.healthzMs.push(performance.now() - t0);
    } catch {
      // not counted: a probe that failed has no latency
    }
  };

  // Open loop at RATE requests per second (Poisson arrivals), like people typing.
  const run = async (seconds: number) => {
    const end = Date.now() + seconds * 1000;
    const inflight = new Set<Promise<void>>();
    const probes = setInterval(() => {
      const p = probe().finally(() => inflight.delete(p));
      inflight.add(p);
    }, HEALTHZ_EVERY_MS);
    while (Date.now() < end) {
      const p = one(pick()).finally(() => inflight.delete(p));
      inflight.add(p);
      await new Promise((r) => setTimeout(r, -Math.log(1 - Math.random()) * (1000 / RATE)));
    }
    clearInterval(probes);
    await Promise.all(inflight);
  };
  for (;;) {
    const line = (await lines.next()).value as string | undefined;
    if (line === undefined || line.includes('stop')) break;
    const { phase } = JSON.parse(line) as { phase: 'warmup' | 'soak' };
    if (phase === 'warmup') await run(WARMUP_SECONDS);
    else {
      const before = { ...traffic, byKind: { ...traffic.byKind }, acks: { ...traffic.acks } };
      const calls0 = slackCalls;
      const r0 = slack429;
      const switches0 = phoneFaultSwitches;
      traffic.ackMs = [];
      traffic.healthzMs = [];
      await run(SECONDS);
      const diff = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]));
      // Let the last rings and posts finish before counting Slack calls.
      await new Promise((r) => setTimeout(r, 4_000));
      const out: Traffic = {
        sent: traffic.sent - before.sent,
        byKind: diff(traffic.byKind, before.byKind),
        acks: diff(traffic.acks, before.acks),
        ackFailures: traffic.ackFailures,
        slackCalls: slackCalls - calls0,
        slack429: slack429 - r0,
        phoneFaultSwitches: phoneFaultSwitches - switches0,
        ackMs: traffic.ackMs,
        healthzMs: traffic.healthzMs,
      };
      process.stdout.write(JSON.stringify({ traffic: out }) + '\n');
    }
    process.stdout.write(JSON.stringify({ done: phase }) + '\n');
  }
  clearInterval(faultTimer);
  proxy.closeAllConnections();
  proxy.close();
  await Promise.all(phones.map((p) => p.stop()));
  await fake.stop();
  process.exit(0);
}

if (process.env.BENCH_SOAK_CHILD === 'world') await worldRole();

// ---- parent: the bot -------------------------------------------------------------------------

class Child {
  private readonly lines: AsyncIterator<string>;
  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stderr.on('data', (d: Buffer) => process.stderr.write(`soak world: ${d.toString()}`));
  }
  async next<T>(): Promise<T> {
    const r = await this.lines.next();
    if (r.done) throw new Error('the soak world process exited');
    return JSON.parse(r.value) as T;
  }
  send(value: unknown): void {
    this.child.stdin.write(JSON.stringify(value) + '\n');
  }
  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send('stop');
    await exited;
  }
}

/** A full garbage collection, so RSS and heap are compared without garbage waiting to be collected. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function run(): Promise<BenchSection> {
  const { rescueSettingsFromEnv } = await import('../../src/config/index.js');
  const { createLogger } = await import('../../src/log.js');
  const { createNetworkPolicy, PhoneClient } = await import('../../src/phone/index.js');
  const { rescueDeps } = await import('../../src/rescue/index.js');
  const { createSlackApp } = await import('../../src/slack/app.js');
  const { openFullStore } = await import('../../src/store/index.js');

  const loadAtStart = load1();
  const world = new Child(spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_SOAK_CHILD: 'world' }, stdio: ['pipe', 'pipe', 'pipe'] }));
  const { ready } = await world.next<{ ready: Ready }>();

  // Warnings and errors the bot logs, counted by message (the log itself is not kept).
  const logged: Record<string, number> = {};
  const logger = createLogger({
    level: 'warn',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.trim() === '') continue;
          const { msg, level } = JSON.parse(line) as { msg?: string; level?: number };
          // One row per message, whatever the port of the loopback fake Slack was.
          const key = `${level === 40 ? 'warn' : 'error'}: ${(msg ?? '?').replace(/http:\/\/127\.0\.0\.1:\d+/g, 'SLACK')}`;
          logged[key] = (logged[key] ?? 0) + 1;
        }
        cb();
      },
    }),
  });
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-bench-soak-'));
  const store = await openFullStore({ dataDir: dir, production: true, keys: `k1:${randomBytes(32).toString('base64')}`, keyId: 'k1' }, { logger });
  const settings = rescueSettingsFromEnv({
    PHONE_DEFAULT_RINGS: '2',
    PHONE_DEFAULT_INTERVAL_SECONDS: '1',
    PHONE_TONES: 'Classic1.raw,Chime.raw',
    RESCUE_TARGET_COOLDOWN_SECONDS: '10',
    RESCUE_TARGET_PER_HOUR: '100000',
    RESCUE_REQUESTER_PER_MINUTE: '30',
  });
  const rescue = rescueDeps(store, {
    phones: new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']), logger, responseTimeoutMs: 1_500, connectTimeoutMs: 1_000 }),
    settings,
    logger,
  });
  for (let i = 0; i < ready.phones.length; i++) {
    const p = ready.phones[i]!;
    await store.directory.put({ teamId: 'T1', userId: userId(i), address: p.address, username: p.username, password: p.password });
  }
  const bot = createSlackApp({
    config: { mode: 'http', botToken: 'xoxb-bench-soak', signingSecret: SECRET, port: 0, healthPort: 0, host: '127.0.0.1', apiUrl: ready.apiUrl },
    rescue,
    logger,
    botId: 'BSOAK',
    botUserId: 'USOAKBOT',
    retries: 2,
    timeoutMs: 5_000,
  });
  const { port } = await bot.start({ port: 0, host: '127.0.0.1' });
  world.send({ port });

  world.send({ phase: 'warmup' });
  await world.next<{ done: string }>();
  await rescue.active.drain(10_000);
  await bot.tasks.idle(10_000);
  const soakStart = new Date();
  collect();
  const start = process.memoryUsage();
  let peakRss = start.rss;
  const samples: number[] = [];
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    samples.push(rss);
  }, 250);

  world.send({ phase: 'soak' });
  const { traffic } = await world.next<{ traffic: Traffic }>();
  await world.next<{ done: string }>();
  await rescue.active.drain(10_000);
  await bot.tasks.idle(10_000);
  clearInterval(sampler);
  collect();
  const end = process.memoryUsage();

  const entries = await store.audit.query({ since: soakStart, limit: 10_000 });
  const outcomes: Record<string, number> = {};
  for (const e of entries) {
    const why = e.errorClass ?? (e.outcome !== 'ok' ? e.detail : undefined);
    const key = `${e.action} ${e.outcome}${why ? ` (${why})` : ''}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  await world.stop();
  await bot.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  const mb = (b: number) => b / 2 ** 20;
  const handled = traffic.acks['HTTP 200'] ?? 0;
  const acks = summarize(traffic.ackMs);
  const healthz = summarize(traffic.healthzMs);
  const ratios: RatioRow[] = [
    { figure: 'RSS at end (after the last ring, after a full GC)', value: mb(end.rss), floor: 'RSS at start (after warm-up, after a full GC)', floorValue: mb(start.rss), unit: 'MB', target: { atMost: TARGET_RSS_RATIO } },
    { figure: 'peak RSS during the soak (sampled every 250 ms)', value: mb(peakRss), floor: 'RSS at start', floorValue: mb(start.rss), unit: 'MB' },
    { figure: 'JS heap used at end (after a full GC)', value: mb(end.heapUsed), floor: 'JS heap used at start (after a full GC)', floorValue: mb(start.heapUsed), unit: 'MB' },
    { figure: 'requests handled (HTTP 200 ack)', value: handled, floor: 'requests sent', floorValue: traffic.sent, unit: 'requests', target: { atLeast: 1 } },
    { figure: `time to ack, p50 (${acks.n} requests of every kind)`, value: acks.p50, floor: `GET /healthz on the same port, p50 (${healthz.n} probes, same moments)`, floorValue: healthz.p50, unit: 'ms' },
    { figure: 'time to ack, p99', value: acks.p99, floor: 'GET /healthz on the same port, p99', floorValue: healthz.p99, unit: 'ms' },
  ];
  // Every target of this part is a ratio (checked by run.ts).
  const ok = true;
  const table = (rows: Record<string, number>) =>
    Object.entries(rows)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `| ${k} | ${v} |`)
      .join('\n');
  const markdown = [
    `${SIMULATED_SECONDS / 60} minutes of mixed traffic compressed into ${SECONDS} s (${RATE.toFixed(0)} requests/s intended, Poisson arrivals; ${traffic.sent} sent, as the open loop's timers fall behind on a busy machine) from ${USERS} people with a simulated phone each, through Bolt's HTTP receiver with signed requests, after ${WARMUP_SECONDS} s of warm-up. About ${PHONE_FAULT_SHARE * 100}% of the phones fail at any moment (hang, reset, garbage, HTTP 500 or refused; reshuffled every 2 s, ${traffic.phoneFaultSwitches} times), and ${SLACK_429_SHARE * 100}% of the bot's Web API calls answer 429 (Retry-After: 1). Limits on: 10 s cooldown per person, 30 rescues per requester per minute. SOAK_SECONDS=600 runs the ten minutes in real time.`,
    '',
    `Memory is the bot's process (RSS and V8's heap used), after a full GC at the start (after warm-up, every ring of it ended) and at the end (after the last ring). Time to ack is measured by the load generator, from sending a signed request to its answer; the load generator also GETs /healthz on the bot's port (Bolt's custom route, no work behind it) every ${HEALTHZ_EVERY_MS} ms with the same client, so both wait for the same event loops (the bot's, and the load generator's, which it shares with the phones) at the same moments. ${cpus().length} CPUs shared with other work: 1-minute load ${loadAtStart.toFixed(1)} at the start, ${load1().toFixed(1)} at the end.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| Slack Web API calls and response_url posts made by the bot | ${traffic.slackCalls} |`,
    `| of which answered 429 | ${traffic.slack429} |`,
    '',
    'Requests by kind:',
    '',
    '| kind | requests |',
    '|---|---|',
    table(traffic.byKind),
    '',
    'Outcomes and errors by class (audit log of the soak period; refusals are the limits and "already ringing" working as intended):',
    '',
    '| action, outcome (error class) | count |',
    '|---|---|',
    table(outcomes),
    '',
    'Warnings and errors the bot logged, by message:',
    '',
    '| level: message | count |',
    '|---|---|',
    Object.keys(logged).length > 0 ? table(logged) : '| (none) | 0 |',
    '',
    `Acks: ${Object.entries(traffic.acks).map(([k, v]) => `${k} × ${v}`).join(', ')}${traffic.ackFailures.length ? `; first failures: ${traffic.ackFailures.join('; ')}` : ''}. The bot runs alone in the measured process (under tsx); the phones, the fake Slack with its 429 proxy, and the load generator share a child process on the same ${cpus().length} CPUs.`,
  ].join('\n');
  return { title: 'Soak: mixed traffic with faults', command: 'npm run bench -- soak', markdown, ratios, ok };
}
