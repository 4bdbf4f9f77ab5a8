/**
 * The load generator: signed slash commands sent over loopback the way Slack sends them, over
 * keep-alive connections. `sendCommands` keeps `concurrency` requests in flight at all times (closed
 * loop): each worker has its own undici Client (one keep-alive connection), so every connection
 * carries one request at a time and no pool scheduling sits between a worker and its connection.
 * `sendAtRate` sends at a steady rate whatever the answers (open loop), on the connections in turn.
 * Each request records when it was sent (Date.now(), comparable with the phones' logs in another
 * process) and its client-side latency (send -> full answer read).
 */
import { Client } from 'undici';
import { slashCommand } from '../../test/support/slack-requests.js';

export interface LoadRequest {
  userId: string;
  responseUrl: string;
  /** The command's text; default empty (`/rescue` alone). */
  text?: string;
}

export interface LoadResult {
  /** Date.now() when request i was handed to the pool. */
  sentAt: number[];
  /** Client-side latency of request i in ms (performance.now() around request + body read). */
  latencyMs: number[];
  /** "STATUS first-80-chars" of every answer that was not the expected ack. */
  failures: string[];
  elapsedMs: number;
}

export interface LoadOptions {
  url: string;
  signingSecret: string;
  concurrency: number;
  /** Text every good ack contains. */
  expect: string;
}

/** One keep-alive connection per worker. */
export class Connections {
  readonly clients: Client[];
  constructor(url: string, count: number) {
    // Slack reuses its connections to an app; keep-alive well beyond the gaps of a run (the server may close first).
    this.clients = Array.from({ length: count }, () => new Client(url, { pipelining: 1, keepAliveTimeout: 30_000 }));
  }
  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }
}

export function openConnections(url: string, count: number): Connections {
  return new Connections(url, count);
}

export async function sendCommands(connections: Connections, requests: readonly LoadRequest[], options: LoadOptions): Promise<LoadResult> {
  const result = emptyResult(requests.length);
  let next = 0;
  if (connections.clients.length < options.concurrency) throw new Error('fewer connections than workers');
  const worker = async (client: Client) => {
    while (next < requests.length) {
      const i = next++;
      await sendOne(client, requests[i]!, i, options, result);
    }
  };
  const start = performance.now();
  await Promise.all(connections.clients.slice(0, options.concurrency).map(worker));
  result.elapsedMs = performance.now() - start;
  return result;
}

/**
 * Open loop: request i is sent `i / perSecond` seconds after the start whatever became of the earlier
 * ones (as users type, independently of how fast the bot answers), on the connections in turn.
 */
export async function sendAtRate(connections: Connections, requests: readonly LoadRequest[], options: Omit<LoadOptions, 'concurrency'> & { perSecond: number }): Promise<LoadResult> {
  const result = emptyResult(requests.length);
  const start = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < requests.length; i++) {
    const wait = start + (i * 1000) / options.perSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(sendOne(connections.clients[i % connections.clients.length]!, requests[i]!, i, options, result));
  }
  await Promise.all(sends);
  result.elapsedMs = performance.now() - start;
  return result;
}

function emptyResult(n: number): LoadResult {
  return { sentAt: new Array<number>(n).fill(0), latencyMs: new Array<number>(n).fill(NaN), failures: [], elapsedMs: 0 };
}

async function sendOne(client: Client, r: LoadRequest, i: number, options: Pick<LoadOptions, 'signingSecret' | 'expect'>, result: LoadResult): Promise<void> {
  // Signed just before sending, as Slack does (the timestamp is part of the signature).
  const req = slashCommand(options.signingSecret, { command: '/rescue', text: r.text ?? '', user_id: r.userId, team_id: 'T1', response_url: r.responseUrl });
  result.sentAt[i] = Date.now();
  const t0 = performance.now();
  try {
    const res = await client.request({ path: '/slack/events', method: 'POST', headers: req.headers, body: req.body });
    const text = await res.body.text();
    result.latencyMs[i] = performance.now() - t0;
    if (res.statusCode !== 200 || !text.includes(options.expect)) result.failures.push(`${res.statusCode} ${text.slice(0, 80)}`);
  } catch (err) {
    result.latencyMs[i] = performance.now() - t0;
    result.failures.push(`error ${err instanceof Error ? err.message : String(err)}`);
  }
}
