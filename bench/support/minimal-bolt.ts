/**
 * The floor for the bot's memory and throughput: the least Bolt app that answers the same requests.
 * Bolt's own HTTP receiver (signature check, body parsing, middleware), one `/rescue` command that acks
 * with an ephemeral text, nothing behind it: no store, no phone, no Slack call. It runs in its own
 * process with the node flags `npm start` gives the bot, so the two differ only in what the bot adds.
 */
import { spawn } from 'node:child_process';
import { botNodeFlags } from '../../test/support/start-command.js';
import { ROOT } from './bot-process.js';
import { cpuMsOf, freePort, memoryOf } from './proc.js';

// Plain JavaScript run by `node -e` from the project root (so `@slack/bolt` resolves to the bot's copy).
const SCRIPT = `
const { App } = require('@slack/bolt');
// botId and botUserId given: Bolt asks Slack nothing (no auth.test), as the bot after its start-up check.
const app = new App({ token: 'xoxb-floor', signingSecret: process.env.FLOOR_SECRET, botId: 'B0FLOOR', botUserId: 'U0FLOOR', logLevel: 'error' });
const text = process.env.FLOOR_TEXT;
app.command('/rescue', async ({ ack }) => { await ack({ response_type: 'ephemeral', text }); });
app.start({ port: Number(process.env.FLOOR_PORT), host: '127.0.0.1' }).then(() => process.stdout.write('ready\\n'));
`;

export interface MinimalBolt {
  url: string;
  cpuMs(): number;
  memory(): { rssMb: number; peakMb: number };
  stop(): Promise<void>;
}

/** Starts the minimal Bolt app; every `/rescue` it receives is answered with `ackText`. */
export async function startMinimalBolt(secret: string, ackText: string): Promise<MinimalBolt> {
  const port = await freePort();
  const child = spawn(process.execPath, [...botNodeFlags(), '-e', SCRIPT], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', FLOOR_SECRET: secret, FLOOR_TEXT: ackText, FLOOR_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the minimal Bolt app exited with code ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid!;
  return {
    url: `http://127.0.0.1:${port}`,
    cpuMs: () => cpuMsOf(pid),
    memory: () => memoryOf(pid),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
