/**
 * Phone client, every figure beside its floor measured in the same run (issue 16):
 * (1) transport CPU: `PhoneClient.execute` CPU per request against `node:http` with `agent: false`, the
 *     phone in another process so that only the client's CPU counts (support/transport-cost.ts; target
 *     at most 1.25x), and a bare undici Client per request beside them (reported);
 * (2) latency of one Execute against a zero-delay simulated phone in this process, p50 and p99, against
 *     a bare node:http POST of the same bytes to the same phone;
 * (3) fan-out: 500 simulated phones, 3 Plays each, all started at once, against the same fan-out done
 *     with bare node:http requests (a fresh connection each, one at a time per phone, in order): time
 *     until every phone received its first Play and until all Plays were answered. Each phone's Plays
 *     arriving in order, one at a time, and no failure are checks of their own.
 */
import http from 'node:http';
import type { BenchSection } from '../run.js';
import type { RatioRow } from '../support/ratio.js';
import { summarize } from '../support/stats.js';
import { buildBot } from '../support/bot-process.js';
import { DEFAULT_REQUESTS, measureTransportCost } from '../support/transport-cost.js';
import { PhoneClient, createNetworkPolicy, formBody, buildExecute, type Phone } from '../../src/phone/index.js';
import { startPhone, startSimulator, type SimPhone } from '../../src/sim/index.js';

const CALLS = 1000;
const WARMUP = 100;
const PHONES = 500;
const TONES = ['Classic1.raw', 'Chime.raw', 'Vibe.raw'];
/** Fan-out rounds, alternating which of the two goes first; each figure is the median of its rounds. */
const FANOUT_ROUNDS = 5;
const TARGET_TRANSPORT = { atMost: 1.25 };
const TARGET_LATENCY_P50 = { atMost: 1.5 };
/** First Play at every phone is the slowest of 500 short waits (150-650 ms here), so it moves more from run to run than the total. */
const TARGET_FANOUT_FIRST_PLAY = { atMost: 3 };
const TARGET_FANOUT_ALL = { atMost: 2 };

function phoneOf(sim: SimPhone): Phone {
  return { address: sim.address, credentials: { username: sim.username, password: sim.password }, modern: true };
}

function playBody(tone: string): string {
  return formBody(buildExecute([{ url: `Play:${tone}`, priority: 2 }]));
}

