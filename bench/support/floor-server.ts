/**
 * The floor for ack latency on this machine: a bare node:http server in its own process that does
 * the least a Slack app must do per request (read the body, check the v0 signature, answer with an
 * ephemeral message). Driven by the same load generator as the bot, it shows what the machine and
 * Node alone cost, so the bot's own share can be read off.
 */
import { spawn } from 'node:child_process';
import { cpuMsOf, freePort } from './proc.js';

// Plain JavaScript run by `node -e`: no compiler in the measured process.
const SCRIPT = `
const { createServer } = require('node:http');
const { createHmac, timingSafeEqual } = require('node:crypto');
const secret = process.env.FLOOR_SECRET;
const answer = JSON.stringify({ response_type: 'ephemeral', text: process.env.FLOOR_TEXT });
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    const ts = req.headers['x-slack-request-timestamp'];
    const want = Buffer.from('v0=' + createHmac('sha256', secret).update('v0:' + ts + ':' + body).digest('hex'));
    const got = Buffer.from(String(req.headers['x-slack-signature']));
    if (want.length !== got.length || !timingSafeEqual(want, got)) { res.writeHead(401).end(); return; }
    const form = new URLSearchParams(body);
    if (!form.get('user_id')) { res.writeHead(400).end(); return; }
    res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
  });
}).listen(Number(process.env.FLOOR_PORT), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

export interface FloorServer {
  url: string;
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function startFloorServer(secret: string, ackText: string): Promise<FloorServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', SCRIPT], { env: { PATH: process.env.PATH ?? '', FLOOR_SECRET: secret, FLOOR_TEXT: ackText, FLOOR_PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the floor server exited with code ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    cpuMs: () => cpuMsOf(child.pid!),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
