/**
 * `rescue-ring ring | screenshot | status | doctor ADDRESS`: talk to one phone directly, without
 * Slack or the directory. The password comes from PHONE_PASSWORD, --password-stdin or a hidden
 * prompt, never argv; PHONE_ALLOWED_NETWORKS decides which addresses may be reached.
 */
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { readConfig } from '../config/index.js';
import { AppError } from '../errors.js';
import {
  DEFAULT_INTERVAL_MS,
  DEFAULT_RINGS,
  DEFAULT_TONE,
  MAX_RINGS,
  PhoneClient,
  diagnose,
  parsePhoneAddress,
  ring,
  screenshot,
  status,
  type Diagnosis,
  type Phone,
  type PhoneStatus,
  type PhoneTarget,
  type TlsPolicy,
} from '../phone/index.js';
import {
  ExitCode,
  output,
  readSecret,
  runVerb,
  stderrLogger,
  UsageError,
  wholeNumber,
  type OutputOptions,
} from './io.js';
import { tlsPolicyFrom, withTlsOptions, type TlsOptions } from './tls-options.js';
import { diagnosePhone, withPhoneAddress, type AddressOptions } from '../rescue/device-address.js';
import { isDeskPhoneName, runDeviceStatus, runDoctorCucm, withCallManager } from './call-manager-verbs.js';

interface ConnOptions extends OutputOptions, TlsOptions {
  user?: string;
  passwordStdin?: boolean;
  connectTimeout?: number;
  timeout?: number;
}

/** The PNG could not be saved where -o asked (the phone part worked). */
class CannotWriteFile extends AppError {
  readonly code = 'CannotWriteFile';
  constructor(file: string, reason: string) {
    super(`Cannot write ${file} (${reason})`, 'Check that the folder exists and that you may write to it, or pass another file with -o.');
  }
}

function clientFrom(opts: ConnOptions): PhoneClient {
  return new PhoneClient({
    networkPolicy: readConfig(['phones']).phones.networkPolicy,
    logger: stderrLogger(),
    ...(opts.connectTimeout !== undefined ? { connectTimeoutMs: opts.connectTimeout * 1000 } : {}),
    ...(opts.timeout !== undefined ? { responseTimeoutMs: opts.timeout * 1000 } : {}),
  });
}

/** A desk phone's device name (SEP...) is found in the call manager (CUCM_*) first; any other address is used as given. */
function atCurrentAddress<P extends PhoneTarget, T>(phone: P, act: (phone: P) => Promise<T>, options: AddressOptions = {}): Promise<T> {
  if (!isDeskPhoneName(phone.address)) return act(phone);
  return withCallManager((callManager) => withPhoneAddress({ callManager, logger: stderrLogger() }, phone, act, options));
}

/** The phone as the command line gives it. `check` refuses an unreadable address before any prompt (doctor makes it its first step instead). */
function target(address: string, opts: ConnOptions, check = true): PhoneTarget {
  if (check) parsePhoneAddress(address);
  const tls = tlsPolicyFrom(opts, address);
  return { address, ...(tls ? { tls } : {}) };
}

async function phoneWithCredentials(address: string, opts: ConnOptions, check = true): Promise<Phone> {
  const t = target(address, opts, check);
  const username = opts.user ?? readConfig(['rescue']).rescue.defaults.username;
  if (username === undefined || username === '') {
    throw new UsageError('Give the phone username with --user NAME (or set PHONE_DEFAULT_USERNAME).');
  }
  const password = await readSecret({ stdin: opts.passwordStdin, fromEnv: readConfig(['phones']).phones.password, prompt: `Password for ${username} on ${address}: ` });
  if (password === undefined || password === '') {
    throw new UsageError('No phone password: set PHONE_PASSWORD, use --password-stdin, or run in a terminal to be asked (never on the command line).');
  }
  return { ...t, credentials: { username, password }, modern: true };
}

