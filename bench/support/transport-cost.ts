/**
 * CPU per phone request by transport, to explain the bot's CPU per rescue: the same Play POST to a
 * simulated phone (zero-length tone, in this process) through PhoneClient.execute, through a bare
 * undici Client opened and destroyed per request (what PhoneClient does underneath), and through
 * node:http with `agent: false` (a fresh connection each time, no pooling). Sequential, after a
 * warm-up; CPU of this process (client and phone), so only the differences between rows matter.
 */
import { request } from 'node:http';
import { Client } from 'undici';
import { createNetworkPolicy, PhoneClient } from '../../src/phone/index.js';
import { startPhone } from '../../src/sim/index.js';

export interface TransportCost {
  phoneClientMs: number;
  undiciClientMs: number;
  nodeHttpMs: number;
}

export async function measureTransportCost(n = 1000): Promise<TransportCost> {
  const phone = await startPhone({ tones: { 'Classic1.raw': 0 }, toneTimeScale: 0 });
  try {
    const client = new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']) });
    const target = { address: phone.address, credentials: { username: phone.username, password: phone.password }, modern: true };
    const body = 'XML=' + encodeURIComponent('<CiscoIPPhoneExecute><ExecuteItem Priority="2" URL="Play:Classic1.raw"/></CiscoIPPhoneExecute>');
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${phone.username}:${phone.password}`).toString('base64'),
      connection: 'close',
    };
    const viaPhoneClient = async () => {
      await client.execute(target, [{ url: 'Play:Classic1.raw', priority: 2 }]);
    };
    const viaUndici = async () => {
      const c = new Client(phone.url, { headersTimeout: 0, bodyTimeout: 0, pipelining: 1, keepAliveTimeout: 1 });
      try {
        const res = await c.request({ method: 'POST', path: '/CGI/Execute', headers, body });
        await res.body.text();
      } finally {
        await c.destroy().catch(() => undefined);
      }
    };
    const viaNodeHttp = () =>
      new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: phone.port, method: 'POST', path: '/CGI/Execute', agent: false, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(body);
      });
    const cpuPerRequest = async (fn: () => Promise<void>) => {
      for (let i = 0; i < 200; i++) await fn();
      const before = process.cpuUsage();
      for (let i = 0; i < n; i++) await fn();
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000 / n;
    };
    return { phoneClientMs: await cpuPerRequest(viaPhoneClient), undiciClientMs: await cpuPerRequest(viaUndici), nodeHttpMs: await cpuPerRequest(viaNodeHttp) };
  } finally {
    await phone.stop();
  }
}
