/**
 * The bot as it runs in production: compiled by `npm run build` and started as its own process
 * as `npm start` starts it (its node flags included), configured only through the environment. The bench talks to it over
 * loopback and reads its memory and CPU from /proc, so nothing of the bench runs inside it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GcTrace, type GcSummary } from './gc-trace.js';
import { cpuMsOf, freePort, memoryOf } from './proc.js';
import { botNodeFlags } from '../../test/support/start-command.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run build` (tsc -p tsconfig.build.json). Throws when there is no dist/main.js afterwards. */
export function buildBot(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, encoding: 'utf8' });
  // tsc still emits when the type check fails; say so, since the bench then measures that code.
  if (r.status !== 0) process.stderr.write(`bench: npm run build reported type errors (the emitted code is measured anyway):\n${r.stdout.slice(0, 2000)}\n`);
  if (!existsSync(join(ROOT, 'dist/main.js'))) throw new Error('npm run build produced no dist/main.js');
}

export interface BotProcess {
  readonly pid: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  memory(): { rssMb: number; peakMb: number };
  cpuMs(): number;
  /** The last 20 kB the bot wrote (JSON log lines at LOG_LEVEL). */
  output(): string;
  /** With `traceGc`: what V8 reported about its collections so far. */
  gc(): GcSummary | undefined;
  /** SIGTERM, as an orchestrator stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartBotOptions {
  /** Environment of the bot (merged over PATH/HOME only; nothing else of the bench's environment leaks in). */
  env: Record<string, string>;
  /** Working directory: main.js loads `.env` from it (dotenv), so give it one with none, e.g. DATA_DIR. */
  cwd: string;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/x']. */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
  /** Start node with --trace-gc and summarize its lines (see gc-trace.ts). */
  traceGc?: boolean;
}

/**
 * What every bench gives the bot: HTTP mode with `signingSecret`, Slack's Web API on the bench world's
 * fake Slack at `apiUrl`, phones on loopback, warnings only in the log; plus the store's settings.
 */
export function benchBotEnv(store: Record<string, string>, apiUrl: string, signingSecret: string): Record<string, string> {
  return {
    ...store,
    SLACK_SOCKET_MODE: 'false',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: apiUrl,
    PHONE_ALLOWED_NETWORKS: '127.0.0.0/8',
    LOG_LEVEL: 'warn',
  };
}

/** BENCH_CPU_PROF: the directory the bots write their V8 CPU profiles to, when one is asked for. */
export function benchCpuProfileDir(): string | undefined {
  return process.env.BENCH_CPU_PROF || undefined;
}

/** Node flags from the environment: a CPU profile into BENCH_CPU_PROF (named `profileName` when given), and BENCH_BOT_NODE_ARGS. */
export function benchNodeArgs(profileName?: string): string[] {
  const profDir = benchCpuProfileDir();
  return [
    ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...(profileName ? [`--cpu-prof-name=${profileName}`] : [])] : []),
    ...(process.env.BENCH_BOT_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
  ];
}

/** Starts the bot as `npm start` does (`node [its flags] dist/main.js`) on a free port and waits until GET /readyz answers 200. */
export async function startBot(options: StartBotOptions): Promise<BotProcess> {
  const port = await freePort();
  const gcTrace = options.traceGc ? new GcTrace() : undefined;
  const child: ChildProcess = spawn(process.execPath, [...botNodeFlags(), ...(gcTrace ? ['--trace-gc'] : []), ...(options.nodeArgs ?? []), join(ROOT, 'dist/main.js')], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // BENCH_BOT_LOG=FILE keeps everything the bot wrote (e.g. with --trace-gc), for diagnosis.
  const logFile = process.env.BENCH_BOT_LOG;
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
    if (logFile) appendFileSync(logFile, d);
  };
  child.stdout?.on('data', (d: Buffer) => {
    gcTrace?.feed(d.toString());
    keep(d);
  });
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the bot exited with code ${child.exitCode} before it was ready:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the bot was not ready within ${options.readyTimeoutMs ?? 30_000} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  return {
    pid,
    url,
    port,
    memory: () => memoryOf(pid),
    cpuMs: () => cpuMsOf(pid),
    output: () => output,
    gc: () => gcTrace?.summary(),
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) process.stderr.write(`bench: the bot exited with code ${code}; its last output:\n${output}\n`);
      return code;
    },
  };
}