function secondsArg(name: string, min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number of seconds from ${min} to ${max}.`);
    return n;
  };
}

function priorityArg(raw: string): 0 | 1 | 2 {
  if (raw !== '0' && raw !== '1' && raw !== '2') throw new InvalidArgumentError('--priority must be 0 (now), 1 (when idle) or 2 (only if idle).');
  return Number(raw) as 0 | 1 | 2;
}

function withConnectionOptions(cmd: Command, credentials: boolean): Command {
  if (credentials) {
    cmd.option('--user <name>', 'phone username (default: PHONE_DEFAULT_USERNAME); the password comes from PHONE_PASSWORD or a prompt');
    cmd.option('--password-stdin', 'read the password from the first line of standard input');
  }
  return withTlsOptions(cmd)
    .option('--connect-timeout <seconds>', 'give up looking up and connecting to the phone after this long (default 3)', secondsArg('--connect-timeout', 0.1, 60))
    .option('--timeout <seconds>', 'give up waiting for an answer after this long (default 15)', secondsArg('--timeout', 0.1, 300))
    .option('--json', 'print JSON for scripts');
}

/** Ctrl-C stops the ring cleanly instead of killing the process mid-request. */
function abortOnSigint(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onSigint = (): void => ac.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  return { signal: ac.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}

function certLine(sha: string | undefined, tls: TlsPolicy | undefined): string {
  if (!sha || tls?.mode === 'pin' && tls.sha256) return '';
  return `\nCertificate SHA-256: ${sha} (pass --tls-pin ${sha} to accept only this certificate)`;
}

interface RingCliOptions extends ConnOptions {
  tone: string;
  rings: number;
  interval: number;
  priority: 0 | 1 | 2;
  /** false with --no-call-check. */
  callCheck: boolean;
}

function formatStatus(s: PhoneStatus): string {
  const rows: [string, string | undefined][] = [
    ['Model', s.model],
    ['Host name', s.hostName],
    ['MAC address', s.macAddress],
    ['Line (DN)', s.directoryNumber],
    ['Firmware', s.firmware],
    ['Message waiting', s.messageWaiting === undefined ? undefined : s.messageWaiting ? 'yes' : 'no'],
    ['On a call', s.inCall === undefined ? 'unknown (the phone does not report it)' : s.inCall ? 'yes' : 'no'],
  ];
  return rows
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.padEnd(16)} ${v}`)
    .join('\n');
}

function formatDiagnosis(address: string, d: Diagnosis): string {
  const lines = [`Diagnosis of ${address}:`];
  for (const s of d.steps) {
    lines.push(`  ${s.ok ? 'PASS' : 'FAIL'}  ${s.name.padEnd(11)} ${s.detail}`);
    if (!s.ok && s.next) lines.push(`        next: ${s.next}`);
  }
  lines.push(d.ok ? 'Everything checked out: this phone can be rung.' : 'The phone cannot be used yet: fix the first FAIL above, then run doctor again.');
  return lines.join('\n');
}

