/**
 * The verbs that use the call manager (issue 14):
 * - `phones sync`: the workspace's people (Slack users.list, paged; bots and deactivated people
 *   skipped) matched to the call manager by e-mail in one bulk AXL listing; prints what it would do,
 *   person by person, with counts; `--apply` saves in one transaction with one audit entry
 *   (syncFromCallManager); hand-made registrations are kept unless `--replace`; `--json` for scripts.
 * - `doctor --cucm`: DNS, connection and TLS, credentials and each API's role, step by step.
 * - `status SEP...`: what the call manager says about a desk phone, and whose registration it is.
 * Settings: CUCM_* (and SLACK_BOT_TOKEN for sync) from the environment, read in src/config.
 */
import { lookup } from 'node:dns/promises';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { webApi } from '@slack/bolt';
import type { Command } from 'commander';
import { createCallManager, isDeskPhoneName, normalizeDeskPhoneName, phoneAddressFor, type CallManager, type CallManagerOptions } from '../callmanager/index.js';
import { readConfig } from '../config/index.js';
import { isAppError } from '../errors.js';
import { syncFromCallManager, type SyncLine, type SyncOutcome, type SyncReport } from '../rescue/find-phones.js';
import { operatorDeps, withStore } from './directory-common.js';
import { CLI_ACTOR, ExitCode, formatTable, output, runVerb, settingsFromEnv, stderrLogger, UsageError } from './io.js';

/** The call manager from the environment; a UsageError without CUCM_URL. */
export function callManagerOptionsFromEnv(): CallManagerOptions {
  const options = readConfig(['callManager']).callManager;
  if (!options) throw new UsageError('No call manager is configured: set CUCM_URL, CUCM_USERNAME and CUCM_PASSWORD (see README.md#phones-from-the-call-manager).');
  return options;
}

/** The call manager of CUCM_* for the length of one verb. */
export async function withCallManager<T>(fn: (cm: CallManager) => Promise<T>): Promise<T> {
  const cm = createCallManager(callManagerOptionsFromEnv(), { logger: stderrLogger() });
  try {
    return await fn(cm);
  } finally {
    await cm.close();
  }
}

// ---- phones sync ----

interface SlackPerson {
  userId: string;
  email?: string;
}

