/**
 * Ringing by device name (issue 14): 500 users registered by device name (SEP + 12 hex), each phone a
 * simulated phone on its own loopback address (127.0.0.x, 127.0.1.x; one shared port, as on a real
 * network) that the simulated call manager lists. The use cases are wired as the bot wires them (SQLite
 * store, connectCallManager with RisPort's budget in the store, the resolver's real 1 s query spacing),
 * and 500 rescues (one ring each) start spread evenly over one second from a cold cache.
 * Why: a morning burst must neither wait long for RisPort nor spend CUCM_RIS_PER_MINUTE: targets are
 * each phone's first Play within 2 s of its rescue's start (p99), at most 2 RisPort queries, no failure.
 * Then the cached path every later rescue takes: resolver.lookup of a cached name, under 50 µs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchSection } from '../run.js';
import { summarize } from '../support/stats.js';
import { rescueSettingsFromEnv } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { createNetworkPolicy, PhoneClient } from '../../src/phone/index.js';
import { connectCallManager, registerPhone, rescueDeps, startRescue } from '../../src/rescue/index.js';
import { simCallManagerOptions, startCallManagerSim } from '../../src/sim/cucm/index.js';
import { startPhone, type SimPhone } from '../../src/sim/index.js';
import { openFullStore } from '../../src/store/index.js';

const PHONES = 500;
const SPREAD_MS = 1_000;
const LOOKUPS = 100_000;
const RIS_PER_MINUTE = 10; // CUCM_RIS_PER_MINUTE's default
const TARGET_P99_MS = 2_000;
const TARGET_RIS_QUERIES = 2;
const TARGET_LOOKUP_US = 50;
const TEAM = 'T0CUCM';
/** Per phone: its listening socket, the client's connection and the accepted one; plus slack for the rest. */
const NEEDED_FDS = 3 * PHONES + 200;

const userId = (i: number): string => `U0C${String(i).padStart(6, '0')}`;
const deviceName = (i: number): string => `SEP${(0x00aa00000000 + i).toString(16).toUpperCase().padStart(12, '0')}`;
/** 127.0.0.2-251, then 127.0.1.2-251 (skipping .0, .1 and .255). */
const hostOf = (i: number): string => `127.0.${Math.floor(i / 250)}.${(i % 250) + 2}`;

/** Fails early with the fix when the open-file limit cannot hold every phone's sockets (Linux). */
function checkFileLimit(): void {
  let soft: number;
  try {
    soft = Number(/^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? Infinity);
  } catch {
    return;
  }
  if (soft < NEEDED_FDS) throw new Error(`bench callmanager: ${PHONES} phones need about ${NEEDED_FDS} open files; the limit is ${soft}. Run \`ulimit -n 4096\` first.`);
}

async function startPhones(): Promise<SimPhone[]> {
  const first = await startPhone({ host: hostOf(0), toneTimeScale: 0 });
  const rest = await Promise.all(Array.from({ length: PHONES - 1 }, (_, i) => startPhone({ host: hostOf(i + 1), port: first.port, toneTimeScale: 0 })));
  return [first, ...rest];
}

