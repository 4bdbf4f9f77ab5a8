/**
 * A "ring": the Play command repeated `rings` times, `intervalMs` apart (the phone answers each Play
 * when the tone ends). Stops promptly on abort (also while waiting between rings) and at the first
 * failure: an auth failure would fail every ring alike, and anything else means the phone is in trouble.
 *
 * Never during a real call (issue 6): before each Play, one short StreamingStatisticsX request
 * (call-check.ts) unless `callCheck: false`.
 * - In a call before the first ring: nothing is played, PhoneInCall is thrown.
 * - A call starts between rings: the remaining rings are not sent; the result has `completed` (how
 *   many rang) and `interruptedByCall: true`. It is not an error: the person was rung.
 * - Page unavailable on the model: rung anyway, remembered per phone (not asked again), result
 *   `callCheck: 'unsupported'`. Check too slow: rung anyway, not asked again during this ring,
 *   result `callCheck: 'inconclusive'`.
 *
 * Cover story: validated with everything else before any request; pushed right after the first ring
 * completes; a refusal is reported in the result (`coverStory`), never stops the ring.
 */
import type { Logger } from '../log.js';
import type { PhoneClient } from './client.js';
import { parsePhoneAddress, phoneKey } from './address.js';
import { PhoneInCall, checkCall, type CallCheckMemory } from './call-check.js';
import { pushCoverStory, validateCoverStory } from './cover-story.js';
import { DEFAULT_TONE } from './tones.js';
import type { CoverStory, Phone, RingOptions, RingResult } from './types.js';
import { playUri, type ToneRules } from './xml.js';

export const DEFAULT_RINGS = 3;
export const DEFAULT_INTERVAL_MS = 3_000;
export const DEFAULT_RING_PRIORITY = 2;
export const MAX_RINGS = 20;

export interface RingExtraOptions extends RingOptions {
  /** Extra denied tones (configuration); DENIED_TONES always apply. */
  toneRules?: ToneRules;
  /** Where "this model has no call check" is remembered; default: the memory owned by the client. */
  callCheckMemory?: CallCheckMemory;
  /** Budget of each call check; default 2 s. */
  callCheckTimeoutMs?: number;
  /**
   * Awaited once, right before the first Play is sent (after the call check, once the request holds
   * the phone: PhoneClient's beforeSend). If it throws, nothing is played and ring() rejects with that error. Callers use it to claim a ring that may happen at
   * most once, as late as possible (see src/rescue/limits.ts claimOnce).
   */
  beforeFirstPlay?: () => Promise<void>;
  /** The wait between rings; default `realPause` (a timer). Tests pass one on their own clock. */
  pause?: RingPause;
  /** Where this ring's requests and each Play are logged (a child carrying the rescue id); default the client's logger. */
  logger?: Logger;
}

/** Waits `ms`, or less if the signal aborts; resolves false when aborted, true when the time is up. */
export type RingPause = (ms: number, signal?: AbortSignal) => Promise<boolean>;

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
}

/** Waits `ms` on a real timer, or less if the signal aborts (resolves false then). */
export const realPause: RingPause = (ms, signal) => {
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
};

export async function ring(client: PhoneClient, phone: Phone, opts: RingExtraOptions = {}): Promise<RingResult> {
  const rings = opts.rings ?? DEFAULT_RINGS;
  if (!Number.isInteger(rings) || rings < 1 || rings > MAX_RINGS) throw new RangeError(`rings must be a whole number from 1 to ${MAX_RINGS}`);
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError('intervalMs must be 0 or more');
  const url = playUri(opts.tone ?? DEFAULT_TONE, opts.toneRules);
  const priority = opts.priority ?? DEFAULT_RING_PRIORITY;
  const coverStory: CoverStory | undefined = opts.coverStory ? validateCoverStory(opts.coverStory, { modern: phone.modern }) : undefined;
  const key = phoneKey(parsePhoneAddress(phone.address));
  const log = opts.logger ? { logger: opts.logger } : {};
  const { signal } = opts;

  let checking = opts.callCheck !== false;
  let completed = 0;
  let certificateSha256: string | undefined;
  let callCheckNote: RingResult['callCheck'];
  let interruptedByCall = false;
  let cover: Pick<RingResult, 'coverStory' | 'coverStoryError'> = coverStory ? { coverStory: 'not-sent' } : {};
  const result = (aborted: boolean): RingResult => ({
    completed,
    requested: rings,
    aborted,
    ...(certificateSha256 ? { certificateSha256 } : {}),
    ...(interruptedByCall ? { interruptedByCall: true as const } : {}),
    ...(callCheckNote ? { callCheck: callCheckNote } : {}),
    ...cover,
  });

  for (let i = 1; i <= rings; i++) {
    if (signal?.aborted) return result(true);
    try {
      if (checking) {
        const state = await checkCall(client, phone, { signal, memory: opts.callCheckMemory, timeoutMs: opts.callCheckTimeoutMs, ...log });
        opts.logger?.debug({ ring: i, callCheck: state }, 'call check');
        if (state === 'in-call') {
          if (completed === 0) throw new PhoneInCall(key);
          interruptedByCall = true;
          return result(false);
        }
        if (state === 'unsupported' || state === 'inconclusive') {
          // Asked once per ring at most: a model without the page is remembered, a slow one is not asked again now.
          checking = false;
          callCheckNote ??= state;
        }
      }
      const r = await client.execute(phone, [{ url, priority }], { signal, ...log, ...(i === 1 && opts.beforeFirstPlay ? { beforeSend: opts.beforeFirstPlay } : {}) });
      certificateSha256 ??= r.certificateSha256;
      opts.logger?.debug({ ring: i, of: rings, url }, 'ring played');
    } catch (err) {
      if (isAbort(err, signal)) return result(true);
      throw err;
    }
    completed = i;
    opts.onProgress?.({ ring: i, of: rings });
    if (i === 1 && coverStory) {
      try {
        const pushed = await pushCoverStory(client, phone, coverStory, { signal, ...log });
        opts.logger?.debug({ outcome: pushed.outcome, ...(pushed.error ? { code: pushed.error.code } : {}) }, 'cover story pushed');
        cover = { coverStory: pushed.outcome, ...(pushed.error ? { coverStoryError: pushed.error } : {}) };
      } catch (err) {
        if (isAbort(err, signal)) {
          cover = { coverStory: 'failed' };
          return result(true);
        }
        throw err;
      }
    }
    if (i < rings && !(await (opts.pause ?? realPause)(intervalMs, signal))) return result(true);
  }
  return result(false);
}