/** Every person of the workspace (users.list, 200 a page, following next_cursor); bots, apps and deactivated people skipped. */
export async function listSlackPeople(client: webApi.WebClient): Promise<{ teamId?: string; people: SlackPerson[] }> {
  const people: SlackPerson[] = [];
  let teamId: string | undefined;
  let cursor: string | undefined;
  do {
    const page = await client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
    for (const m of page.members ?? []) {
      if (!m.id || m.deleted || m.is_bot || m.is_app_user || m.id === 'USLACKBOT') continue;
      teamId ??= m.team_id;
      people.push({ userId: m.id, ...(m.profile?.email ? { email: m.profile.email } : {}) });
    }
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return { ...(teamId ? { teamId } : {}), people };
}

const LABEL: Record<SyncOutcome, string> = {
  new: 'new',
  unchanged: 'unchanged',
  updated: 'updated (another desk phone now)',
  replaced: 'replaces a phone typed by hand',
  'kept-manual': 'kept: typed by hand (--replace to replace)',
  'several-desk-phones': 'several desk phones: left to the person (/phone)',
  'no-desk-phone': 'no desk phone',
  'no-call-manager-user': 'no call-manager user with this e-mail',
  'several-call-manager-users': 'several call-manager users share this e-mail',
  'no-email': 'no e-mail in Slack',
};

function formatSync(report: SyncReport, apply: boolean): string {
  const rows = [['USER', 'DEVICE', 'WHAT'], ...report.lines.map((l: SyncLine) => [l.userId, l.device ?? (l.candidates ?? []).join(' '), LABEL[l.outcome]])];
  const counts = (Object.keys(LABEL) as SyncOutcome[]).filter((o) => report.counts[o] > 0).map((o) => `${o} ${report.counts[o]}`);
  const saved = report.counts.new + report.counts.updated + report.counts.replaced;
  const tail = apply ? (report.applied ? `Saved ${saved} registration(s) in one transaction.` : 'Nothing to save.') : saved > 0 ? `Dry run: nothing saved. Run again with --apply to save ${saved}.` : 'Dry run: nothing to save.';
  return `${formatTable(rows)}\n\n${report.lines.length} people: ${counts.join(', ') || 'none'}.\n${tail}`;
}

function registerPhonesSync(phones: Command): void {
  phones
    .command('sync')
    .description('Find every person\'s desk phone in the call manager by their Slack e-mail and register it (dry run unless --apply; phones typed by hand kept unless --replace). Safe to run from cron.')
    .option('--team <id>', 'Slack team id (default: the bot token\'s workspace)')
    .option('--apply', 'save the changes (one transaction, one audit entry)')
    .option('--replace', 'also replace registrations typed by hand')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: { team?: string; apply?: boolean; replace?: boolean; json?: boolean }) => {
        const { slack } = readConfig(['slack']);
        const settings = settingsFromEnv();
        // Slack's Web API client is loaded here only: every other verb starts without Bolt (half a second of CPU).
        const { webApi: slackApi } = await import('@slack/bolt');
        const client = new slackApi.WebClient(slack.botToken, {
          ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl.endsWith('/') ? slack.apiUrl : `${slack.apiUrl}/` } : {}),
          retryConfig: { retries: 2 },
          logLevel: slackApi.LogLevel.ERROR,
        });
        const listed = await listSlackPeople(client);
        const teamId = opts.team ?? listed.teamId;
        if (!teamId) throw new UsageError('Slack listed nobody to sync; give --team if the workspace is right.');
        return withCallManager((cm) =>
          withStore(async (store) => {
            const deps = { ...operatorDeps(store, settings), callManager: cm };
            const report = await syncFromCallManager(deps, { teamId, people: listed.people, apply: opts.apply === true, replace: opts.replace === true, actorId: CLI_ACTOR });
            output(opts, { ok: true, teamId, ...report }, () => formatSync(report, opts.apply === true));
          }),
        );
      }),
    );
}

// ---- doctor --cucm ----

export interface DoctorStep {
  step: 'settings' | 'dns' | 'connect' | 'axl' | 'risport';
  ok: boolean;
  detail: string;
  /** What to try next, on the first failure. */
  next?: string;
}

