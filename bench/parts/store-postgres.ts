/**
 * Postgres beside SQLite: lookups per second (get + decrypt) on a 10,000-user directory, and
 * rescue-limit takes per second (the atomic RateLimiter.take every rescue makes before ringing),
 * each sequential (latency-bound) and with 16 in flight (what several Slack requests at once see);
 * then rescue throughput: whole rescues through the real use case `startRescue` (lookup, consent,
 * limits, call check, one Play, audit) against zero-delay simulated phones, 20 in flight.
 *
 * Floors (issue 16), measured in alternating blocks in the same run on an equal pool of their own: a
 * Postgres lookup beside a bare `pg` query of the same row by primary key plus one AES-256-GCM open
 * with node:crypto (bench/support/store-floor.ts); a Postgres take beside the same atomic take in one
 * round trip (one call of a PL/pgSQL function doing the same locks, counts and insert). Rescue
 * throughput on Postgres is reported beside SQLite's.
 *
 * Postgres: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres;
 * a database of its own is created and dropped. Without a server the section says so and passes.
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { BenchSection } from '../run.js';
import type { RatioRow } from '../support/ratio.js';
import { alternating, alternatingInFlight, FLOOR_COLUMNS, floorOpen, percentileOf, type Timed } from '../support/store-floor.js';
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
/** Alternating blocks per side (store, floor, store, ...). */
const ROUNDS = 10;
/** Postgres lookup p50 at most this many times its floor's; lookups per second (in flight) at least this share. */
const LOOKUP_P50_TARGET = 1.5;
const LOOKUPS_IN_FLIGHT_TARGET = 0.67;
/** Postgres take p50 at most this many times the one-round-trip take's. */
const TAKE_P50_TARGET = 6;
const SERVER = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const userId = (i: number): string => `U${String(i).padStart(8, '0')}`;

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

