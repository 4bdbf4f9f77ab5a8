/**
 * CPU per phone request by transport, to explain the bot's CPU per rescue: the same Play POST to a
 * simulated phone (zero-length tone) through PhoneClient.execute, through a bare undici Client
 * opened and destroyed per request (what PhoneClient does underneath), and through node:http with
 * `agent: false` (a fresh connection each time, no pooling). Runs the compiled code (dist/, from
 * `npm run build`) in its own `node` process, sequentially after a warm-up; the CPU is that process's
 * (client and phone), so only the differences between the rows matter.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './bot-process.js';

export interface TransportCost {
  phoneClientMs: number;
  undiciClientMs: number;
  nodeHttpMs: number;
}

// Plain JavaScript module run by `node --input-type=module -e`, importing the compiled phone module and simulator.
const SCRIPT = `
import { request } from 'node:http';
import { Client } from 'undici';
const { createNetworkPolicy, PhoneClient } = await import(process.env.PHONE_MODULE);
const { startPhone } = await import(process.env.SIM_MODULE);
const n = Number(process.env.N);
const phone = await startPhone({ tones: { 'Classic1.raw': 0 }, toneTimeScale: 0 });
const client = new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']) });
const target = { address: phone.address, credentials: { username: phone.username, password: phone.password }, modern: true };
const body = 'XML=' + encodeURIComponent('<CiscoIPPhoneExecute><ExecuteItem Priority="2" URL="Play:Classic1.raw"/></CiscoIPPhoneExecute>');
const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from(phone.username + ':' + phone.password).toString('base64'), connection: 'close' };
const viaPhoneClient = () => client.execute(target, [{ url: 'Play:Classic1.raw', priority: 2 }]);
const viaUndici = async () => {
  const c = new Client(phone.url, { headersTimeout: 0, bodyTimeout: 0, pipelining: 1, keepAliveTimeout: 1 });
  try {
    const res = await c.request({ method: 'POST', path: '/CGI/Execute', headers, body });
    await res.body.text();
  } finally {
    await c.destroy().catch(() => undefined);
  }
};
const viaNodeHttp = () => new Promise((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port: phone.port, method: 'POST', path: '/CGI/Execute', agent: false, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject);
  req.end(body);
});
const cpu = async (fn) => {
  for (let i = 0; i < 200; i++) await fn();
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
};
const result = { phoneClientMs: await cpu(viaPhoneClient), undiciClientMs: await cpu(viaUndici), nodeHttpMs: await cpu(viaNodeHttp) };
await phone.stop();
process.stdout.write(JSON.stringify(result));
`;

/** Needs dist/ (buildBot()). */
export function measureTransportCost(n = 1000): TransportCost {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      N: String(n),
      PHONE_MODULE: pathToFileURL(join(ROOT, 'dist/phone/index.js')).href,
      SIM_MODULE: pathToFileURL(join(ROOT, 'dist/sim/index.js')).href,
    },
    encoding: 'utf8',
  });
  return JSON.parse(out) as TransportCost;
}
