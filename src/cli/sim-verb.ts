/**
 * `rescue-ring sim`: run simulated Cisco phones on this machine, to try rescue-ring without hardware.
 * With `--cucm`, a simulated call manager (AXL + RisPort70) lists them: each phone on its own loopback
 * address (127.0.1.1, 127.0.1.2, ...) and one port, owned by user1, user2, ... (user1@example.com).
 * The phone password comes from the environment (PHONE_PASSWORD, or --password-env NAME), never argv;
 * without it the phones accept the simulator's default password, which is printed since it is no secret.
 */
import type { Command } from 'commander';
import { variableNamed, type Env } from '../config/index.js';
import { SIM_CUCM_PASSWORD, SIM_CUCM_USERNAME, startCallManagerSim, type SimulatedCallManager } from '../sim/cucm/index.js';
import { startSimulator } from '../sim/index.js';
import { freePort } from '../sim/free-port.js';
import type { PhoneSimulator, ScreenshotFormat, SimFaults, SimPhoneOptions } from '../sim/index.js';
import { SIM_DEFAULT_PASSWORD, SIM_DEFAULT_USERNAME } from '../sim/defaults.js';
import { ExitCode, UsageError, output, reportError } from './io.js';

export interface SimVerbOptions {
  phones: string;
  port?: string;
  host: string;
  user: string;
  passwordEnv: string;
  fault: string[];
  format: string;
  https?: boolean;
  model?: string;
  onCall?: boolean;
  toneScale: string;
  json?: boolean;
  /** Also run a simulated call manager that lists the phones. */
  cucm?: boolean;
  cucmPort?: string;
}

const FAULT_NAMES: Record<string, keyof SimFaults> = {
  'web-access-disabled': 'webAccessDisabled',
  webaccessdisabled: 'webAccessDisabled',
  hang: 'hang',
  slow: 'slowMs',
  slowms: 'slowMs',
  reset: 'reset',
  garbage: 'garbage',
  http500: 'http500',
  'http-500': 'http500',
};

/** Parses `--fault NAME[=VALUE]` values into fault switches. */
export function parseFaults(values: readonly string[]): Partial<SimFaults> {
  const faults: Partial<SimFaults> = {};
  for (const value of values) {
    const [rawName = '', rawArg] = value.split('=', 2);
    const name = FAULT_NAMES[rawName.trim().toLowerCase()];
    if (!name) {
      throw new UsageError(`Unknown fault "${rawName}". Use one of: web-access-disabled, hang, slow=MS, reset, garbage, http500.`);
    }
    if (name === 'slowMs') {
      const raw = rawArg ?? '2000';
      const ms = Number(raw);
      if (!/^\d+$/.test(raw) || ms > 600_000) throw new UsageError('--fault slow=MS needs a delay in milliseconds (0-600000).');
      faults.slowMs = ms;
    } else {
      faults[name] = true;
    }
  }
  return faults;
}

function intOption(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`${name} must be a whole number between ${min} and ${max}; it is "${raw}".`);
  return n;
}

/** `env` holds the variable --password-env names (default: the process environment's). */
export function phoneOptionsFrom(opts: SimVerbOptions, env: Env = { [opts.passwordEnv]: variableNamed(opts.passwordEnv) }): SimPhoneOptions[] {
  const count = intOption(opts.phones, '--phones', 1, 1000) ?? 1;
  const firstPort = intOption(opts.port, '--port', 1, 65535);
  if (firstPort !== undefined && !opts.cucm && firstPort + count - 1 > 65535) throw new UsageError('--port plus --phones runs past port 65535.');
  if (!['bmp', 'png', 'cip'].includes(opts.format)) throw new UsageError('--format must be bmp, png or cip.');
  const scale = Number(opts.toneScale);
  if (!Number.isFinite(scale) || scale < 0 || scale > 100) throw new UsageError('--tone-scale must be a number between 0 and 100.');
  if (!/^[A-Za-z0-9_]+$/.test(opts.passwordEnv)) throw new UsageError('--password-env must name an environment variable.');
  const fromEnv = env[opts.passwordEnv];
  const password = fromEnv !== undefined && fromEnv !== '' ? fromEnv : SIM_DEFAULT_PASSWORD;
  const faults = parseFaults(opts.fault);
  return Array.from({ length: count }, (_, i) => ({
    name: `phone${i + 1}`,
    // Listed by the call manager: each phone on its own address and one port, as on a real network.
    host: opts.cucm ? deviceHost(i) : opts.host,
    port: opts.cucm ? (firstPort ?? 0) : firstPort === undefined ? 0 : firstPort + i,
    username: opts.user,
    password,
    screenshotFormat: opts.format as ScreenshotFormat,
    https: opts.https === true,
    onCall: opts.onCall === true,
    toneTimeScale: scale,
    faults,
    ...(opts.model !== undefined ? { model: opts.model } : {}),
  }));
}

