/**
 * Postgres beside SQLite: lookups per second (get + decrypt) on a 10,000-user directory, and
 * rescue-limit takes per second (the atomic RateLimiter.take every rescue makes before ringing),
 * each sequential (latency-bound) and with 16 in flight (what several Slack requests at once see);
 * then rescue throughput: whole rescues through the real use case `startRescue` (lookup, consent,
 * limits, call check, one Play, audit) against zero-delay simulated phones, 20 in flight.
 *
 * Postgres: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres;
 * a database of its own is created and dropped. Without a server the section says so and passes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { BenchSection } from '../run.js';
import { rescueSettingsFromEnv } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { createNetworkPolicy, PhoneClient } from '../../src/phone/index.js';
import { registerPhone, rescueDeps, startRescue, type RescueDeps } from '../../src/rescue/index.js';
import { startPhone, type SimPhone } from '../../src/sim/index.js';
import { openFullStore } from '../../src/store/index.js';
import { Keyring } from '../../src/store/keyring.js';
import type { RateRule, Store } from '../../src/store/state-types.js';
import type { RegistrationInput } from '../../src/store/types.js';

const USERS = 10_000;
const LOOKUPS = 20_000;
const TAKES = 5_000;
const IN_FLIGHT = 16;
/** Rescue throughput: each user rings their own phone once; warm-up users first, on phones of their own. */
const RESCUERS = 200;
const RESCUE_WARMUP = 20;
const RESCUES_IN_FLIGHT = 20;
const RESCUE_TEAM = 'T0RESCUE';
const SERVER = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const userId = (i: number): string => `U${String(i).padStart(8, '0')}`;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Figures {
  fillMs: number;
  lookupsSeq: number;
  lookupP50Us: number;
  lookupP99Us: number;
  lookupsPar: number;
  takesSeq: number;
  takeP50Us: number;
  takesPar: number;
}

/** Runs `n` operations with `width` in flight; returns operations per second. */
async function parallel(n: number, width: number, op: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < n; i = next++) await op(i);
    }),
  );
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function measure(store: Store): Promise<Figures> {
  const inputs: RegistrationInput[] = Array.from({ length: USERS }, (_, i) => ({
    teamId: 'T0BENCH',
    userId: userId(i),
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    username: `svc-${i}`,
    password: randomBytes(12).toString('base64'),
    tone: 'Classic1.raw',
    rings: 3,
  }));
  const f0 = process.hrtime.bigint();
  await store.directory.putMany(inputs);
  const fillMs = Number(process.hrtime.bigint() - f0) / 1e6;

  let x = 12345;
  const randomUser = (): string => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return userId(x % USERS);
  };
  const lookup = async (): Promise<void> => {
    const reg = await store.directory.get({ teamId: 'T0BENCH', userId: randomUser() });
    if (reg?.password === undefined) throw new Error('bench lookup returned no registration');
  };
  for (let i = 0; i < 1_000; i++) await lookup();
  const samples = new Float64Array(LOOKUPS);
  const l0 = process.hrtime.bigint();
  for (let i = 0; i < LOOKUPS; i++) {
    const s = process.hrtime.bigint();
    await lookup();
    samples[i] = Number(process.hrtime.bigint() - s) / 1e3;
  }
  const lookupsSeq = LOOKUPS / (Number(process.hrtime.bigint() - l0) / 1e9);
  samples.sort();
  const lookupsPar = await parallel(LOOKUPS, IN_FLIGHT, lookup);

  // A rescue's limits: the requester's per-minute cap and the target's cooldown, on spread-out users.
  const now = new Date();
  const rules = (i: number): RateRule[] => [
    { bucket: `requester:T0BENCH:${userId(i % USERS)}:minute`, windowMs: 60_000, max: 5 },
    { bucket: `target:T0BENCH:${userId((i * 7 + 1) % USERS)}:cooldown`, windowMs: 120_000, max: 1 },
  ];
  const takeSamples = new Float64Array(TAKES);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < TAKES; i++) {
    const s = process.hrtime.bigint();
    await store.limits.take(rules(i), now);
    takeSamples[i] = Number(process.hrtime.bigint() - s) / 1e3;
  }
  const takesSeq = TAKES / (Number(process.hrtime.bigint() - t0) / 1e9);
  takeSamples.sort();
  const takesPar = await parallel(TAKES, IN_FLIGHT, (i) => store.limits.take(rules(TAKES + i), now).then(() => undefined));

  return { fillMs, lookupsSeq, lookupP50Us: percentile(samples, 50), lookupP99Us: percentile(samples, 99), lookupsPar, takesSeq, takeP50Us: percentile(takeSamples, 50), takesPar };
}

