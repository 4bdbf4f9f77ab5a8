/**
 * Slack app under load, measured from outside as Slack would see it: 1,000 signed `/rescue`
 * requests, 50 in flight at a time, each from a different user ringing their own simulated phone
 * (2 s per Play; every 20th phone hangs).
 *
 * Three processes, as in production:
 *   - the bot, compiled (`npm run build`) and started with `node dist/main.js` in HTTP mode, configured
 *     only through its environment (SQLite store in a temp DATA_DIR with a generated key, production mode);
 *   - the world (bench/support/world-child.ts): the 1,050 simulated phones and the fake Slack;
 *   - this process: the load generator (one keep-alive undici Client per worker) and the measurements.
 * Measures client-side ack latency, request -> first Play at the phone (the phones' request logs
 * against send times), the bot's peak RSS (/proc/PID/status VmHWM) and its CPU time per request.
 * BENCH_CPU_PROF=DIR writes a V8 CPU profile of the bot there (node --cpu-prof); BENCH_BOT_NODE_ARGS adds
 * node flags to the bot (space-separated, e.g. "--trace-gc"; its output lands in the bot's log tail).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyLine } from '../../src/store/index.js';
import type { BenchSection } from '../run.js';
import { buildBot, startBot } from '../support/bot-process.js';
import { startFloorServer } from '../support/floor-server.js';
import { openConnections, sendCommands, type LoadRequest } from '../support/load.js';
import { load1 } from '../support/proc.js';
import { seedPhones } from '../support/seed.js';
import { summarize, type Summary } from '../support/stats.js';
import { measureTransportCost } from '../support/transport-cost.js';
import { World } from '../support/world.js';

const REQUESTS = 1000;
/** Sent first from their own users and phones (none hanging) and not counted: JIT warm-up. */
const WARMUP = 50;
const CONCURRENCY = 50;
const HANG_EVERY = 20; // 5% of the measured phones hang
const PLAY_MS = 2000;
const TARGET_ACK_P99_MS = 25;
/** Slack shows the user an error when the ack takes 3 s; "none near" it: every ack under a third of that. */
const TARGET_ACK_MAX_MS = 1000;
const TARGET_FIRST_PLAY_P99_MS = 100;
const TARGET_RSS_MB = 200;
const SECRET = 'bench-signing-secret';
/** The bot's default phone timeout is 15 s; a hanging phone's rescue ends after its call check (2 s) and that. */
const SETTLE_TIMEOUT_MS = 60_000;
const ACK_TEXT = 'Ringing your phone';

const userId = (i: number) => `UB${String(i).padStart(5, '0')}`;

/** The same load against a bare node:http server (floor-server.ts): what the machine and Node alone cost. */
async function measureFloor(): Promise<{ ack: Summary; cpuPerRequestMs: number }> {
  const floor = await startFloorServer(SECRET, ACK_TEXT);
  const pool = openConnections(floor.url, CONCURRENCY);
  const requests: LoadRequest[] = Array.from({ length: WARMUP + REQUESTS }, (_, i) => ({ userId: userId(i), responseUrl: `http://127.0.0.1:9/response/f${i}` }));
  const options = { url: floor.url, signingSecret: SECRET, concurrency: CONCURRENCY, expect: ACK_TEXT };
  await sendCommands(pool, requests.slice(0, WARMUP), options);
  const cpu0 = floor.cpuMs();
  const measured = await sendCommands(pool, requests.slice(WARMUP), options);
  const cpuPerRequestMs = (floor.cpuMs() - cpu0) / REQUESTS;
  await pool.close();
  await floor.stop();
  if (measured.failures.length > 0) throw new Error(`the floor server gave bad answers: ${measured.failures[0]}`);
  return { ack: summarize(measured.latencyMs), cpuPerRequestMs };
}

