/**
 * CPU per phone request by transport, to explain the bot's CPU per rescue: the same Play POST to a
 * simulated phone (zero-length tone) through PhoneClient.execute, through a bare undici Client
 * opened and destroyed per request (what PhoneClient did underneath until issue 16), and through
 * node:http with `agent: false` (a fresh connection each time, no pooling: the transport floor).
 *
 * Two processes, both running the compiled code (dist/, from `npm run build`): the simulated phone in a
 * child process of its own (it prints its address, and stops when its stdin closes), and the measuring
 * process, which runs only the clients: per transport a warm-up, then N sequential requests, and its
 * own CPU time (process.cpuUsage, user + system) divided by N. Only the client's CPU counts.
 *
 * Run on its own: `npm run build && npx tsx bench/support/transport-cost.ts [N]`.
 * TRANSPORT_COST_ONLY=phoneClient|undici|nodeHttp measures one transport (e.g. under
 * `TRANSPORT_COST_NODE_ARGS=--cpu-prof --cpu-prof-dir=/tmp/prof`, to profile that loop alone).
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
  requests: number;
}

export const DEFAULT_REQUESTS = 1500;
const WARMUP = 300;

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
const cpu = async (fn) => {
  for (let i = 0; i < warmup; i++) await fn();
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
};
const result = { requests: n };
// The floor first and last (its mean is used), the others between: drift on a shared machine shows as a gap between the two floors.
if (!only || only === 'nodeHttp') result.nodeHttpFirstMs = await cpu(viaNodeHttp);
if (!only || only === 'phoneClient') result.phoneClientMs = await cpu(viaPhoneClient);
if (!only || only === 'undici') result.undiciClientMs = await cpu(viaUndici);
if (!only) result.nodeHttpLastMs = await cpu(viaNodeHttp);
child.stdin.end();
await new Promise((r) => child.once('exit', r));
process.stdout.write(JSON.stringify(result));
`;

/** Needs dist/ (buildBot()). */
export function measureTransportCost(n = DEFAULT_REQUESTS, options: { only?: 'phoneClient' | 'undici' | 'nodeHttp'; nodeArgs?: string[] } = {}): TransportCost {
  const out = execFileSync(process.execPath, [...(options.nodeArgs ?? []), '--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      N: String(n),
      WARMUP: String(WARMUP),
      ONLY: options.only ?? '',
      PHONE_SCRIPT,
      PHONE_MODULE: pathToFileURL(join(ROOT, 'dist/phone/index.js')).href,
      SIM_MODULE: pathToFileURL(join(ROOT, 'dist/sim/index.js')).href,
    },
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  });
  const r = JSON.parse(out) as { requests: number; phoneClientMs?: number; undiciClientMs?: number; nodeHttpFirstMs?: number; nodeHttpLastMs?: number };
  const floors = [r.nodeHttpFirstMs, r.nodeHttpLastMs].filter((x): x is number => x !== undefined);
  const nodeHttpMs = floors.length > 0 ? floors.reduce((a, b) => a + b, 0) / floors.length : NaN;
  const phoneClientMs = r.phoneClientMs ?? NaN;
  return { phoneClientMs, undiciClientMs: r.undiciClientMs ?? NaN, nodeHttpMs, ratio: phoneClientMs / nodeHttpMs, requests: r.requests };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.env.TRANSPORT_COST_ONLY as 'phoneClient' | 'undici' | 'nodeHttp' | undefined;
  const nodeArgs = process.env.TRANSPORT_COST_NODE_ARGS?.split(' ').filter((a) => a !== '');
  const n = process.argv[2] ? Number(process.argv[2]) : DEFAULT_REQUESTS;
  const r = measureTransportCost(n, { ...(only ? { only } : {}), ...(nodeArgs ? { nodeArgs } : {}) });
  const f = (x: number) => x.toFixed(3);
  process.stdout.write(
    `CPU per request (ms, ${r.requests} sequential after ${WARMUP} warm-up, phone in another process): ` +
      `PhoneClient.execute ${f(r.phoneClientMs)}, undici Client per request ${f(r.undiciClientMs)}, node:http agent:false ${f(r.nodeHttpMs)}; ` +
      `ratio PhoneClient/node:http ${r.ratio.toFixed(2)}\n`,
  );
}