interface RescueFigures {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  failed: number;
  /** Plays the phones received in the measured run (one per rescue expected). */
  plays: number;
}

/**
 * `RESCUERS` users, each rescuing their own zero-delay phone once (one ring), `RESCUES_IN_FLIGHT`
 * at a time (closed loop), after `RESCUE_WARMUP` warm-up rescues on other users' phones. Latency is
 * startRescue called -> `done` settled (the outcome audited); rescues per second count completed ones.
 */
async function measureRescues(store: Store, phones: readonly SimPhone[]): Promise<RescueFigures> {
  const settings = rescueSettingsFromEnv({
    // Each phone is rung once, but the bench goes through the production limits, so they must let it.
    RESCUE_TARGET_COOLDOWN_SECONDS: '0',
    RESCUE_REQUESTER_PER_MINUTE: '100000',
    PHONE_DEFAULT_RINGS: '1',
  });
  const logger = createLogger({ level: 'warn' });
  // As src/main.ts wires it: on Postgres every phone request also takes the cross-replica per-phone lock.
  const phoneClient = new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']), responseTimeoutMs: 5_000, connectTimeoutMs: 2_000, logger, ...(store.phoneLock ? { phoneLock: store.phoneLock } : {}) });
  const deps: RescueDeps = rescueDeps(store, { phones: phoneClient, settings, logger });
  const rescuer = (i: number): string => `U0R${String(i).padStart(6, '0')}`;
  for (const [i, phone] of phones.entries()) {
    await registerPhone(deps, { teamId: RESCUE_TEAM, userId: rescuer(i), address: phone.address, username: phone.username, password: phone.password, rings: 1, intervalSeconds: 1 });
  }
  let failed = 0;
  const rescue = async (i: number): Promise<number> => {
    const s = process.hrtime.bigint();
    const handle = await startRescue(deps, { teamId: RESCUE_TEAM, requesterId: rescuer(i) });
    const outcome = await handle.done;
    const ms = Number(process.hrtime.bigint() - s) / 1e6;
    if (!outcome.ok || outcome.completed !== 1) failed++;
    return ms;
  };
  await parallel(RESCUE_WARMUP, RESCUES_IN_FLIGHT, (i) => rescue(i).then(() => undefined));
  failed = 0;
  const playsBefore = phones.reduce((sum, p) => sum + p.played.length, 0);
  const samples = new Float64Array(RESCUERS);
  const perSecond = await parallel(RESCUERS, RESCUES_IN_FLIGHT, async (i) => {
    samples[i] = await rescue(RESCUE_WARMUP + i);
  });
  if (deps.active.size !== 0) throw new Error('bench: rescues still active after every done settled');
  samples.sort();
  return {
    perSecond: perSecond * ((RESCUERS - failed) / RESCUERS),
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: samples[samples.length - 1] ?? NaN,
    failed,
    plays: phones.reduce((sum, p) => sum + p.played.length, 0) - playsBefore,
  };
}

async function reachable(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 2_000 });
  try {
    await c.connect();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function withServer(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: SERVER });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const n = (v: number): string => Math.round(v).toLocaleString('en-US');
const ms = (r: RescueFigures): string => `${r.p50Ms.toFixed(1)} / ${r.p99Ms.toFixed(1)} / ${r.maxMs.toFixed(1)} ms`;