export async function run(): Promise<BenchSection> {
  const loadAtStart = load1();
  buildBot();
  const floor = await measureFloor();
  const total = WARMUP + REQUESTS;
  const hangs = (i: number) => i >= WARMUP && (i - WARMUP) % HANG_EVERY === HANG_EVERY - 1;
  const world = await World.start({ phones: Array.from({ length: total }, (_, i) => ({ hang: hangs(i) })), playMs: PLAY_MS });

  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-bench-slack-'));
  const key = generateKeyLine();
  const storeEnv = { DATA_DIR: dir, STORE_KEYS: key.line, STORE_KEY_ID: key.id, NODE_ENV: 'production' };
  await seedPhones(
    storeEnv,
    world.ready.phones.map((p, i) => ({ teamId: 'T1', userId: userId(i), address: p.address, username: p.username, password: p.password, permission: 'anyone' as const })),
  );
  const profDir = process.env.BENCH_CPU_PROF;
  const bot = await startBot({
    cwd: dir,
    env: {
      ...storeEnv,
      SLACK_SOCKET_MODE: 'false',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: world.ready.apiUrl,
      PHONE_ALLOWED_NETWORKS: '127.0.0.0/8',
      LOG_LEVEL: 'warn',
    },
    traceGc: true,
    nodeArgs: [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), ...(process.env.BENCH_BOT_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
  });
  const rssAtReady = bot.memory().rssMb;
  const pool = openConnections(bot.url, CONCURRENCY);
  const requests: LoadRequest[] = Array.from({ length: total }, (_, i) => ({ userId: userId(i), responseUrl: `${world.ready.responseUrlBase}b${i}` }));
  const options = { url: bot.url, signingSecret: SECRET, concurrency: CONCURRENCY, expect: ACK_TEXT };

  const warm = await sendCommands(pool, requests.slice(0, WARMUP), options);
  const warmFinals = await world.waitForFinals(WARMUP, SETTLE_TIMEOUT_MS);
  const cpuBefore = bot.cpuMs();
  const worldCpuBefore = world.cpuMs();
  const benchCpuBefore = process.cpuUsage();
  const measured = await sendCommands(pool, requests.slice(WARMUP), options);
  const cpuAcks = bot.cpuMs() - cpuBefore;
  const finals = (await world.waitForFinals(total, SETTLE_TIMEOUT_MS)) - warmFinals;
  const cpuAll = bot.cpuMs() - cpuBefore;
  const worldCpu = world.cpuMs() - worldCpuBefore;
  const benchCpuUsage = process.cpuUsage(benchCpuBefore);
  const benchCpu = (benchCpuUsage.user + benchCpuUsage.system) / 1000;
  const report = await world.report();
  const memory = bot.memory();
  const gc = bot.gc();
  await pool.close();
  const exitCode = await bot.stop();
  const warnings = bot
    .output()
    .split('\n')
    .filter((l) => /"level":(40|50|60)/.test(l));
  await world.stop();
  rmSync(dir, { recursive: true, force: true });
  const loadAtEnd = load1();
  const transport = measureTransportCost();

  // BENCH_SLACK_DUMP=FILE keeps the raw per-request figures (send time, ack latency, first contact, first Play).
  if (process.env.BENCH_SLACK_DUMP) writeFileSync(process.env.BENCH_SLACK_DUMP, JSON.stringify({ measured, phones: report.phones.slice(WARMUP) }));
  const firstPlay: number[] = [];
  const firstPlayHanging: number[] = [];
  const firstContact: number[] = [];
  for (let k = 0; k < REQUESTS; k++) {
    const i = WARMUP + k;
    const phone = report.phones[i]!;
    const sent = measured.sentAt[k]!;
    if (phone.firstContactAt !== null) firstContact.push(phone.firstContactAt - sent);
    if (phone.firstPlayAt !== null) (hangs(i) ? firstPlayHanging : firstPlay).push(phone.firstPlayAt - sent);
  }
  const answering = REQUESTS - Math.floor(REQUESTS / HANG_EVERY);
  const ack = summarize(measured.latencyMs);
  const play = summarize(firstPlay);
  const ackOk = ack.p99 < TARGET_ACK_P99_MS && ack.max < TARGET_ACK_MAX_MS;
  const playOk = play.p99 < TARGET_FIRST_PLAY_P99_MS && play.n === answering;
  const rssOk = memory.peakMb < TARGET_RSS_MB;
  const ok = measured.failures.length === 0 && warm.failures.length === 0 && ackOk && playOk && rssOk && finals === REQUESTS;

  const f = (n: number) => n.toFixed(1);
  const row = (label: string, s: Summary, target: string, met?: boolean) => `| ${label} | ${f(s.p50)} | ${f(s.p99)} | ${f(s.max)} | ${target} | ${met === undefined ? '' : met ? 'met' : '**missed**'} |`;
  const warmAck = summarize(warm.latencyMs);
  const perSecond = (REQUESTS / measured.elapsedMs) * 1000;
  const outcomes = new Map<string, number>();
  for (const { responseId, text } of report.finals) {
    if (Number(responseId.slice(1)) < WARMUP) continue;
    const kind = /Your phone rang \d+ times?/.exec(text)?.[0] ?? (text.includes('I could not ring') ? `could not ring (${/timed out|did not answer|not answer/i.test(text) ? 'no answer' : 'other'})` : text.slice(0, 40));
    outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
  }
  const markdown = [
    `${REQUESTS} signed \`/rescue\` requests from ${REQUESTS} users, each ringing their own simulated phone, ${CONCURRENCY} in flight at all times (closed loop), after ${WARMUP} warm-up requests from other users whose rescues ran to the end first. Each phone takes ${PLAY_MS / 1000} s per Play; every ${HANG_EVERY}th measured phone (${REQUESTS / HANG_EVERY}) hangs: it accepts connections and never answers. The bot runs with its production defaults (3 rings 3 s apart, call check before each Play with its 2 s budget, 15 s phone timeout, default rescue limits: every request comes from a different user).`,
    '',
    '**Method.** Three processes on one machine: (1) the bot, compiled with `npm run build` and started as `node dist/main.js` in HTTP mode (`SLACK_SOCKET_MODE=false`, `NODE_ENV=production`, `LOG_LEVEL=warn`, SQLite store in a temp `DATA_DIR` with a generated `STORE_KEYS` key, `PHONE_ALLOWED_NETWORKS=127.0.0.0/8`, `SLACK_API_URL` on the fake Slack; working directory without a `.env`), its users\' phones registered in its store before it starts; (2) the world: the simulated phones (src/sim) and the fake Slack (Web API and response_urls) under tsx; (3) the bench: the load generator, sending requests signed with the signing secret over 50 keep-alive connections (an undici Client each, one per worker), as Slack does. Ack latency is measured by the load generator (request handed to the pool -> answer read). Time to first Play is the phone\'s log time of its first `POST /CGI/Execute` minus the time the request was sent (`Date.now()` in both processes). Peak RSS is the bot\'s `VmHWM` from `/proc/PID/status` (its whole life: start, warm-up, run, rings ending). Bot CPU is `utime + stime` from `/proc/PID/stat`. The bot runs with `--trace-gc` (V8 prints a line per collection; it changes no decision), read for the JS heap figures.',
    '',
    `**Machine.** ${cpus().length} CPUs shared with other work: 1-minute load average ${loadAtStart.toFixed(1)} when the run started and ${loadAtEnd.toFixed(1)} when it ended (a load above ${cpus().length} means processes were waiting for a CPU; the figures below were measured under that load). On this shared machine the latency figures vary several-fold from run to run with the other work; the floor row, measured in the same run, calibrates them.`,
    '',
    '| measure | p50 | p99 | max | target | result |',
    '|---|---|---|---|---|---|',
    row('ack latency, request sent -> HTTP answer (ms)', ack, `p99 < ${TARGET_ACK_P99_MS}, max < ${TARGET_ACK_MAX_MS}`, ackOk),
    row(`ack latency without the first ${CONCURRENCY} requests (they arrive together on ${CONCURRENCY} new connections; see below) (ms)`, summarize(measured.latencyMs.slice(CONCURRENCY)), '', undefined),
    row(`request sent -> first Play at the phone, ${play.n} answering phones (ms)`, play, `p99 < ${TARGET_FIRST_PLAY_P99_MS}`, playOk),
    row('request sent -> first request of any kind at the phone (the call check), all phones (ms)', summarize(firstContact), '', undefined),
    row(`request sent -> first Play, ${firstPlayHanging.length} hanging phones (call check waits its 2 s budget, then rings anyway) (ms)`, summarize(firstPlayHanging), '', undefined),
    row(`ack latency of the ${WARMUP} warm-up requests, cold process (ms)`, warmAck, '', undefined),
    row('floor: the same requests to a bare node:http server that checks the signature and answers (ms)', floor.ack, '', undefined),
    '',
    '| measure | value | target | result |',
    '|---|---|---|---|',
    `| peak RSS of the bot process (VmHWM) | ${f(memory.peakMb)} MB (${f(rssAtReady)} MB when ready, ${f(memory.rssMb)} MB after the run) | < ${TARGET_RSS_MB} MB | ${rssOk ? 'met' : '**missed**'} |`,
    `| JS heap (V8 --trace-gc): largest before a collection / largest still alive after a full collection | ${gc ? `${f(gc.peakHeapMb)} MB / ${f(gc.peakLiveAfterFullGcMb)} MB (${gc.markCompacts} full and ${gc.scavenges} young collections, ${f(gc.pauseMs)} ms paused in all)` : 'n/a'} | | |`,
    `| requests acked per second (closed loop, ${CONCURRENCY} in flight) | ${perSecond.toFixed(0)} | | |`,
    `| bot CPU per request while the requests arrive (acks and the rings they started) | ${(cpuAcks / REQUESTS).toFixed(2)} ms | | |`,
    `| bot CPU per request, whole rescue (until every outcome was posted) | ${(cpuAll / REQUESTS).toFixed(2)} ms | | |`,
    `| CPU used on the same machine by the bench itself from the first measured request until every outcome was posted: phones + fake Slack / load generator | ${(worldCpu / 1000).toFixed(1)} s / ${(benchCpu / 1000).toFixed(1)} s (the bot: ${(cpuAll / 1000).toFixed(1)} s) | | |`,
    `| CPU per phone request (compiled; client and simulated phone in one process, sequential): PhoneClient.execute / bare undici Client opened and destroyed per request / node:http with agent: false | ${transport.phoneClientMs.toFixed(2)} / ${transport.undiciClientMs.toFixed(2)} / ${transport.nodeHttpMs.toFixed(2)} ms | | |`,
    `| floor: CPU per request of the bare node:http server | ${floor.cpuPerRequestMs.toFixed(2)} ms | | |`,
    `| bad acks | ${measured.failures.length + warm.failures.length}${measured.failures[0] ? ` (first: ${measured.failures[0]})` : ''} | 0 | ${measured.failures.length + warm.failures.length === 0 ? 'met' : '**missed**'} |`,
    `| outcomes posted to response_urls | ${finals} of ${REQUESTS} (${[...outcomes].map(([k, n]) => `${k}: ${n}`).join('; ')}) | all | ${finals === REQUESTS ? 'met' : '**missed**'} |`,
    `| warnings/errors the bot logged | ${warnings.length} | | |`,
    `| bot exit code after SIGTERM | ${exitCode} | 0 | ${exitCode === 0 ? 'met' : '**missed**'} |`,
    '',
    '',
    `Reading the figures. With ${CONCURRENCY} requests always in flight, each request waits for the ones ahead of it: the mean ack latency is ${CONCURRENCY} divided by the throughput (Little's law). Everything the bot does runs on one event loop, so its throughput is roughly one request per "bot CPU per request while the requests arrive" (the ack itself plus the call checks, Plays and Slack posts of the rescues already started; the figure also counts V8's helper threads and the kernel's socket work), and less when other processes hold the CPUs. A p99 under ${TARGET_ACK_P99_MS} ms at ${CONCURRENCY} in flight needs a mean under ${TARGET_ACK_P99_MS} ms, i.e. at least ${Math.round((CONCURRENCY * 1000) / TARGET_ACK_P99_MS)} acks per second: about ${f(TARGET_ACK_P99_MS / CONCURRENCY)} ms of CPU per request at most; the floor row shows what Node and this machine cost for the bare ack alone. The run starts with ${CONCURRENCY} requests sent at once on ${CONCURRENCY} new connections: while the bot is saturated it takes those connections from its listening socket's accept queue one per event-loop turn (libuv accepts a single connection per turn since libuv/libuv#3696; seen with \`ss -ltn\`: the queue drains from 9 to 0 over about a second; a log of accept times in the bot showed them 6 ms to 2.9 s after the batch was sent), and each of those requests is answered a few ms after its connection is accepted; the largest ack latencies of a run are these, hence the row without them. In production, connections Slack keeps alive avoid this: the bot keeps idle connections open for 65 s (Node's default of 5 s made every burst after a quiet spell arrive on new connections). Peak RSS is the process at ready plus the JS heap, which V8 lets grow to several times what is alive before a full collection (compare the two JS heap figures).`,
    '',
    'Where the bot\'s CPU goes (CPU profile of one run, `BENCH_CPU_PROF=/tmp/prof npm run bench -- slack`, 2026-11-28, load average about 9): about half in phone requests (each call check and Play opens a fresh connection with its own undici Client, as phones\' small web servers require; undici builds an Error, and Node formats its stack, for every `Connection: close` answer and every destroyed client; see the CPU per phone request row for what node:http would cost instead, six phone requests per rescue), about 12% receiving and acking the command (Bolt; the ack\'s socket write alone is about 1 ms on this virtual machine), about 8% garbage collection, 4% SQLite, 4% Slack posts; the rest is socket work shared among them.',
  ].join('\n');
  return { title: 'Slack app under load', command: 'npm run bench -- slack', markdown, ok };
}