/** The same work with the least code: measured beside the store's, block for block. */
interface Floor {
  lookup(teamId: string, userId: string): Promise<void>;
  take(rules: readonly RateRule[], now: Date): Promise<void>;
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

/** The store's figures, and the floor's measured in alternating blocks beside them when one is given. */
async function measure(store: Store, floor?: Floor): Promise<{ store: Figures; floor?: Omit<Figures, 'fillMs'> }> {
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

  // The same pseudo-random users for every side.
  const users = new Array<string>(LOOKUPS);
  let x = 12345;
  for (let i = 0; i < LOOKUPS; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    users[i] = userId(x % USERS);
  }
  const user = (i: number): string => users[i % LOOKUPS] as string;
  const lookup = async (i: number): Promise<void> => {
    const reg = await store.directory.get({ teamId: 'T0BENCH', userId: user(i) });
    if (reg?.password === undefined) throw new Error('bench lookup returned no registration');
  };
  const lookups = floor ? [lookup, (i: number) => floor.lookup('T0BENCH', user(i))] : [lookup];
  for (let i = 0; i < 1_000; i++) for (const op of lookups) await op(LOOKUPS - 1 - i);
  const [lookupSeq, floorLookupSeq] = await alternating(LOOKUPS, floor ? ROUNDS : 1, lookups);
  const [lookupsPar, floorLookupsPar] = await alternatingInFlight(LOOKUPS, IN_FLIGHT, floor ? ROUNDS : 1, lookups);

  // A rescue's limits: the requester's per-minute cap and the target's cooldown, on spread-out users.
  // The floor takes the same rules on buckets of its own, so both see the same table.
  const now = new Date();
  const rules = (i: number, prefix = ''): RateRule[] => [
    { bucket: `${prefix}requester:T0BENCH:${userId(i % USERS)}:minute`, windowMs: 60_000, max: 5 },
    { bucket: `${prefix}target:T0BENCH:${userId((i * 7 + 1) % USERS)}:cooldown`, windowMs: 120_000, max: 1 },
  ];
  const take = async (i: number): Promise<void> => {
    if (!(await store.limits.take(rules(i), now)).ok) throw new Error('bench take refused');
  };
  const takes = floor ? [take, (i: number) => floor.take(rules(i, 'floor:'), now)] : [take];
  const [takeSeq, floorTakeSeq] = await alternating(TAKES, floor ? ROUNDS : 1, takes);
  const [takesPar, floorTakesPar] = await alternatingInFlight(
    TAKES,
    IN_FLIGHT,
    floor ? ROUNDS : 1,
    takes.map((op) => (i: number) => op(TAKES + i)),
  );

  const figures = (l: Timed | undefined, lPar: number | undefined, t: Timed | undefined, tPar: number | undefined): Omit<Figures, 'fillMs'> => ({
    lookupsSeq: l?.perSecond ?? NaN,
    lookupP50Us: l ? percentileOf(l.samples, 50) : NaN,
    lookupP99Us: l ? percentileOf(l.samples, 99) : NaN,
    lookupsPar: lPar ?? NaN,
    takesSeq: t?.perSecond ?? NaN,
    takeP50Us: t ? percentileOf(t.samples, 50) : NaN,
    takesPar: tPar ?? NaN,
  });
  return {
    store: { fillMs, ...figures(lookupSeq, lookupsPar, takeSeq, takesPar) },
    ...(floor ? { floor: figures(floorLookupSeq, floorLookupsPar, floorTakeSeq, floorTakesPar) } : {}),
  };
}

/** The lock space of the floor's take (any constant; the store's takes use their own). */
const FLOOR_LOCK_SPACE = 0x52524246;

/**
 * The same atomic take as PgRateLimiter.take (a transaction-scoped advisory lock per bucket in hash
 * order, the hits of each rule in its window, then one insert of every hit) in one round trip: a
 * PL/pgSQL function, whose statements each see what committed before them, like the store's separate
 * statements. On the ok path (every take in this bench) it does what the store's take does.
 */
const FLOOR_TAKE_FUNCTION = `
CREATE FUNCTION bench_floor_take(buckets text[], windows float8[], maxes int[], now_ timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(${FLOOR_LOCK_SPACE}, h) FROM (SELECT DISTINCT hashtext(b) AS h FROM unnest(buckets) AS b ORDER BY 1) AS locks;
  IF EXISTS (SELECT 1 FROM unnest(buckets, windows, maxes) AS r(bucket, window_ms, max)
             WHERE (SELECT count(*) FROM rate_hits h WHERE h.bucket = r.bucket AND h.at > now_ - r.window_ms * interval '1 millisecond') >= r.max) THEN
    RETURN false;
  END IF;
  INSERT INTO rate_hits (bucket, at) SELECT b, now_ FROM unnest(buckets) AS b;
  RETURN true;
END $$`;

/**
 * The floor on a pool of its own, as large as the store's, on the same database: a bare query of the
 * row by primary key plus the one open of its sealed bytes; the take in one call. Its connections
 * commit without waiting for the WAL flush, as the store's takes do.
 */
async function openFloor(url: string, key: KeyObject): Promise<{ floor: Floor; close: () => Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: IN_FLIGHT, options: '-c synchronous_commit=off' });
  await pool.query(FLOOR_TAKE_FUNCTION);
  const select = `SELECT ${FLOOR_COLUMNS} FROM phone_registrations WHERE team_id = $1 AND user_id = $2`;
  return {
    floor: {
      async lookup(teamId, userId) {
        const row = (await pool.query<{ sealed: Buffer }>(select, [teamId, userId])).rows[0];
        if (row === undefined || floorOpen(key, teamId, userId, row.sealed) === undefined) throw new Error('bench floor lookup returned no password');
      },
      async take(rules, now) {
        const r = await pool.query<{ ok: boolean }>('SELECT bench_floor_take($1, $2, $3, $4) AS ok', [rules.map((x) => x.bucket), rules.map((x) => x.windowMs), rules.map((x) => x.max), now]);
        if (r.rows[0]?.ok !== true) throw new Error('bench floor take refused');
      },
    },
    close: () => pool.end(),
  };
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
    p50Ms: percentileOf(samples, 50),
    p99Ms: percentileOf(samples, 99),
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
    return { title, command, ok: true, ratios: [], markdown: `Skipped: no Postgres answers at ${new URL(SERVER).host} (${down}). Set BENCH_DATABASE_URL to run it.` };
  }
  const key = randomBytes(32);
  const keyring = new Keyring([{ id: 'bench', key }], 'bench');
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-bench-pg-'));
  const dbName = `rr_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = new URL(SERVER);
  url.pathname = `/${dbName}`;
  const phones: SimPhone[] = [];
  await withServer(`CREATE DATABASE "${dbName}"`);
  try {
    for (let i = 0; i < RESCUE_WARMUP + RESCUERS; i++) phones.push(await startPhone({ name: `bench-${i}`, toneTimeScale: 0 }));
    const sqliteStore = await openFullStore({ dataDir: dir, production: true }, { keyring });
    const { store: sqlite } = await measure(sqliteStore).finally(() => sqliteStore.close());
    const sqliteRescueStore = await openFullStore({ dataDir: join(dir, 'rescue'), production: true }, { keyring });
    const sqliteRescue = await measureRescues(sqliteRescueStore, phones).finally(() => sqliteRescueStore.close());
    const o0 = process.hrtime.bigint();
    const pgStore = await openFullStore({ dataDir: dir, production: true, databaseUrl: url.toString() }, { keyring, poolMax: IN_FLIGHT });
    const openMs = Number(process.hrtime.bigint() - o0) / 1e6;
    const { floor: pgFloor, close: closeFloor } = await openFloor(url.toString(), createSecretKey(key));
    const measured = await measure(pgStore, pgFloor).finally(() => Promise.all([pgStore.close(), closeFloor()]));
    const postgres = measured.store;
    const floor = measured.floor as Omit<Figures, 'fillMs'>;
    const rescueDb = `${dbName}_rescue`;
    const rescueUrl = new URL(SERVER);
    rescueUrl.pathname = `/${rescueDb}`;
    await withServer(`CREATE DATABASE "${rescueDb}"`);
    const postgresRescue = await (async () => {
      const store = await openFullStore({ dataDir: dir, production: true, databaseUrl: rescueUrl.toString() }, { keyring, poolMax: IN_FLIGHT });
      return measureRescues(store, phones).finally(() => store.close());
    })().finally(() => withServer(`DROP DATABASE IF EXISTS "${rescueDb}" WITH (FORCE)`).catch(() => undefined));
    const lookupFloor = `bare pg query by primary key + one AES-256-GCM open, pool of ${IN_FLIGHT}`;
    const takeFloor = 'the same atomic take in one round trip (one PL/pgSQL call)';
    const ratios: RatioRow[] = [
      { figure: 'Postgres lookup latency p50 (get + decrypt)', value: postgres.lookupP50Us, floor: lookupFloor, floorValue: floor.lookupP50Us, unit: 'µs', target: { atMost: LOOKUP_P50_TARGET } },
      { figure: 'Postgres lookups per second, sequential', value: postgres.lookupsSeq, floor: lookupFloor, floorValue: floor.lookupsSeq, unit: '/s' },
      { figure: `Postgres lookups per second, ${IN_FLIGHT} in flight`, value: postgres.lookupsPar, floor: lookupFloor, floorValue: floor.lookupsPar, unit: '/s', target: { atLeast: LOOKUPS_IN_FLIGHT_TARGET } },
      { figure: 'Postgres rescue-limit take latency p50 (2 rules, atomic)', value: postgres.takeP50Us, floor: takeFloor, floorValue: floor.takeP50Us, unit: 'µs', target: { atMost: TAKE_P50_TARGET } },
      { figure: `Postgres rescue-limit takes per second, ${IN_FLIGHT} in flight`, value: postgres.takesPar, floor: takeFloor, floorValue: floor.takesPar, unit: '/s' },
      {
        figure: `Rescues per second on Postgres (startRescue -> done, ${RESCUES_IN_FLIGHT} in flight)`,
        value: postgresRescue.perSecond,
        floor: 'the same rescues on SQLite',
        floorValue: sqliteRescue.perSecond,
        unit: '/s',
      },
    ];
    const rows: [string, string, string, string][] = [
      ['Fill: 10,000 registrations in one transaction (seal + insert)', `${sqlite.fillMs.toFixed(0)} ms`, `${postgres.fillMs.toFixed(0)} ms`, ''],
      ['Lookups per second (get + decrypt), sequential', n(sqlite.lookupsSeq), n(postgres.lookupsSeq), n(floor.lookupsSeq)],
      ['Lookup latency p50 / p99', `${sqlite.lookupP50Us.toFixed(1)} / ${sqlite.lookupP99Us.toFixed(1)} µs`, `${postgres.lookupP50Us.toFixed(0)} / ${postgres.lookupP99Us.toFixed(0)} µs`, `${floor.lookupP50Us.toFixed(0)} / ${floor.lookupP99Us.toFixed(0)} µs`],
      [`Lookups per second, ${IN_FLIGHT} in flight`, n(sqlite.lookupsPar), n(postgres.lookupsPar), n(floor.lookupsPar)],
      ['Rescue-limit takes per second (2 rules, atomic), sequential', n(sqlite.takesSeq), n(postgres.takesSeq), n(floor.takesSeq)],
      ['Rescue-limit take latency p50', `${sqlite.takeP50Us.toFixed(1)} µs`, `${postgres.takeP50Us.toFixed(0)} µs`, `${floor.takeP50Us.toFixed(0)} µs`],
      [`Rescue-limit takes per second, ${IN_FLIGHT} in flight`, n(sqlite.takesPar), n(postgres.takesPar), n(floor.takesPar)],
      [`Rescues per second (startRescue -> done, 1 ring, zero-delay phone), ${RESCUES_IN_FLIGHT} in flight`, n(sqliteRescue.perSecond), n(postgresRescue.perSecond), ''],
      ['Rescue latency, start -> done, p50 / p99 / max', ms(sqliteRescue), ms(postgresRescue), ''],
      [`Rescues that failed / Plays the phones received (of ${RESCUERS})`, `${sqliteRescue.failed} / ${sqliteRescue.plays}`, `${postgresRescue.failed} / ${postgresRescue.plays}`, ''],
    ];
    const markdown = [
      `${USERS.toLocaleString('en-US')} users; ${LOOKUPS.toLocaleString('en-US')} random lookups after 1,000 warm-up lookups; ${TAKES.toLocaleString('en-US')} takes of a rescue's two limit rules (requester per minute + target cooldown) on spread-out users. Postgres on ${url.host} (loopback here), pool of ${IN_FLIGHT}; open + migrations check took ${openMs.toFixed(0)} ms.`,
      '',
      `Floors, each on a pool of its own as large as the store's, on the same database, run with the store's in ${ROUNDS} alternating blocks (same users, same rules on buckets of their own): the lookup floor is a bare \`pg\` query of the same row by primary key (same columns) plus the one AES-256-GCM open of its sealed bytes with node:crypto and a JSON.parse of the record (bench/support/store-floor.ts); the take floor is the same atomic take (an advisory lock per bucket in hash order, the hits of each rule in its window, one insert of both hits; commits not waiting for the WAL flush, as the store's) in one round trip, as one call of a PL/pgSQL function, where the store's take is a transaction of separate statements (five round trips today). Targets: lookup p50 at most ${LOOKUP_P50_TARGET}x its floor's, lookups per second with ${IN_FLIGHT} in flight at least ${LOOKUPS_IN_FLIGHT_TARGET}x, take p50 at most ${TAKE_P50_TARGET}x; rescues per second on Postgres are reported beside SQLite's, without a target (Postgres is the engine for several replicas, and a rescue makes one lookup and one take before a ring that lasts seconds). SQLite's own lookup floor is in the SQLite section.`,
      '',
      `Rescue throughput: ${RESCUERS} registered users (a store of their own per engine, registered with the registerPhone use case), each rescuing their own simulated phone once through \`startRescue\` (lookup + decrypt, consent, the atomic limits, call check, one Play, audit row; on Postgres each phone request also holds the per-phone lock shared by replicas, wired as src/main.ts does), ${RESCUES_IN_FLIGHT} in flight (closed loop), after ${RESCUE_WARMUP} warm-up rescues of other users. Phones: ${RESCUE_WARMUP + RESCUERS} simulator phones in this process on loopback answering at once (toneTimeScale 0); every phone request opens a fresh connection, as real phones need. Settings: production defaults (call check on) with RESCUE_TARGET_COOLDOWN_SECONDS=0 and RESCUE_REQUESTER_PER_MINUTE=100000. Latency is startRescue called -> \`done\` settled (outcome audited); rescues per second counts completed rescues. The phones, the phone client and the store share one event loop, so these figures are the bot's own ceiling without Slack, not a phone's speed. Every rescue must complete with its one Play on both engines.`,
      '',
      '| Measure | SQLite | Postgres | Postgres floor |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    const ok = [sqliteRescue, postgresRescue].every((r) => r.failed === 0 && r.plays === RESCUERS);
    return { title, command, markdown, ratios, ok };
  } finally {
    for (const phone of phones) await phone.stop().catch(() => undefined);
    await withServer(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