export async function run(): Promise<BenchSection> {
  const title = 'Store engines: Postgres beside SQLite';
  const command = 'npm run bench -- store-postgres';
  const down = await reachable();
  if (down !== undefined) {
    return { title, command, ok: true, markdown: `Skipped: no Postgres answers at ${new URL(SERVER).host} (${down}). Set BENCH_DATABASE_URL to run it.` };
  }
  const keyring = new Keyring([{ id: 'bench', key: randomBytes(32) }], 'bench');
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-bench-pg-'));
  const dbName = `rr_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = new URL(SERVER);
  url.pathname = `/${dbName}`;
  const phones: SimPhone[] = [];
  await withServer(`CREATE DATABASE "${dbName}"`);
  try {
    for (let i = 0; i < RESCUE_WARMUP + RESCUERS; i++) phones.push(await startPhone({ name: `bench-${i}`, toneTimeScale: 0 }));
    const sqliteStore = await openFullStore({ dataDir: dir, production: true }, { keyring });
    const sqlite = await measure(sqliteStore).finally(() => sqliteStore.close());
    const sqliteRescueStore = await openFullStore({ dataDir: join(dir, 'rescue'), production: true }, { keyring });
    const sqliteRescue = await measureRescues(sqliteRescueStore, phones).finally(() => sqliteRescueStore.close());
    const o0 = process.hrtime.bigint();
    const pgStore = await openFullStore({ dataDir: dir, production: true, databaseUrl: url.toString() }, { keyring, poolMax: IN_FLIGHT });
    const openMs = Number(process.hrtime.bigint() - o0) / 1e6;
    const postgres = await measure(pgStore).finally(() => pgStore.close());
    const rescueDb = `${dbName}_rescue`;
    const rescueUrl = new URL(SERVER);
    rescueUrl.pathname = `/${rescueDb}`;
    await withServer(`CREATE DATABASE "${rescueDb}"`);
    const postgresRescue = await (async () => {
      const store = await openFullStore({ dataDir: dir, production: true, databaseUrl: rescueUrl.toString() }, { keyring, poolMax: IN_FLIGHT });
      return measureRescues(store, phones).finally(() => store.close());
    })().finally(() => withServer(`DROP DATABASE IF EXISTS "${rescueDb}" WITH (FORCE)`).catch(() => undefined));
    const rows: [string, string, string][] = [
      ['Fill: 10,000 registrations in one transaction (seal + insert)', `${sqlite.fillMs.toFixed(0)} ms`, `${postgres.fillMs.toFixed(0)} ms`],
      ['Lookups per second (get + decrypt), sequential', n(sqlite.lookupsSeq), n(postgres.lookupsSeq)],
      ['Lookup latency p50 / p99', `${sqlite.lookupP50Us.toFixed(1)} / ${sqlite.lookupP99Us.toFixed(1)} µs`, `${postgres.lookupP50Us.toFixed(0)} / ${postgres.lookupP99Us.toFixed(0)} µs`],
      [`Lookups per second, ${IN_FLIGHT} in flight`, n(sqlite.lookupsPar), n(postgres.lookupsPar)],
      ['Rescue-limit takes per second (2 rules, atomic), sequential', n(sqlite.takesSeq), n(postgres.takesSeq)],
      ['Rescue-limit take latency p50', `${sqlite.takeP50Us.toFixed(1)} µs`, `${postgres.takeP50Us.toFixed(0)} µs`],
      [`Rescue-limit takes per second, ${IN_FLIGHT} in flight`, n(sqlite.takesPar), n(postgres.takesPar)],
      [`Rescues per second (startRescue -> done, 1 ring, zero-delay phone), ${RESCUES_IN_FLIGHT} in flight`, n(sqliteRescue.perSecond), n(postgresRescue.perSecond)],
      ['Rescue latency, start -> done, p50 / p99 / max', ms(sqliteRescue), ms(postgresRescue)],
      [`Rescues that failed / Plays the phones received (of ${RESCUERS})`, `${sqliteRescue.failed} / ${sqliteRescue.plays}`, `${postgresRescue.failed} / ${postgresRescue.plays}`],
    ];
    const markdown = [
      `${USERS.toLocaleString('en-US')} users; ${LOOKUPS.toLocaleString('en-US')} random lookups after 1,000 warm-up lookups; ${TAKES.toLocaleString('en-US')} takes of a rescue's two limit rules (requester per minute + target cooldown) on spread-out users. Postgres on ${url.host} (loopback here), pool of ${IN_FLIGHT}; open + migrations check took ${openMs.toFixed(0)} ms. No target: Postgres is the engine for several replicas, and a rescue makes one lookup and one take before a ring that lasts seconds.`,
      '',
      `Rescue throughput: ${RESCUERS} registered users (a store of their own per engine, registered with the registerPhone use case), each rescuing their own simulated phone once through \`startRescue\` (lookup + decrypt, consent, the atomic limits, call check, one Play, audit row; on Postgres each phone request also holds the per-phone lock shared by replicas, wired as src/main.ts does), ${RESCUES_IN_FLIGHT} in flight (closed loop), after ${RESCUE_WARMUP} warm-up rescues of other users. Phones: ${RESCUE_WARMUP + RESCUERS} simulator phones in this process on loopback answering at once (toneTimeScale 0); every phone request opens a fresh connection, as real phones need. Settings: production defaults (call check on) with RESCUE_TARGET_COOLDOWN_SECONDS=0 and RESCUE_REQUESTER_PER_MINUTE=100000. Latency is startRescue called -> \`done\` settled (outcome audited); rescues per second counts completed rescues. The phones, the phone client and the store share one event loop, so these figures are the bot's own ceiling without Slack, not a phone's speed.`,
      '',
      '| Measure | SQLite | Postgres |',
      '|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    return { title, command, markdown, ok: true };
  } finally {
    for (const phone of phones) await phone.stop().catch(() => undefined);
    await withServer(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