/** The same POST with node:http and nothing else (fresh connection, answer read in full): the floor any client pays. */
function bare(sim: SimPhone, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: sim.port,
        method: 'POST',
        path: '/CGI/Execute',
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`,
          connection: 'close',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

async function latency(): Promise<{ client: number[]; floor: number[] }> {
  const sim = await startPhone({ toneTimeScale: 0 });
  try {
    const client = new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']) });
    const phone = phoneOf(sim);
    const items = [{ url: 'Play:Classic1.raw', priority: 2 as const }];
    const body = formBody(buildExecute(items));
    await timeEach(WARMUP, () => client.execute(phone, items));
    await timeEach(WARMUP, () => bare(sim, body));
    // Interleave the two so that neither benefits from a quieter moment.
    const c: number[] = [];
    const f: number[] = [];
    for (let round = 0; round < 10; round++) {
      c.push(...(await timeEach(CALLS / 10, () => client.execute(phone, items))));
      f.push(...(await timeEach(CALLS / 10, () => bare(sim, body))));
      sim.clearRequests();
    }
    return { client: c, floor: f };
  } finally {
    await sim.stop();
  }
}

interface FanoutRound {
  firstPlayMs: number;
  allDoneMs: number;
  orderKept: boolean;
  oneAtATime: boolean;
  failures: number;
}

/** Every phone's Plays started at once, through `send` (which must keep each phone's Plays in order itself, or not). */
async function fanoutRound(phones: readonly SimPhone[], send: (p: SimPhone) => Promise<unknown>[] | Promise<unknown>): Promise<FanoutRound> {
  for (const p of phones) p.clearRequests();
  const t0 = Date.now();
  const results = await Promise.allSettled(phones.flatMap((p) => send(p)));
  const allDoneMs = Date.now() - t0;
  const firstPlayMs = Math.max(...phones.map((p) => (p.requests[0]?.at ?? Infinity) - t0));
  return {
    firstPlayMs,
    allDoneMs,
    orderKept: phones.every((p) => p.played.join() === TONES.join()),
    oneAtATime: phones.every((p) => p.maxInFlight === 1),
    failures: results.filter((r) => r.status === 'rejected').length,
  };
}

async function fanout(): Promise<{ client: FanoutRound[]; floor: FanoutRound[] }> {
  const sim = await startSimulator({ phones: Array.from({ length: PHONES }, () => ({ toneTimeScale: 0 })) });
  try {
    const client = new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']) });
    const bodies = TONES.map(playBody);
    // PhoneClient: all 1,500 Executes handed over at once; its per-phone queue keeps them in order, one at a time.
    const viaClient = (p: SimPhone) => TONES.map((tone) => client.execute(phoneOf(p), [{ url: `Play:${tone}`, priority: 2 }]));
    // The floor: per phone a chain of bare requests, the next sent when the previous one's answer is read.
    const viaBare = async (p: SimPhone) => {
      for (const body of bodies) await bare(p, body);
    };
    const out = { client: [] as FanoutRound[], floor: [] as FanoutRound[] };
    for (let r = 0; r < FANOUT_ROUNDS; r++) {
      const order = r % 2 === 0 ? (['client', 'floor'] as const) : (['floor', 'client'] as const);
      for (const which of order) out[which].push(await fanoutRound(sim.phones, which === 'client' ? viaClient : viaBare));
    }
    return out;
  } finally {
    await sim.stop();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export async function run(): Promise<BenchSection> {
  const lat = await latency();
  const fan = await fanout();
  // The transport row runs the compiled code (dist/) in a process of its own, the phone in another.
  buildBot();
  const transport = measureTransportCost(DEFAULT_REQUESTS);

  const client = summarize(lat.client);
  const floor = summarize(lat.floor);
  const fanClient = { firstPlayMs: median(fan.client.map((r) => r.firstPlayMs)), allDoneMs: median(fan.client.map((r) => r.allDoneMs)) };
  const fanFloor = { firstPlayMs: median(fan.floor.map((r) => r.firstPlayMs)), allDoneMs: median(fan.floor.map((r) => r.allDoneMs)) };
  const orderKept = fan.client.every((r) => r.orderKept);
  const oneAtATime = fan.client.every((r) => r.oneAtATime);
  const failures = fan.client.reduce((n, r) => n + r.failures, 0);
  const floorFailures = fan.floor.reduce((n, r) => n + r.failures, 0);
  const checksOk = orderKept && oneAtATime && failures === 0 && floorFailures === 0;

  const nodeHttpFloor = 'node:http, `agent: false`';
  const ratios: RatioRow[] = [
    { figure: 'PhoneClient.execute, CPU per request (phone in another process)', value: transport.phoneClientMs, floor: nodeHttpFloor, floorValue: transport.nodeHttpMs, unit: 'ms', target: TARGET_TRANSPORT },
    { figure: 'bare undici Client per request, CPU per request (phone in another process)', value: transport.undiciClientMs, floor: nodeHttpFloor, floorValue: transport.nodeHttpMs, unit: 'ms' },
    { figure: 'PhoneClient.execute, latency p50 (phone in this process)', value: client.p50, floor: 'bare node:http POST of the same bytes', floorValue: floor.p50, unit: 'ms', target: TARGET_LATENCY_P50 },
    { figure: 'PhoneClient.execute, latency p99 (phone in this process)', value: client.p99, floor: 'bare node:http POST of the same bytes', floorValue: floor.p99, unit: 'ms' },
    { figure: `Fan-out ${PHONES} phones × ${TONES.length} Plays: every phone got its first Play`, value: fanClient.firstPlayMs, floor: 'the same fan-out with bare node:http', floorValue: fanFloor.firstPlayMs, unit: 'ms', target: TARGET_FANOUT_FIRST_PLAY },
    { figure: `Fan-out ${PHONES} phones × ${TONES.length} Plays: all Plays answered`, value: fanClient.allDoneMs, floor: 'the same fan-out with bare node:http', floorValue: fanFloor.allDoneMs, unit: 'ms', target: TARGET_FANOUT_ALL },
  ];

  const f3 = (x: number) => x.toFixed(3);
  const pass = (ok: boolean) => (ok ? 'pass' : 'FAIL');
  const markdown = `
**Transport CPU** (support/transport-cost.ts, run on the compiled code): one process runs only the
clients, the simulated phone (zero-length tone) runs in a child process of its own, so only the
client's CPU counts. ${transport.requests.toLocaleString('en-US')} sequential Plays per transport in
interleaved rounds (the order turns each round), CPU time (user + system) per request, the median of the
rounds. The floor is \`node:http\` with \`agent: false\`: a fresh connection per request and nothing
else, the least code that can send the Play. The undici row is a bare undici \`Client\` opened and
destroyed per request (reported, for comparison). System part of each: PhoneClient ${f3(transport.systemMs.phoneClient)} ms,
undici ${f3(transport.systemMs.undiciClient)} ms, node:http ${f3(transport.systemMs.nodeHttp)} ms.

**Latency** of one Execute (${CALLS.toLocaleString('en-US')} sequential after ${WARMUP} warm-up, in 10
rounds interleaved with the floor) against a zero-delay simulated phone in this process, so both
figures include the simulator's work. The floor is a bare node:http POST of the same bytes to the
same phone (fresh connection, answer read, nothing parsed). Max: ${client.max.toFixed(2)} ms, floor ${floor.max.toFixed(2)} ms.

**Fan-out**: ${PHONES} simulated phones in this process, ${TONES.length} Plays each, all handed to
\`PhoneClient.execute\` at once (its per-phone queue sends them in order, one at a time, a fresh
connection each). The floor is the same fan-out with bare node:http requests to the same phones: per
phone a chain of ${TONES.length} POSTs, each sent when the previous answer has been read. ${FANOUT_ROUNDS}
rounds alternating which goes first; each figure is the median of its rounds (PhoneClient
first Play ${fan.client.map((r) => r.firstPlayMs).join(' / ')} ms, all answered ${fan.client.map((r) => r.allDoneMs).join(' / ')} ms;
floor ${fan.floor.map((r) => r.firstPlayMs).join(' / ')} ms and ${fan.floor.map((r) => r.allDoneMs).join(' / ')} ms).

| Fan-out check (every PhoneClient round) | Value | Target | Result |
|---|---|---|---|
| Each phone's Plays arrived in order | ${orderKept ? 'yes' : 'NO'} | yes | ${pass(orderKept)} |
| At most one request in flight per phone | ${oneAtATime ? 'yes' : 'NO'} | yes | ${pass(oneAtATime)} |
| Failed requests (PhoneClient / floor) | ${failures} / ${floorFailures} | 0 | ${pass(failures === 0 && floorFailures === 0)} |

Each Execute opens a fresh connection (phones' tiny web servers; reference §7.6), checks the
address against the network policy, and reads and parses the answer in full.
`;
  return { title: 'Phone client', command: 'npm run bench -- phone', markdown, ratios, ok: checksOk };
}
