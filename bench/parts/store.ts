/**
 * Encrypted phone directory: start-up time to open a 10,000-user SQLite directory, and lookups
 * (get + decrypt) per second with their latency percentiles. Target: a lookup under 50 µs p50.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchSection } from '../run.js';
import { openStore } from '../../src/store/index.js';
import type { StoreConfig } from '../../src/store/index.js';
import type { RegistrationInput } from '../../src/store/types.js';

const USERS = 10_000;
const LOOKUPS = 50_000;
const TARGET_P50_US = 50;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export async function run(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-bench-store-'));
  const config: StoreConfig = { dataDir: dir, production: true, keys: `bench:${randomBytes(32).toString('base64')}`, keyId: 'bench' };
  try {
    const seed = await openStore(config);
    const inputs: RegistrationInput[] = Array.from({ length: USERS }, (_, i) => ({
      teamId: 'T0BENCH',
      userId: `U${String(i).padStart(8, '0')}`,
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

    const o0 = process.hrtime.bigint();
    const store = await openStore(config);
    const openMs = Number(process.hrtime.bigint() - o0) / 1e6;

    // Warm up, then time each lookup of a pseudo-random user.
    for (let i = 0; i < 2_000; i++) await store.get({ teamId: 'T0BENCH', userId: `U${String(i).padStart(8, '0')}` });
    const samples = new Float64Array(LOOKUPS);
    let x = 12345;
    const l0 = process.hrtime.bigint();
    for (let i = 0; i < LOOKUPS; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const key = { teamId: 'T0BENCH', userId: `U${String(x % USERS).padStart(8, '0')}` };
      const s = process.hrtime.bigint();
      const reg = await store.get(key);
      samples[i] = Number(process.hrtime.bigint() - s) / 1e3;
      if (reg?.password === undefined) throw new Error('bench lookup returned no registration');
    }
    const totalS = Number(process.hrtime.bigint() - l0) / 1e9;
    await store.close();

    samples.sort();
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    const ok = p50 < TARGET_P50_US;
    const rows = [
      ['Start-up: open a 10,000-user directory (keys, migrations check, statements)', `${openMs.toFixed(1)} ms`, '', ''],
      ['Lookups per second (get + decrypt, sequential)', `${Math.round(LOOKUPS / totalS).toLocaleString('en-US')}`, '', ''],
      ['Lookup latency p50', `${p50.toFixed(1)} µs`, `< ${TARGET_P50_US} µs`, ok ? 'pass' : 'FAIL'],
      ['Lookup latency p99', `${p99.toFixed(1)} µs`, '', ''],
      ['Fill: 10,000 registrations in one transaction (seal + insert)', `${fillMs.toFixed(0)} ms`, '', ''],
    ];
    const markdown = [
      `SQLite engine, ${USERS.toLocaleString('en-US')} users, ${LOOKUPS.toLocaleString('en-US')} random lookups after 2,000 warm-up lookups; every lookup opens the AES-256-GCM record.`,
      '',
      '| Measure | Result | Target | |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    return { title: 'Encrypted phone directory (SQLite)', command: 'npm run bench -- store', markdown, ok };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
