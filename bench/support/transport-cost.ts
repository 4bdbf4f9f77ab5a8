/**
 * CPU per phone request by transport, the phone part's transport row (issue 16: PhoneClient.execute at
 * most 1.25 times node:http with `agent: false`, bench/parts/phone.ts): the same Play POST to a
 * simulated phone (zero-length tone) through PhoneClient.execute, through a bare undici Client
 * opened and destroyed per request (what PhoneClient did underneath until issue 16), and through
 * node:http with `agent: false` (a fresh connection each time, no pooling: the transport floor).
 *
 * Two processes, both running the compiled code (dist/, from `npm run build`): the simulated phone in a
 * child process of its own (it prints its address, and stops when its stdin closes), and the measuring
 * process, which runs only the clients: per transport a warm-up, then N sequential requests in 5
 * interleaved rounds (the order turns each round, so drift on a shared machine hits each alike; a young-generation
 * collection before each round, outside the measurement, so no transport pays for another's garbage), and its
 * own CPU time (process.cpuUsage, user + system) per request, the median of the rounds. Only the
 * client's CPU counts.
 *
 * Run on its own: `npm run build && npx tsx bench/support/transport-cost.ts [N]`.
 * TRANSPORT_COST_ONLY=phoneClient|undici|nodeHttp (or a comma-separated list) measures only those (e.g.
 * one under `TRANSPORT_COST_NODE_ARGS=--cpu-prof --cpu-prof-dir=/tmp/prof`, to profile that loop alone);
 * TRANSPORT_COST_ROUNDS sets the number of rounds (default 5: 300 requests a round for N = 1,500;
 * shorter rounds charge each switch between transports to the next one's cold code: with 15 rounds of
 * 100 PhoneClient reads about 0.1-0.2 higher against node:http); TRANSPORT_COST_ROUND_GC=0 drops the collection between rounds;
 * TRANSPORT_COST_WARMUP sets the warm-up requests per transport (default 300). CPU per request falls over the first
 * several thousand requests of a run for every transport alike (node:http alone: 0.64 ms in the first round of 300,
 * 0.25 ms by the tenth), so the rounds' turning order matters: each transport gets early and late rounds, and the
 * ratio of the medians is lower (about 1.05-1.15) than the late rounds' ratio (about 1.2-1.4 with 10 rounds of 300).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT } from './bot-process.js';

export interface TransportCost {
  /** CPU ms per request in the measuring process. */
  phoneClientMs: number;
  undiciClientMs: number;
  nodeHttpMs: number;
  /** phoneClientMs / nodeHttpMs (issue 16's target: at most 1.25). */
  ratio: number;
  /** Measured requests per transport. */
  requests: number;
  /** The kernel's part of each figure (system CPU ms per request). */
  systemMs: { phoneClient: number; undiciClient: number; nodeHttp: number };
  /** Each round's CPU ms per request, by transport (phoneClient, undici, nodeHttp). */
  rounds: Record<string, { all: number; system: number }[]>;
}

export const DEFAULT_REQUESTS = 1500;
export type TransportName = 'phoneClient' | 'undici' | 'nodeHttp';
const WARMUP = Number(process.env.TRANSPORT_COST_WARMUP ?? 300);
const ROUNDS = Number(process.env.TRANSPORT_COST_ROUNDS ?? 5);

// The simulated phone's process: starts one phone, prints its address as JSON, stops when stdin closes.
const PHONE_SCRIPT = `
const { startPhone } = await import(process.env.SIM_MODULE);
const phone = await startPhone({ tones: { 'Classic1.raw': 0 }, toneTimeScale: 0 });
process.stdout.write(JSON.stringify({ url: phone.url, port: phone.port, address: phone.address, username: phone.username, password: phone.password }) + '\\n');
process.stdin.resume();
process.stdin.on('end', async () => { await phone.stop(); process.exit(0); });
`;

