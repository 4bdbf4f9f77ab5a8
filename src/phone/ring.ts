/**
 * A "ring": the Play command repeated `rings` times, `intervalMs` apart (the phone answers each Play
 * when the tone ends). Stops promptly on abort (also while waiting between rings) and at the first
 * failure: an auth failure would fail every ring alike, and anything else means the phone is in trouble.
 */
import { PhoneAuthFailed } from './errors.js';
import type { PhoneClient } from './client.js';
import { DEFAULT_TONE } from './tones.js';
import type { Phone, RingOptions, RingResult } from './types.js';
import { playUri, type ToneRules } from './xml.js';

export const DEFAULT_RINGS = 3;
export const DEFAULT_INTERVAL_MS = 3_000;
export const DEFAULT_RING_PRIORITY = 2;
export const MAX_RINGS = 20;

export interface RingExtraOptions extends RingOptions {
  /** Extra denied tones (configuration); DENIED_TONES always apply. */
  toneRules?: ToneRules;
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
}

/** Waits `ms`, or less if the signal aborts (resolves false then). */
function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function ring(client: PhoneClient, phone: Phone, opts: RingExtraOptions = {}): Promise<RingResult> {
  const rings = opts.rings ?? DEFAULT_RINGS;
  if (!Number.isInteger(rings) || rings < 1 || rings > MAX_RINGS) throw new RangeError(`rings must be a whole number from 1 to ${MAX_RINGS}`);
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError('intervalMs must be 0 or more');
  const url = playUri(opts.tone ?? DEFAULT_TONE, opts.toneRules);
  const priority = opts.priority ?? DEFAULT_RING_PRIORITY;
  const { signal } = opts;

  let completed = 0;
  let certificateSha256: string | undefined;
  const result = (aborted: boolean): RingResult => ({ completed, requested: rings, aborted, ...(certificateSha256 ? { certificateSha256 } : {}) });

  for (let i = 1; i <= rings; i++) {
    if (signal?.aborted) return result(true);
    try {
      const r = await client.execute(phone, [{ url, priority }], { signal });
      certificateSha256 ??= r.certificateSha256;
    } catch (err) {
      if (isAbort(err, signal)) return result(true);
      if (err instanceof PhoneAuthFailed) throw err;
      throw err;
    }
    completed = i;
    opts.onProgress?.({ ring: i, of: rings });
    if (i < rings && !(await pause(intervalMs, signal))) return result(true);
  }
  return result(false);
}
