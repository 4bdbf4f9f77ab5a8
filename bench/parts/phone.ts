/**
 * Phone client: (1) the client's own overhead per Execute against a zero-delay simulated phone
 * (p50/p99 of the full call, minus a bare node:http POST of the same bytes to the same phone);
 * (2) 500 simulated phones rung at once: time until every phone has received its first Play
 * (target under 2 s), with each phone's three Plays arriving in order, one at a time.
 */
import http from 'node:http';
import type { BenchSection } from '../run.js';
import { PhoneClient, createNetworkPolicy, formBody, buildExecute, type Phone } from '../../src/phone/index.js';
import { startPhone, startSimulator, type SimPhone } from '../../src/sim/index.js';

const CALLS = 1000;
const WARMUP = 100;
const PHONES = 500;
const TARGET_FANOUT_MS = 2000;
const TONES = ['Classic1.raw', 'Chime.raw', 'Vibe.raw'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function phoneOf(sim: SimPhone): Phone {
  return { address: sim.address, credentials: { username: sim.username, password: sim.password }, modern: true };
}

/** The same POST with node:http and nothing else: the floor any client pays. */
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
        res.on('end', resolve);
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
  return out.sort((a, b) => a - b);
}

async function overhead(): Promise<{ client: number[]; floor: number[] }> {
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
    return { client: c.sort((a, b) => a - b), floor: f.sort((a, b) => a - b) };
  } finally {
    await sim.stop();
  }
}

async function fanout(): Promise<{ firstPlayMs: number; allDoneMs: number; orderKept: boolean; oneAtATime: boolean; failures: number }> {
  const sim = await startSimulator({ phones: Array.from({ length: PHONES }, () => ({ toneTimeScale: 0 })) });
  try {
    const client = new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']) });
    const t0 = Date.now();
    const results = await Promise.allSettled(
      sim.phones.flatMap((p) => TONES.map((tone) => client.execute(phoneOf(p), [{ url: `Play:${tone}`, priority: 2 }]))),
    );
    const allDoneMs = Date.now() - t0;
    const firstPlayMs = Math.max(...sim.phones.map((p) => (p.requests[0]?.at ?? Infinity) - t0));
    const orderKept = sim.phones.every((p) => p.played.join() === TONES.join());
    const oneAtATime = sim.phones.every((p) => p.maxInFlight === 1);
    return { firstPlayMs, allDoneMs, orderKept, oneAtATime, failures: results.filter((r) => r.status === 'rejected').length };
  } finally {
    await sim.stop();
  }
}

export async function run(): Promise<BenchSection> {
  const { client, floor } = await overhead();
  const fan = await fanout();
  const p = (a: number[], q: number) => percentile(a, q).toFixed(2);
  const over50 = percentile(client, 50) - percentile(floor, 50);
  const over99 = percentile(client, 99) - percentile(floor, 99);
  const fanOk = fan.firstPlayMs < TARGET_FANOUT_MS && fan.orderKept && fan.oneAtATime && fan.failures === 0;
  const markdown = `
| Measure | p50 | p99 | Target | Result |
|---|---|---|---|---|
| PhoneClient.execute, full call (${CALLS} sequential, zero-delay phone) | ${p(client, 50)} ms | ${p(client, 99)} ms | (none) | |
| Bare node:http POST of the same bytes (the floor) | ${p(floor, 50)} ms | ${p(floor, 99)} ms | (none) | |
| **Client overhead** (difference) | ${over50.toFixed(2)} ms | ${over99.toFixed(2)} ms | (none; reported) | |

| Fan-out: ${PHONES} simulated phones, ${TONES.length} Plays each, all started at once | Value | Target | Result |
|---|---|---|---|
| Time until every phone received its first Play | ${fan.firstPlayMs} ms | < ${TARGET_FANOUT_MS} ms | ${fan.firstPlayMs < TARGET_FANOUT_MS ? 'pass' : 'FAIL'} |
| Time until all ${PHONES * TONES.length} Plays answered | ${fan.allDoneMs} ms | (none) | |
| Each phone's Plays arrived in order | ${fan.orderKept ? 'yes' : 'NO'} | yes | ${fan.orderKept ? 'pass' : 'FAIL'} |
| At most one request in flight per phone | ${fan.oneAtATime ? 'yes' : 'NO'} | yes | ${fan.oneAtATime ? 'pass' : 'FAIL'} |
| Failed requests | ${fan.failures} | 0 | ${fan.failures === 0 ? 'pass' : 'FAIL'} |

Each Execute opens a fresh connection (phones' tiny web servers; reference §7.6), checks the
address against the network policy, and reads the answer in full; the simulator runs in the same
process, so both columns include its work.
`;
  return { title: 'Phone client', command: 'npm run bench -- phone', markdown, ok: fanOk };
}