// The measuring process (plain JavaScript run by \`node --input-type=module -e\`): the clients only.
const SCRIPT = `
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from 'undici';
const { createNetworkPolicy, PhoneClient } = await import(process.env.PHONE_MODULE);
const n = Number(process.env.N);
const warmup = Number(process.env.WARMUP);
const only = process.env.ONLY || '';
const child = spawn(process.execPath, ['--input-type=module', '-e', process.env.PHONE_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
const phone = await new Promise((resolve, reject) => {
  child.once('error', reject);
  child.once('exit', (code) => reject(new Error('the phone process exited (' + code + ')')));
  createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
});
const client = new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']) });
const target = { address: phone.address, credentials: { username: phone.username, password: phone.password }, modern: true };
const body = 'XML=' + encodeURIComponent('<?xml version="1.0" encoding="UTF-8"?><CiscoIPPhoneExecute><ExecuteItem Priority="2" URL="Play:Classic1.raw"/></CiscoIPPhoneExecute>');
const headers = { host: phone.address, connection: 'close', accept: 'text/xml, text/*, image/*, */*', 'user-agent': 'rescue-ring', authorization: 'Basic ' + Buffer.from(phone.username + ':' + phone.password).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' };
const viaPhoneClient = async () => {
  const r = await client.execute(target, [{ url: 'Play:Classic1.raw', priority: 2 }]);
  if (r.items.length !== 1 || r.items[0].status !== 0) throw new Error('unexpected answer ' + JSON.stringify(r));
};
const viaUndici = async () => {
  const c = new Client(phone.url, { headersTimeout: 0, bodyTimeout: 0, pipelining: 1, keepAliveTimeout: 1 });
  try {
    const res = await c.request({ method: 'POST', path: '/CGI/Execute', headers, body });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error('HTTP ' + res.statusCode);
  } finally {
    await c.destroy().catch(() => undefined);
  }
};
const viaNodeHttp = () => new Promise((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port: phone.port, method: 'POST', path: '/CGI/Execute', agent: false, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error('HTTP ' + res.statusCode))));
  });
  req.on('error', reject);
  req.end(body);
});
// Interleaved rounds (the order turns each round) so that drift on a shared machine hits every
// transport alike; per transport the median of its rounds' CPU per request (user + system, and system alone).
const transports = { nodeHttp: viaNodeHttp, phoneClient: viaPhoneClient, undici: viaUndici };
const names = Object.keys(transports).filter((k) => !only || only.split(',').includes(k));
for (const name of names) for (let i = 0; i < warmup; i++) await transports[name]();
const rounds = Number(process.env.ROUNDS);
const per = Math.ceil(n / rounds);
const samples = Object.fromEntries(names.map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(r + j) % names.length];
    const fn = transports[name];
    if (process.env.ROUND_GC !== '0') globalThis.gc({ type: 'minor' }); // each round starts on an empty young generation: no transport pays for another's garbage
    const before = process.cpuUsage();
    for (let i = 0; i < per; i++) await fn();
    const used = process.cpuUsage(before);
    samples[name].push({ all: (used.user + used.system) / 1000 / per, system: used.system / 1000 / per });
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const result = { requests: per * rounds };
for (const name of names) {
  result[name + 'Ms'] = median(samples[name].map((x) => x.all));
  result[name + 'SystemMs'] = median(samples[name].map((x) => x.system));
}
result.rounds = samples;
child.stdin.end();
await new Promise((r) => child.once('exit', r));
process.stdout.write(JSON.stringify(result));
`;

/** Needs dist/ (buildBot(), as bench/parts/phone.ts runs it first): it measures the compiled code. */
export function measureTransportCost(
  n = DEFAULT_REQUESTS,
  options: { only?: readonly TransportName[]; nodeArgs?: string[]; /** Warm-up requests per transport (default TRANSPORT_COST_WARMUP or 300). */ warmup?: number } = {},
): TransportCost {
  const out = execFileSync(process.execPath, ['--expose-gc', ...(options.nodeArgs ?? []), '--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ROUND_GC: process.env.TRANSPORT_COST_ROUND_GC ?? '',
      N: String(n),
      WARMUP: String(options.warmup ?? WARMUP),
      ROUNDS: String(ROUNDS),
      ONLY: (options.only ?? []).join(','),
      PHONE_SCRIPT,
      PHONE_MODULE: pathToFileURL(join(ROOT, 'dist/phone/index.js')).href,
      SIM_MODULE: pathToFileURL(join(ROOT, 'dist/sim/index.js')).href,
    },
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  });
  const r = JSON.parse(out) as { requests: number; rounds: TransportCost['rounds'] } & Partial<Record<'phoneClientMs' | 'undiciMs' | 'nodeHttpMs' | 'phoneClientSystemMs' | 'undiciSystemMs' | 'nodeHttpSystemMs', number>>;
  return {
    phoneClientMs: r.phoneClientMs ?? NaN,
    undiciClientMs: r.undiciMs ?? NaN,
    nodeHttpMs: r.nodeHttpMs ?? NaN,
    ratio: (r.phoneClientMs ?? NaN) / (r.nodeHttpMs ?? NaN),
    requests: r.requests,
    rounds: r.rounds,
    systemMs: { phoneClient: r.phoneClientSystemMs ?? NaN, undiciClient: r.undiciSystemMs ?? NaN, nodeHttp: r.nodeHttpSystemMs ?? NaN },
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.env.TRANSPORT_COST_ONLY?.split(',') as TransportName[] | undefined;
  const nodeArgs = process.env.TRANSPORT_COST_NODE_ARGS?.split(' ').filter((a) => a !== '');
  const n = process.argv[2] ? Number(process.argv[2]) : DEFAULT_REQUESTS;
  const r = measureTransportCost(n, { ...(only ? { only } : {}), ...(nodeArgs ? { nodeArgs } : {}) });
  const f = (x: number) => x.toFixed(3);
  process.stdout.write(
    `CPU per request (ms, ${r.requests} sequential in ${ROUNDS} rounds after ${WARMUP} warm-up, phone in another process): ` +
      `PhoneClient.execute ${f(r.phoneClientMs)}, undici Client per request ${f(r.undiciClientMs)}, node:http agent:false ${f(r.nodeHttpMs)}; ` +
      `ratio PhoneClient/node:http ${r.ratio.toFixed(2)} (system part: ${f(r.systemMs.phoneClient)} / ${f(r.systemMs.undiciClient)} / ${f(r.systemMs.nodeHttp)})\n` +
      Object.entries(r.rounds)
        .map(([name, xs]) => `  ${name} by round: ${xs.map((x) => f(x.all)).join(' ')}\n`)
        .join(''),
  );
}