/** Step by step; stops at the first failure, naming what to try next. */
export async function doctorCallManager(options: CallManagerOptions, connectMs = 5_000): Promise<DoctorStep[]> {
  const steps: DoctorStep[] = [{ step: 'settings', ok: true, detail: `CUCM_URL ${options.url}, account ${options.username}, AXL ${options.axlVersion}` }];
  const url = new URL(options.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  try {
    const addrs = await lookup(host, { all: true });
    steps.push({ step: 'dns', ok: true, detail: `${host} is ${addrs.map((a) => a.address).join(', ')}` });
  } catch (err) {
    steps.push({ step: 'dns', ok: false, detail: `${host} could not be resolved (${(err as NodeJS.ErrnoException).code ?? 'error'})`, next: 'Check the host name in CUCM_URL, and that this server uses the DNS that knows the call manager.' });
    return steps;
  }
  try {
    const detail = await probe(host, port, url.protocol === 'https:', connectMs);
    steps.push({ step: 'connect', ok: true, detail });
  } catch (err) {
    steps.push({
      step: 'connect',
      ok: false,
      detail: `${host}:${port} did not answer (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      next: 'Check the port in CUCM_URL (8443 on a real call manager), that a firewall lets this server reach it, and that the call manager is running.',
    });
    return steps;
  }
  const cm = createCallManager(options, { logger: stderrLogger(), timeouts: { connectMs, totalMs: connectMs * 3 } });
  try {
    try {
      await cm.axl.findUserByEmail('rescue-ring-doctor@example.invalid');
      steps.push({ step: 'axl', ok: true, detail: 'AXL answered an executeSQLQuery: the credentials work and the account has "Standard AXL API Access"' });
    } catch (err) {
      steps.push({ step: 'axl', ok: false, ...failure(err) });
      return steps;
    }
    try {
      await cm.risport.selectCmDeviceExt(['SEP000000000000']);
      steps.push({ step: 'risport', ok: true, detail: 'RisPort70 answered a device query: the account has "Standard RealtimeAndTraceCollection"' });
    } catch (err) {
      steps.push({ step: 'risport', ok: false, ...failure(err) });
    }
    return steps;
  } finally {
    await cm.close();
  }
}

function failure(err: unknown): { detail: string; next: string } {
  if (isAppError(err)) return { detail: err.message, next: err.hint };
  return { detail: err instanceof Error ? err.message : String(err), next: 'Run again with LOG_LEVEL=debug and look at the first warning.' };
}

/** TCP connect (and TLS handshake for https, any certificate: which one is trusted is the AXL step's question); reports the certificate's fingerprint. */
function probe(host: string, port: number, tls: boolean, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls ? tlsConnect({ host, port, servername: /^[\d.]+$|:/.test(host) ? undefined : host, rejectUnauthorized: false }) : netConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      const cert = tls ? (socket as ReturnType<typeof tlsConnect>).getPeerCertificate() : undefined;
      socket.destroy();
      resolve(tls ? `TLS handshake with ${host}:${port}; certificate SHA-256 ${cert?.fingerprint256 ?? 'unknown'}` : `connected to ${host}:${port} (plain http: labs and the simulator only)`);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function formatDoctor(steps: DoctorStep[]): string {
  return steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.step.padEnd(8)} ${s.detail}${s.next ? `\n     Next: ${s.next}` : ''}`).join('\n');
}

/** `doctor --cucm` (called by the doctor verb in phone-verbs.ts). */
export async function runDoctorCucm(opts: { json?: boolean }): Promise<number> {
  const steps = await doctorCallManager(callManagerOptionsFromEnv());
  const ok = steps.every((s) => s.ok);
  output(opts, { ok, steps }, () => formatDoctor(steps) + (ok ? '\nThe call manager is ready for rescue-ring.' : ''));
  return ok ? ExitCode.Ok : ExitCode.Failure;
}

// ---- status SEP... ----

/** `status SEP...` (called by the status verb in phone-verbs.ts): the call manager's view of the device and whose registration it is. */
export async function runDeviceStatus(name: string, opts: { json?: boolean }): Promise<number> {
  const device = normalizeDeskPhoneName(name);
  return withCallManager(async (cm) => {
    const state = (await cm.risport.selectCmDeviceExt([device])).get(device) ?? { kind: 'unknown' as const, name: device };
    const owners = await withStore(async (store) => (await store.directory.list()).rows.filter((r) => r.address.toUpperCase() === device).map((r) => ({ teamId: r.teamId, userId: r.userId, source: r.source ?? 'manual' })));
    const address = state.kind === 'registered' ? phoneAddressFor(state.ip, cm.options) : undefined;
    output(opts, { ok: true, device, state, ...(address ? { address } : {}), registrations: owners }, () =>
      [
        `Device:       ${device}`,
        `Call manager: ${state.kind === 'registered' ? `Registered on ${state.node}` : state.kind === 'unregistered' ? `${state.status} (last on ${state.node})` : 'unknown device'}`,
        `Address:      ${address ?? 'none (only a registered phone has one)'}`,
        `Registered by: ${owners.length === 0 ? 'nobody in rescue-ring' : owners.map((o) => `${o.userId} (team ${o.teamId}, ${o.source === 'callmanager-unconfirmed' ? 'found by phones sync, not yet confirmed' : o.source === 'callmanager' ? 'found in the call manager' : 'typed by hand'})`).join(', ')}`,
      ].join('\n'),
    );
    return state.kind === 'registered' ? ExitCode.Ok : ExitCode.Failure;
  });
}

export { isDeskPhoneName };

export function registerCallManagerVerbs(phones: Command): void {
  registerPhonesSync(phones);
}