export function registerPhoneVerbs(program: Command): void {
  withConnectionOptions(
    program
      .command('ring')
      .description('Ring a phone: play a ringtone a few times')
      .argument('<address>', 'phone address: host, host:port, [v6]:port or http(s)://host[:port]')
      .option('--tone <file>', 'ringtone file name', DEFAULT_TONE)
      .option('--rings <n>', `number of rings (1-${MAX_RINGS})`, wholeNumber('--rings', 1, MAX_RINGS), DEFAULT_RINGS)
      .option('--interval <seconds>', 'pause between rings', secondsArg('--interval', 0, 600), DEFAULT_INTERVAL_MS / 1000)
      .option('--priority <0|1|2>', '0 = now, 1 = when idle, 2 = only if idle (phones ignore it for ringtones)', priorityArg, 2)
      .option('--no-call-check', 'ring even if the phone is on a call (by default a phone on a call is not rung, and a call that starts stops the remaining rings)'),
    true,
  ).action(
    runVerb(async (address: string, opts: RingCliOptions) => {
      const phone = await phoneWithCredentials(address, opts);
      const client = clientFrom(opts);
      const { signal, dispose } = abortOnSigint();
      try {
        let rang = 0;
        const result = await atCurrentAddress(phone, (at) => ring(client, at, {
          tone: opts.tone,
          rings: opts.rings,
          intervalMs: Math.round(opts.interval * 1000),
          priority: opts.priority,
          callCheck: opts.callCheck,
          signal,
          onProgress: (p) => {
            rang = p.ring;
            if (!opts.json) process.stderr.write(`ring ${p.ring}/${p.of} done\n`);
          },
        }), { mayRetry: () => rang === 0 && !signal.aborted });
        output(opts, { ok: true, ...result }, () =>
          (result.aborted
            ? `Stopped after ${result.completed} of ${result.requested} rings.`
            : result.interruptedByCall
              ? `A call started on the phone after ${result.completed} of ${result.requested} rings; the rest were not sent.`
              : `Rang ${address} ${result.completed} time(s) with ${opts.tone}.`) +
          certLine(result.certificateSha256, phone.tls),
        );
        return ExitCode.Ok;
      } finally {
        dispose();
      }
    }),
  );

  withConnectionOptions(
    program
      .command('screenshot')
      .description("Save a PNG picture of the phone's screen")
      .argument('<address>', 'phone address')
      .requiredOption('-o, --output <file>', 'where to write the PNG'),
    true,
  ).action(
    runVerb(async (address: string, opts: ConnOptions & { output: string }) => {
      const phone = await phoneWithCredentials(address, opts);
      const client = clientFrom(opts);
      const shot = await atCurrentAddress(phone, (at) => screenshot(client, at));
      await writeFile(opts.output, shot.png).catch((err: unknown) => {
        throw new CannotWriteFile(opts.output, (err as NodeJS.ErrnoException).code ?? 'error');
      });
      output(
        opts,
        { ok: true, file: opts.output, width: shot.width, height: shot.height, sourceFormat: shot.sourceFormat, ...(shot.certificateSha256 ? { certificateSha256: shot.certificateSha256 } : {}) },
        () => `Saved a ${shot.width}x${shot.height} PNG (the phone sent ${shot.sourceFormat.toUpperCase()}) to ${opts.output}.${certLine(shot.certificateSha256, phone.tls)}`,
      );
    }),
  );

  withConnectionOptions(
    program.command('status').description('Show what the phone says about itself, and whether it is on a call (no password needed)').argument('<address>', 'phone address'),
    false,
  ).action(
    runVerb(async (address: string, opts: ConnOptions) => {
      if (isDeskPhoneName(address)) return runDeviceStatus(address, opts);
      const s = await status(clientFrom(opts), target(address, opts));
      output(opts, { ok: true, ...s }, () => formatStatus(s));
    }),
  );

  withConnectionOptions(
    program
      .command('doctor')
      .description('Check a phone step by step (address, DNS, network, web server, device information, password) and say what to fix; --cucm checks the call manager instead')
      .argument('[address]', 'phone address')
      .option('--cucm', 'check the call manager (CUCM_URL): DNS, TLS, credentials, the AXL and RisPort roles'),
    true,
  ).action(
    runVerb(async (address: string | undefined, opts: ConnOptions & { cucm?: boolean }) => {
      if (opts.cucm) return runDoctorCucm(opts);
      if (address === undefined) throw new UsageError('doctor needs a phone address, or --cucm to check the call manager.');
      const withUser = opts.user !== undefined || readConfig(['rescue']).rescue.defaults.username !== undefined;
      const phone: PhoneTarget = withUser ? await phoneWithCredentials(address, opts, false) : target(address, opts, false);
      const client = clientFrom(opts);
      const d = isDeskPhoneName(address)
        ? await withCallManager((callManager) => diagnosePhone({ callManager, logger: stderrLogger(), phones: client }, phone))
        : await diagnose(client, phone);
      output(opts, d, () => formatDiagnosis(address, d) + (withUser ? '' : '\n(Add --user NAME to check the password too.)'));
      return d.ok ? ExitCode.Ok : ExitCode.Failure;
    }),
  );
}
