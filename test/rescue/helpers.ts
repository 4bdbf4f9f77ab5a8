/**
 * The use cases on the real thing: a real SQLite file in a temp dir opened through the store
 * factory, simulated phones over loopback HTTP(S), a phone client whose network policy lists only
 * 127.0.0.0/8, a controlled clock (limits and audit), and a log capture.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerPhone, startRescue, type RegisterInput, type RescueDeps, type RescueRequest } from '../../src/rescue/index.js';
import { startPhone, type SimPhone, type SimPhoneOptions } from '../../src/sim/index.js';
import { openFullStore } from '../../src/store/index.js';
import { Keyring, type KeyEntry } from '../../src/store/keyring.js';
import type { Store } from '../../src/store/state-types.js';
import { capturingLogger, loopbackRescueDeps } from '../support/loopback-bot.js';

export const TEAM = 'T1';
export const ME = 'U0ME';
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';
export const ADMIN = 'U0ADMIN';
/** Recognisable secrets: none may ever show up in the audit table or the logs. */
export const PHONE_PASSWORD = 'pw-SECRET-5d1e9c';
export const PHONE_USER = 'user-SECRET-77ab';

export function makeKey(id: string): KeyEntry {
  return { id, key: randomBytes(32) };
}

export interface RescueWorld {
  dir: string;
  store: Store;
  deps: RescueDeps;
  logs: string[];
  /** The controlled time: limits and audit entries use it; tests move it with `advance`. */
  time: { now: Date };
  advance(ms: number): void;
  phone(options?: SimPhoneOptions): Promise<SimPhone>;
  register(userId: string, phone: SimPhone, extra?: Partial<RegisterInput>): Promise<void>;
  close(): Promise<void>;
}

export interface WorldOptions {
  env?: Record<string, string>;
  keyring?: Keyring;
  dir?: string;
}

export async function startWorld(options: WorldOptions = {}): Promise<RescueWorld> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rescue-ring-rescue-'));
  const { logger, logs: capture } = capturingLogger();
  const logs = capture.chunks;
  const keyring = options.keyring ?? new Keyring([makeKey('k1')], 'k1');
  const store = await openFullStore({ dataDir: dir, production: false }, { logger, keyring });
  const time = { now: new Date('2026-11-28T09:00:00.000Z') };
  const deps = loopbackRescueDeps(store, logger, {
    env: { PHONE_DEFAULT_RINGS: '1', PHONE_DEFAULT_INTERVAL_SECONDS: '1', ADMIN_USER_IDS: ADMIN, ...options.env },
    clock: () => time.now,
    responseTimeoutMs: 5_000,
    connectTimeoutMs: 2_000,
  });
  const phones: SimPhone[] = [];
  return {
    dir,
    store,
    deps,
    logs,
    time,
    advance(ms) {
      time.now = new Date(time.now.getTime() + ms);
    },
    async phone(o = {}) {
      const p = await startPhone({ toneTimeScale: 0.02, username: PHONE_USER, password: PHONE_PASSWORD, ...o });
      phones.push(p);
      return p;
    },
    async register(userId, phone, extra = {}) {
      await registerPhone(deps, { teamId: TEAM, userId, address: phone.url, username: phone.username, password: phone.password, ...extra });
    },
    async close() {
      await deps.active.drain(0);
      await Promise.all(phones.map((p) => p.stop()));
      await store.close();
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a rescue and waits for it: 'ok' or 'failed:<code>', or the refusal's code and hint. */
export async function attempt(w: RescueWorld, req: Omit<RescueRequest, 'teamId'>): Promise<{ result: string; hint?: string }> {
  try {
    const outcome = await (await startRescue(w.deps, { teamId: TEAM, ...req })).done;
    return { result: outcome.ok ? 'ok' : `failed:${outcome.error.code}` };
  } catch (err) {
    const e = err as { code: string; hint: string };
    return { result: e.code, hint: e.hint };
  }
}
