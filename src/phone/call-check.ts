/**
 * "Is this phone in a call?" before each Play. `Priority="2"` does not protect calls: phones honour
 * Priority for HTTP URLs only and run `Play:` at once (reference §3). So ring() asks
 * `/StreamingStatisticsX?1` (reference §5: stream 1 carries the call; no password needed) first.
 *
 * Rules:
 * - One short GET per Play, with its own budget (default 2 s, queueing and connecting included), so a
 *   slow answer never eats into the ring's own timeouts.
 * - No credentials are sent: the page needs none, and a password should travel only when needed.
 *   A 401 / CiscoIPPhoneError 4 therefore cannot mean "wrong password": the page is protected on this model.
 * - 'unsupported' (404 or any other status, a body that is not StreamingStatistics, 401): the phone is
 *   rung anyway and the phone is remembered (CallCheckMemory, by phoneKey) so it is not asked again
 *   until the memory expires (24 h by default; firmware upgrades add pages, addresses get reused).
 * - 'inconclusive' (the budget ran out, the connection dropped): rung anyway, not remembered.
 * - Anything that says the phone itself cannot be reached safely (refused, no route, connect timeout,
 *   TLS failure, changed certificate, address not allowed) is thrown: a Play would fail the same way.
 */
import { AppError, isAppError } from '../errors.js';
import type { PhoneClient, PhoneTarget } from './client.js';
import { parsePhoneAddress, phoneKey } from './address.js';
import {
  InvalidPhoneAddress,
  PhoneAddressRefused,
  PhoneCertificateChanged,
  PhoneTimeout,
  PhoneTlsFailed,
  PhoneUnreachable,
} from './errors.js';
import { abortReason } from './queue.js';
import { parseStreamingActive } from './status.js';
import type { Logger } from '../log.js';
import type { Phone } from './types.js';

export const DEFAULT_CALL_CHECK_TIMEOUT_MS = 2_000;
export const CALL_CHECK_PATH = '/StreamingStatisticsX?1';

/** The phone is in a call, so it was not rung. Callers name the person: see `inCallNotice`. */
export class PhoneInCall extends AppError {
  readonly code = 'PhoneInCall';
  constructor(readonly address: string) {
    super(
      `Phone ${address} is on a call; not ringing`,
      'The phone is on a call, so rescue-ring did not ring it: the ringtone would play over the call. Try again when the call is over.',
    );
  }
}

/** "Alice is on a call; not ringing." for a PhoneInCall, phrased with the person's name by the caller. */
export function inCallNotice(name: string): string {
  return `${name} is on a call; not ringing.`;
}

export interface CallCheckMemoryOptions {
  /** How long "this phone has no usable call check" is believed. Default 24 h. */
  ttlMs?: number;
  /** Most phones remembered (the oldest is forgotten first). Default 10,000. */
  maxEntries?: number;
  /** Clock (tests). */
  now?: () => number;
}

/** In-process memory of the phones whose model offers no usable StreamingStatisticsX, by phoneKey. */
export class CallCheckMemory {
  private readonly until = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: CallCheckMemoryOptions = {}) {
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** True when the phone is known to have no usable call check (and the memory has not expired). */
  isUnsupported(key: string): boolean {
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(key);
    return false;
  }

  markUnsupported(key: string): void {
    this.until.delete(key);
    this.until.set(key, this.now() + this.ttlMs);
    while (this.until.size > this.maxEntries) {
      const oldest = this.until.keys().next().value;
      if (oldest === undefined) break;
      this.until.delete(oldest);
    }
  }

  /** Ask this phone again next time (e.g. after it was replaced or upgraded). */
  forget(key: string): void {
    this.until.delete(key);
  }

  get size(): number {
    return this.until.size;
  }
}

const memories = new WeakMap<PhoneClient, CallCheckMemory>();

/** The memory owned by a PhoneClient (created on first use): what ring() uses unless given one. */
export function callCheckMemoryFor(client: PhoneClient): CallCheckMemory {
  let m = memories.get(client);
  if (!m) {
    m = new CallCheckMemory();
    memories.set(client, m);
  }
  return m;
}

export type CallState = 'idle' | 'in-call' | 'unsupported' | 'inconclusive';

export interface CheckCallOptions {
  signal?: AbortSignal;
  /** Budget for the whole check (queue, connect, answer). Default 2 s. */
  timeoutMs?: number;
  memory?: CallCheckMemory;
  /** Where the request is logged (RequestOptions.logger). */
  logger?: Logger;
}

/** Errors that say the phone cannot be reached safely at all: a Play would fail the same way. */
function isFatal(err: unknown): boolean {
  return (
    err instanceof PhoneUnreachable ||
    (err instanceof PhoneTimeout && err.phase === 'connect') ||
    err instanceof PhoneTlsFailed ||
    err instanceof PhoneCertificateChanged ||
    err instanceof PhoneAddressRefused ||
    err instanceof InvalidPhoneAddress
  );
}

/**
 * Whether the phone is in a call. 'unsupported' is remembered in `memory` (and returned at once,
 * without a request, while remembered). Throws on abort and on the fatal errors above.
 */
export async function checkCall(client: PhoneClient, phone: Phone | PhoneTarget, opts: CheckCallOptions = {}): Promise<CallState> {
  const key = phoneKey(parsePhoneAddress(phone.address));
  const memory = opts.memory ?? callCheckMemoryFor(client);
  if (memory.isUnsupported(key)) return 'unsupported';
  if (opts.signal?.aborted) throw abortReason(opts.signal);

  const timeoutMs = opts.timeoutMs ?? DEFAULT_CALL_CHECK_TIMEOUT_MS;
  const budget = new AbortController();
  const timer = setTimeout(() => budget.abort(new Error('call check budget spent')), timeoutMs);
  // The caller's signal ends the check too: forwarded by a listener (AbortSignal.any would make a
  // composite signal, tracked until collected, for each of the three checks of every rescue).
  const callerAborted = (): void => budget.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', callerAborted, { once: true });
  const signal = budget.signal;
  // No credentials: the info pages need none (reference §5).
  const target: PhoneTarget = { address: phone.address, ...(phone.tls ? { tls: phone.tls } : {}), ...(phone.modern !== undefined ? { modern: phone.modern } : {}) };
  try {
    const reply = await client.get(target, CALL_CHECK_PATH, { signal, responseTimeoutMs: timeoutMs, ...(opts.logger ? { logger: opts.logger } : {}) });
    let state: CallState = 'unsupported';
    if (reply.status === 200) {
      // One parse: anything but StreamingStatistics throws here, and means the page is of no use.
      try {
        state = parseStreamingActive(key, reply.body, reply.contentType) ? 'in-call' : 'idle';
      } catch {
        state = 'unsupported';
      }
    }
    if (state === 'unsupported') memory.markUnsupported(key);
    return state;
  } catch (err) {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    if (budget.signal.aborted) return 'inconclusive';
    if (isFatal(err)) throw err;
    if (isAppError(err) && err.code === 'PhoneBadResponse') {
      // Oversize or unreadable answer: the page exists in no form we can use.
      memory.markUnsupported(key);
      return 'unsupported';
    }
    return 'inconclusive';
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', callerAborted);
  }
}
