/**
 * Floors for the store benches (issue 16): a registration lookup done with the least code that can
 * do it, written from how src/store seals rows, without its code. A lookup is one row read by primary
 * key plus one AES-256-GCM open of the sealed credential record; the floor does exactly that with the
 * driver and node:crypto directly: no RowStore, no codecs, no EncryptedDirectory, no record checks.
 *
 * Sealed layout (src/store/crypto.ts): version (1) | nonce (12) | tag (16) | ciphertext, associated
 * data the JSON text ["rescue-ring/credentials/v1", team, user]; the plaintext is the record as JSON.
 */
import { createDecipheriv, type KeyObject } from 'node:crypto';

/** Every column of phone_registrations, as the store reads a row (the floor reads the same row). */
export const FLOOR_COLUMNS = 'team_id, user_id, key_id, sealed, tone, rings, interval_seconds, permission, buddies, created_at, updated_at';

/**
 * The password in a sealed record: one authenticated open of the sealed bytes, then JSON.parse. The key
 * is a KeyObject made once (createSecretKey), as any program opening many records would hold it.
 */
export function floorOpen(key: KeyObject, teamId: string, userId: string, sealed: Buffer): string | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(JSON.stringify(['rescue-ring/credentials/v1', teamId, userId]), 'utf8'));
  decipher.setAuthTag(sealed.subarray(13, 29));
  const text = Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
  return (JSON.parse(text) as { password?: string }).password;
}

export interface Timed {
  /** Per-operation latency in µs, ascending. */
  samples: Float64Array;
  /** Operations per second over the timed loops. */
  perSecond: number;
}

/**
 * Times `n` sequential operations of each op, in `rounds` alternating blocks (first op, second op,
 * first op, ...), so all see the same machine: on a shared machine the other work moves every figure,
 * and alternating keeps that move out of their ratio. An operation that returns no promise is not
 * awaited (the floor is synchronous where its driver is). Results in the order of `ops`.
 */
export async function alternating(n: number, rounds: number, ops: readonly ((i: number) => unknown)[]): Promise<Timed[]> {
  const block = Math.ceil(n / rounds);
  const sides = ops.map((op) => ({ op, samples: new Float64Array(block * rounds), at: 0, ns: 0n }));
  for (let r = 0; r < rounds; r++) {
    for (const side of sides) {
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < block; k++) {
        const s = process.hrtime.bigint();
        const out = side.op(side.at);
        if (out instanceof Promise) await out;
        side.samples[side.at++] = Number(process.hrtime.bigint() - s) / 1e3;
      }
      side.ns += process.hrtime.bigint() - t0;
    }
  }
  return sides.map((s) => ({ samples: s.samples.sort(), perSecond: s.samples.length / (Number(s.ns) / 1e9) }));
}

/** `alternating` for a figure and its floor. */
export async function sideBySide(n: number, rounds: number, figure: (i: number) => unknown, floor: (i: number) => unknown): Promise<{ figure: Timed; floor: Timed }> {
  const [a, b] = await alternating(n, rounds, [figure, floor]);
  return { figure: a as Timed, floor: b as Timed };
}

/** Runs `n` operations with `width` in flight; returns the elapsed seconds. */
async function inFlight(n: number, width: number, start: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < n; i = next++) await op(start + i);
    }),
  );
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Operations per second of each op, `width` in flight, in `rounds` alternating blocks of n / rounds. */
export async function alternatingInFlight(n: number, width: number, rounds: number, ops: readonly ((i: number) => Promise<unknown>)[]): Promise<number[]> {
  const block = Math.ceil(n / rounds);
  const seconds = ops.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (const [k, op] of ops.entries()) seconds[k] = (seconds[k] ?? 0) + (await inFlight(block, width, r * block, op));
  }
  return seconds.map((s) => (block * rounds) / s);
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentileOf(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
