/**
 * Encrypted phone directory: lookups (get + decrypt) on a 10,000-user SQLite directory beside their
 * floor, a bare prepared better-sqlite3 statement reading the same row from the same file plus one
 * AES-256-GCM open of the same sealed bytes with node:crypto (bench/support/store-floor.ts), measured
 * in alternating blocks in the same run. Targets are ratios to that floor (issue 16). Start-up and the
 * 10,000-row fill are reported beside floors of their own.
 */
import { createCipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { BenchSection } from '../run.js';
import type { RatioRow } from '../support/ratio.js';
import { FLOOR_COLUMNS, floorOpen, percentileOf, sideBySide } from '../support/store-floor.js';
import { openStore } from '../../src/store/index.js';
import type { StoreConfig } from '../../src/store/index.js';
import type { RegistrationInput } from '../../src/store/types.js';

const USERS = 10_000;
const LOOKUPS = 50_000;
/** Alternating blocks of lookups per side (figure, floor, figure, ...). */
const ROUNDS = 20;
const OPENS = 10;
/** Lookup p50 at most this many times its floor's; lookups per second at least this share of the floor's. */
const LOOKUP_P50_TARGET = 1.5;
const LOOKUPS_PER_S_TARGET = 0.5;
/** The store's file in DATA_DIR (src/store/sqlite.ts). */
const DB_FILE = 'rescue-ring.db';
const TEAM = 'T0BENCH';

const userId = (i: number): string => `U${String(i).padStart(8, '0')}`;

/** The same schema, pragmas and seal as the store, written with the driver and node:crypto alone. */
function floorFill(file: string, key: KeyObject, inputs: readonly RegistrationInput[]): number {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE phone_registrations (
      team_id TEXT NOT NULL, user_id TEXT NOT NULL, key_id TEXT NOT NULL, sealed BLOB NOT NULL, tone TEXT, rings INTEGER,
      interval_seconds REAL, permission TEXT NOT NULL, buddies TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
      PRIMARY KEY (team_id, user_id)) STRICT, WITHOUT ROWID;
      CREATE INDEX phone_registrations_key_id ON phone_registrations (key_id, team_id, user_id);`);
    const insert = db.prepare(`INSERT INTO phone_registrations (${FLOOR_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const t0 = process.hrtime.bigint();
    db.transaction(() => {
      const now = Date.now();
      for (const r of inputs) {
        const nonce = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
        cipher.setAAD(Buffer.from(JSON.stringify(['rescue-ring/credentials/v1', r.teamId, r.userId]), 'utf8'));
        const body = Buffer.concat([cipher.update(JSON.stringify({ address: r.address, username: r.username, password: r.password }), 'utf8'), cipher.final()]);
        const sealed = Buffer.concat([Buffer.of(1), nonce, cipher.getAuthTag(), body]);
        insert.run(r.teamId, r.userId, 'bench', sealed, r.tone ?? null, r.rings ?? null, null, 'anyone', '[]', now, now);
      }
    }).immediate();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  } finally {
    db.close();
  }
}

export async function run(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-bench-store-'));
  const key = randomBytes(32);
  const config: StoreConfig = { dataDir: dir, production: true, keys: `bench:${key.toString('base64')}`, keyId: 'bench' };
  try {
    const seed = await openStore(config);
    const inputs: RegistrationInput[] = Array.from({ length: USERS }, (_, i) => ({
      teamId: TEAM,
      userId: userId(i),
      address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      username: `svc-${i}`,
      password: randomBytes(12).toString('base64'),
      tone: 'Classic1.raw',
      rings: 3,
    }));
    const t0 = process.hrtime.bigint();
    await seed.putMany(inputs);
    const fillMs = Number(process.hrtime.bigint() - t0) / 1e6;
    await seed.close();
    const floorKey = createSecretKey(key);
    const floorFillMs = floorFill(join(dir, 'floor.db'), floorKey, inputs);

    // Start-up, alternating: the store's open (keys, migrations check, key check, statements) and the
    // floor's (open the file, prepare the one SELECT); medians of OPENS each.
    const file = join(dir, DB_FILE);
    const openTimes: number[] = [];
    const floorOpenTimes: number[] = [];
    for (let i = 0; i < OPENS; i++) {
      const a = process.hrtime.bigint();
      const s = await openStore(config);
      openTimes.push(Number(process.hrtime.bigint() - a) / 1e6);
      await s.close();
      const b = process.hrtime.bigint();
      const db = new BetterSqlite3(file, { fileMustExist: true });
      db.prepare(`SELECT ${FLOOR_COLUMNS} FROM phone_registrations WHERE team_id = ? AND user_id = ?`);
      floorOpenTimes.push(Number(process.hrtime.bigint() - b) / 1e6);
      db.close();
    }
    const median = (v: number[]): number => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)] ?? NaN;
    const openMs = median(openTimes);
    const floorOpenMs = median(floorOpenTimes);

    const store = await openStore(config);
    const floorDb = new BetterSqlite3(file, { fileMustExist: true });
    const select = floorDb.prepare<[string, string], { team_id: string; user_id: string; sealed: Buffer }>(`SELECT ${FLOOR_COLUMNS} FROM phone_registrations WHERE team_id = ? AND user_id = ?`);
    try {
      // The same pseudo-random users for both sides.
      const users = new Array<string>(LOOKUPS);
      let x = 12345;
      for (let i = 0; i < LOOKUPS; i++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        users[i] = userId(x % USERS);
      }
      const lookup = async (i: number): Promise<void> => {
        const reg = await store.get({ teamId: TEAM, userId: users[i] as string });
        if (reg?.password === undefined) throw new Error('bench lookup returned no registration');
      };
      const floorLookup = (i: number): void => {
        const row = select.get(TEAM, users[i] as string);
        if (row === undefined || floorOpen(floorKey, row.team_id, row.user_id, row.sealed) === undefined) throw new Error('bench floor lookup returned no password');
      };
      // The floor opens what the store sealed: same password for the same user.
      const probe = select.get(TEAM, userId(7));
      if (probe === undefined || floorOpen(floorKey, TEAM, userId(7), probe.sealed) !== (await store.get({ teamId: TEAM, userId: userId(7) }))?.password) {
        throw new Error('bench: the floor does not open the rows the store sealed');
      }
      // Warm up both, then time them side by side.
      for (let i = 0; i < 2_000; i++) {
        await lookup(i);
        floorLookup(i);
      }
      const timed = await sideBySide(LOOKUPS, ROUNDS, lookup, floorLookup);
      const p50 = percentileOf(timed.figure.samples, 50);
      const p99 = percentileOf(timed.figure.samples, 99);
      const floorP50 = percentileOf(timed.floor.samples, 50);
      const floorP99 = percentileOf(timed.floor.samples, 99);

      const floorName = 'bare prepared SELECT + one AES-256-GCM open (node:crypto)';
      const ratios: RatioRow[] = [
        { figure: 'Lookup latency p50 (get + decrypt)', value: p50, floor: floorName, floorValue: floorP50, unit: 'µs', target: { atMost: LOOKUP_P50_TARGET } },
        { figure: 'Lookups per second, sequential', value: timed.figure.perSecond, floor: floorName, floorValue: timed.floor.perSecond, unit: '/s', target: { atLeast: LOOKUPS_PER_S_TARGET } },
        { figure: 'Lookup latency p99', value: p99, floor: floorName, floorValue: floorP99, unit: 'µs' },
        { figure: 'Start-up: open a 10,000-user directory (median of 10)', value: openMs, floor: 'open the file + prepare the SELECT', floorValue: floorOpenMs, unit: 'ms' },
        { figure: 'Fill: 10,000 registrations in one transaction (seal + insert)', value: fillMs, floor: 'bare prepared INSERT + createCipheriv, same schema', floorValue: floorFillMs, unit: 'ms' },
      ];
      const markdown = [
        `SQLite engine, ${USERS.toLocaleString('en-US')} users, ${LOOKUPS.toLocaleString('en-US')} random lookups per side after 2,000 warm-up lookups; every lookup opens the AES-256-GCM record.`,
        '',
        `The lookup floor is the same row read from the same database file with a bare prepared better-sqlite3 statement (its own connection, same columns) plus the one AES-256-GCM open of the same sealed bytes with node:crypto and a JSON.parse of the record, written from the seal layout without the store's code (bench/support/store-floor.ts); it is synchronous, as the driver is. The store and the floor run the same users in ${ROUNDS} alternating blocks each, so the machine's other work moves both alike. The start-up floor opens the file and prepares that SELECT (the store also reads its key list, checks migrations and key fingerprints, and prepares its statements); the fill floor seals each record with createCipheriv and inserts it with a bare prepared INSERT into a new file of the same schema, in one transaction (one fill each, one after the other, so that ratio moves with the machine's other work). Targets: lookup p50 at most ${LOOKUP_P50_TARGET}x the floor's, lookups per second at least ${LOOKUPS_PER_S_TARGET}x the floor's; the rest is reported.`,
      ].join('\n');
      return { title: 'Encrypted phone directory (SQLite)', command: 'npm run bench -- store', markdown, ratios, ok: true };
    } finally {
      floorDb.close();
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