export async function run(): Promise<BenchSection> {
  checkFileLimit();
  const phones = await startPhones();
  const cucm = await startCallManagerSim({ devices: phones.map((_, i) => ({ name: deviceName(i), ip: hostOf(i) })), risPerMinute: RIS_PER_MINUTE });
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-bench-cucm-'));
  const logger = createLogger({ level: 'warn' });
  const store = await openFullStore({ dataDir: dir, production: true, keys: `k1:${randomBytes(32).toString('base64')}`, keyId: 'k1' }, { logger });
  // As src/main.ts wires it, with the call manager's settings at their documented defaults.
  const callManager = connectCallManager(
    simCallManagerOptions(cucm.url, { phonePort: phones[0]!.port, risPerMinute: RIS_PER_MINUTE }),
    { limits: store.limits, logger, dataDir: dir },
  )!;
  try {
    const phoneClient = new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']), logger, ...(store.phoneLock ? { phoneLock: store.phoneLock } : {}) });
    const deps = rescueDeps(store, { phones: phoneClient, settings: rescueSettingsFromEnv({}), logger, callManager });
    for (const [i, p] of phones.entries()) {
      await registerPhone(deps, { teamId: TEAM, userId: userId(i), address: deviceName(i), username: p.username, password: p.password, rings: 1 });
    }

    // The burst: rescue i starts at i × 2 ms; its start is taken when it really ran (timers may be late).
    const startedAt = new Array<number>(PHONES);
    const t0 = Date.now();
    const outcomes = await Promise.all(
      phones.map(
        (_, i) =>
          new Promise<boolean>((resolve) => {
            setTimeout(() => {
              startedAt[i] = Date.now();
              startRescue(deps, { teamId: TEAM, requesterId: userId(i) })
                .then((h) => h.done)
                .then((o) => resolve(o.ok && o.completed === 1), () => resolve(false));
            }, t0 + (i * SPREAD_MS) / PHONES - Date.now());
          }),
      ),
    );
    const failures = outcomes.filter((ok) => !ok).length;
    const firstPlay = phones.map((p, i) => (p.requests.find((r) => r.items?.some((it) => it.url.startsWith('Play:')))?.at ?? Infinity) - startedAt[i]!);
    const toPlay = summarize(firstPlay);
    const ris = cucm.requests.filter((r) => r.api === 'RisPort70');
    const risQueries = ris.length;
    // Where the time went, from the burst's start: when the call manager answered each query (and for how
    // many names), and when the phones received their first Play.
    const playsAt = firstPlay.map((ms, i) => ms + startedAt[i]! - t0).sort((a, b) => a - b);
    const timeline = [
      ...ris.map((r) => `RisPort70 answered ${r.names?.length ?? 0} names at ${r.at - t0} ms`),
      `the phones received their first Play from ${playsAt[0]} ms to ${playsAt.at(-1)} ms`,
    ].join('; ');

    // The cached path: every name is cached now; round-robin over them.
    for (let i = 0; i < 10_000; i++) await callManager.resolver.lookup(deviceName(i % PHONES));
    const l0 = process.hrtime.bigint();
    for (let i = 0; i < LOOKUPS; i++) await callManager.resolver.lookup(deviceName(i % PHONES));
    const lookupUs = Number(process.hrtime.bigint() - l0) / 1e3 / LOOKUPS;

    const pass = (ok: boolean): string => (ok ? 'pass' : 'FAIL');
    const checks = { p99: toPlay.p99 < TARGET_P99_MS, ris: risQueries <= TARGET_RIS_QUERIES, failures: failures === 0, lookup: lookupUs < TARGET_LOOKUP_US };
    const rows = [
      ['Rescue start → first Play at the phone, p50', '(none)', `${toPlay.p50} ms`, ''],
      ['Rescue start → first Play at the phone, p99', `< ${TARGET_P99_MS} ms`, `${toPlay.p99} ms`, pass(checks.p99)],
      ['Rescue start → first Play at the phone, max', '(none)', `${toPlay.max} ms`, ''],
      ['RisPort70 queries the call manager received', `≤ ${TARGET_RIS_QUERIES}`, `${risQueries}`, pass(checks.ris)],
      ['Failed rescues', '0', `${failures}`, pass(checks.failures)],
      [`Cached resolver.lookup, mean of ${LOOKUPS.toLocaleString('en-US')} (sequential, awaited)`, `< ${TARGET_LOOKUP_US} µs`, `${lookupUs.toFixed(2)} µs`, pass(checks.lookup)],
    ];
    const markdown = [
      `${PHONES} users registered by device name (SEP + 12 hex), each phone a simulated phone (answering at once) on its own loopback address with one shared port, all listed by the simulated call manager (RisPort70, ${RIS_PER_MINUTE} queries a minute, as CUCM_RIS_PER_MINUTE). Wired as src/main.ts wires it: SQLite store, \`connectCallManager\` (RisPort's budget in the store) with the resolver's defaults (5 ms batch window, queries at least 1 s apart), production rescue settings (call check on). ${PHONES} rescues (\`startRescue\`, one ring, each user their own phone) start spread evenly over ${SPREAD_MS / 1000} s with nothing cached; latency is a rescue's start to its phone receiving the first Play. The rescues started just after the first query's 5 ms window wait for the resolver's spacing (about 1 s), then for the answer about the rest, then share the event loop with the other ~500 rescues (a call check and a Play each, a fresh connection every request); the simulated phones and call manager run in this process, so their work is included. Then ${LOOKUPS.toLocaleString('en-US')} lookups of the cached names.`,
      '',
      '| Figure | Target | Measured | Result |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `Timeline of this run, from the burst's start: ${timeline}.`,
    ].join('\n');
    return { title: 'Call manager: ringing by device name', command: 'npm run bench -- callmanager', markdown, ok: Object.values(checks).every(Boolean) };
  } finally {
    await callManager.close();
    await store.close();
    await cucm.stop();
    await Promise.all(phones.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