/** The loopback address of the i-th phone a simulated call manager lists: 127.0.1.1, 127.0.1.2, ... */
export function deviceHost(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

/** The device name of the i-th simulated phone: SEP + 12 hex digits, like a MAC address. */
export function deviceName(i: number): string {
  return `SEP${(0x00aa_0000_0000 + i + 1).toString(16).toUpperCase().padStart(12, '0')}`;
}

/** The call manager's lines: what to put in .env, and what to try. */
function describeCallManager(cucm: SimulatedCallManager, sim: PhoneSimulator, opts: SimVerbOptions): string {
  const first = sim.phones[0];
  const lines = [
    '',
    `Simulated call manager at ${cucm.url} (AXL and RisPort70), listing every phone above:`,
    ...sim.phones.map((p, i) => `  ${deviceName(i)}  ${p.address}  owner user${i + 1} (user${i + 1}@example.com)`),
    '',
    'Settings for rescue-ring (the simulator\'s account; no secret):',
    `  CUCM_URL=${cucm.url} CUCM_USERNAME=${SIM_CUCM_USERNAME} CUCM_PASSWORD=${SIM_CUCM_PASSWORD} CUCM_PHONE_PORT=${first?.port ?? ''}${opts.https ? ' CUCM_PHONE_SCHEME=https' : ''}`,
  ];
  if (first) {
    lines.push(
      'Try it in another terminal, with those settings and PHONE_ALLOWED_NETWORKS=127.0.0.0/8:',
      '  npx rescue-ring doctor --cucm',
      `  npx rescue-ring status ${deviceName(0)}`,
      `  PHONE_PASSWORD=... npx rescue-ring ring ${deviceName(0)} --user ${opts.user}`,
    );
  }
  return lines.join('\n');
}

function describe(sim: PhoneSimulator, opts: SimVerbOptions, passwordFromEnv: boolean): string {
  const first = sim.phones[0];
  const lines = [
    `rescue-ring simulator: ${sim.phones.length} simulated phone(s); user "${opts.user}", password ${
      passwordFromEnv ? `from $${opts.passwordEnv}` : `"${SIM_DEFAULT_PASSWORD}" (the simulator default)`
    }`,
    ...sim.phones.map((p) => `  ${p.name.padEnd(10)} ${p.url}${p.certificateSha256 ? `  (certificate SHA-256 ${p.certificateSha256})` : ''}`),
  ];
  if (first) {
    const pw = passwordFromEnv ? `"$${opts.passwordEnv}"` : SIM_DEFAULT_PASSWORD;
    // Every line runs as pasted: loopback is refused unless listed, and an HTTPS-only phone needs its https:// address.
    const allow = 'PHONE_ALLOWED_NETWORKS=127.0.0.0/8';
    const where = opts.https ? first.url : first.address;
    lines.push(
      '',
      'Try it in another terminal:',
      `  PHONE_PASSWORD=${pw} ${allow} npx rescue-ring ring ${where} --user ${opts.user}`,
      `  PHONE_PASSWORD=${pw} ${allow} npx rescue-ring screenshot ${where} -o screen.png --user ${opts.user}`,
      `  ${allow} npx rescue-ring status ${where}`,
    );
  }
  lines.push('', 'Press Ctrl+C to stop.');
  return lines.join('\n');
}

/** Resolves on the first SIGINT or SIGTERM (or when the signal aborts). */
function untilStopped(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function runSim(opts: SimVerbOptions, signal?: AbortSignal): Promise<number> {
  let sim: PhoneSimulator | undefined;
  let cucm: SimulatedCallManager | undefined;
  try {
    const cucmPort = intOption(opts.cucmPort, '--cucm-port', 1, 65535);
    if (cucmPort !== undefined && !opts.cucm) throw new UsageError('--cucm-port goes with --cucm.');
    const phones = phoneOptionsFrom(opts.cucm && opts.port === undefined ? { ...opts, port: String(await freePort(deviceHost(0))) } : opts);
    const fromEnv = variableNamed(opts.passwordEnv);
    sim = await startSimulator({ phones });
    const listed = sim.phones;
    if (opts.cucm) {
      cucm = await startCallManagerSim({
        ...(cucmPort !== undefined ? { port: cucmPort } : {}),
        users: listed.map((_, i) => ({ userid: `user${i + 1}`, mailid: `user${i + 1}@example.com` })),
        devices: listed.map((p, i) => ({ name: deviceName(i), owner: `user${i + 1}`, description: `Simulated ${p.name}`, ip: deviceHost(i) })),
      });
    }
    const data = {
      ok: true,
      user: opts.user,
      phones: listed.map((p, i) => ({ name: p.name, address: p.address, url: p.url, certificateSha256: p.certificateSha256, ...(cucm ? { device: deviceName(i) } : {}) })),
      ...(cucm ? { callManager: { url: cucm.url, username: SIM_CUCM_USERNAME, phonePort: listed[0]?.port } } : {}),
    };
    output(opts, data, () => describe(sim as PhoneSimulator, opts, fromEnv !== undefined && fromEnv !== '') + (cucm ? describeCallManager(cucm, sim as PhoneSimulator, opts) : ''));
    await untilStopped(signal);
    await sim.stop();
    await cucm?.stop();
    return ExitCode.Ok;
  } catch (err) {
    await sim?.stop();
    await cucm?.stop();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      return reportError(new UsageError(`A port is already in use or not allowed (${code}); pick another --port or leave it out.`), opts);
    }
    return reportError(err, opts);
  }
}

export function registerSimVerb(program: Command): void {
  program
    .command('sim')
    .description('Run simulated Cisco phones on this machine, to try rescue-ring without hardware')
    .option('--phones <n>', 'how many phones', '1')
    .option('--port <p>', 'first port; phones use consecutive ports from it (default: free ports)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--user <name>', 'phone username the simulated phones accept', SIM_DEFAULT_USERNAME)
    .option('--password-env <NAME>', 'environment variable holding the phone password', 'PHONE_PASSWORD')
    .option('--fault <name[=value]>', 'fault switch, repeatable: web-access-disabled, hang, slow=MS, reset, garbage, http500', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--format <bmp|png|cip>', 'screenshot format', 'bmp')
    .option('--https', 'serve HTTPS only, with a self-signed certificate')
    .option('--model <model>', 'model reported by DeviceInformationX (default CP-8845)')
    .option('--on-call', 'start the phones "on a call" (StreamingStatisticsX shows an active stream)')
    .option('--tone-scale <x>', 'multiply tone lengths (0 answers Play at once)', '1')
    .option('--cucm', 'also run a simulated call manager (AXL, RisPort70) listing the phones: each on its own 127.0.1.x address, one port')
    .option('--cucm-port <p>', 'port of the simulated call manager (default: a free port)')
    .option('--json', 'print the phones as JSON')
    .action(async (opts: SimVerbOptions) => {
      process.exitCode = await runSim(opts);
    });
}
