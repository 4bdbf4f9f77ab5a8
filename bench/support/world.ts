/**
 * Parent side of the bench world (world-child.ts): 1 process holding the simulated phones and the
 * fake Slack, so their work is neither inside the bot's process nor on the load generator's event loop.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuMsOf } from './proc.js';

export interface WorldSpec {
  /** One simulated phone per entry. */
  phones: { hang: boolean }[];
  /** Length of the ringtone, i.e. how long each Play takes to answer. */
  playMs: number;
}

export interface WorldReady {
  /** SLACK_API_URL for the bot. */
  apiUrl: string;
  /** Append an id to get a response_url. */
  responseUrlBase: string;
  phones: { address: string; username: string; password: string }[];
}

export interface PhoneReport {
  /** Date.now() of the first request of any kind (the call check, normally). */
  firstContactAt: number | null;
  /** Date.now() of the first POST /CGI/Execute (the first Play). */
  firstPlayAt: number | null;
}

export interface WorldReport {
  phones: PhoneReport[];
  /** Each rescue outcome posted to a response_url: the id in /response/<id> and the text. */
  finals: { responseId: string; text: string }[];
  slackCalls: number;
}

export class World {
  private readonly lines: AsyncIterator<string>;
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly ready: WorldReady,
    lines: AsyncIterator<string>,
  ) {
    this.lines = lines;
  }

  static async start(spec: WorldSpec): Promise<World> {
    const entry = fileURLToPath(new URL('./world-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { ...process.env, BENCH_WORLD: JSON.stringify(spec) }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(`world: ${d.toString()}`));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error('the bench world exited before it was ready');
    return new World(child, (JSON.parse(first.value) as { ready: WorldReady }).ready, lines);
  }

  get pid(): number {
    return this.child.pid!;
  }

  cpuMs(): number {
    return cpuMsOf(this.pid);
  }

  private async ask<T>(cmd: string): Promise<T> {
    this.child.stdin.write(JSON.stringify(cmd) + '\n');
    const r = await this.lines.next();
    if (r.done) throw new Error('the bench world exited');
    return JSON.parse(r.value) as T;
  }

  async finals(): Promise<number> {
    return (await this.ask<{ finals: number }>('finals')).finals;
  }

  /** Waits until `count` rescue outcomes were posted, or `timeoutMs` passed; returns how many were. */
  async waitForFinals(count: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let n = await this.finals();
    while (n < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      n = await this.finals();
    }
    return n;
  }

  report(): Promise<WorldReport> {
    return this.ask<{ report: WorldReport }>('report').then((r) => r.report);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.write(JSON.stringify('stop') + '\n');
    await exited;
  }
}
