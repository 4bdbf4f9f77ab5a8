/**
 * Plain HTTP helpers for talking to the simulator over loopback in tests (undici directly, a fresh
 * connection per request so restarts and crashes are seen as a real client sees them).
 */
import { Agent, request, type Dispatcher } from 'undici';
import { afterEach } from 'vitest';
import { startPhone, type SimPhone, type SimPhoneOptions } from '../../src/sim/index.js';

/**
 * For one test file (call it at the top level): `sim()` starts a simulated phone with `defaults`
 * under the options given; `closers` takes the close functions of other servers. Everything started
 * is stopped after each test.
 */
export function phonesStoppedAfterEach(defaults: SimPhoneOptions): { sim: (options?: SimPhoneOptions) => Promise<SimPhone>; closers: (() => Promise<void>)[] } {
  const sims: SimPhone[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all([...sims.splice(0).map((s) => s.stop()), ...closers.splice(0).map((c) => c())]);
  });
  return {
    closers,
    async sim(options: SimPhoneOptions = {}): Promise<SimPhone> {
      const p = await startPhone({ ...defaults, ...options });
      sims.push(p);
      return p;
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

export const insecureAgent = new Agent({ connect: { rejectUnauthorized: false } });

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function authOf(phone: SimPhone): string {
  return basic(phone.username, phone.password);
}

export async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; signal?: AbortSignal; dispatcher?: Dispatcher } = {},
): Promise<Reply> {
  const res = await request(url, {
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: init.headers,
    body: init.body,
    signal: init.signal,
    dispatcher: init.dispatcher,
    reset: true,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body, text: body.toString('utf8') };
}

/** POST /CGI/Execute the canonical way: form-encoded `XML=` + the object, with the phone's credentials. */
export function execute(
  phone: SimPhone,
  xml: string,
  opts: { auth?: string | null; signal?: AbortSignal; dispatcher?: Dispatcher } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const auth = opts.auth === undefined ? authOf(phone) : opts.auth;
  if (auth !== null) headers.authorization = auth;
  return call(`${phone.url}/CGI/Execute`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ XML: xml }).toString(),
    signal: opts.signal,
    dispatcher: opts.dispatcher,
  });
}

export function executeXml(...urls: string[]): string {
  return `<CiscoIPPhoneExecute>${urls.map((u) => `<ExecuteItem Priority="2" URL="${u}"/>`).join('')}</CiscoIPPhoneExecute>`;
}

/** Waits (polling, no fixed sleep) until the condition holds; fails the test after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The network error code behind a failed request (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET...). */
export async function failureCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string } };
    return e.code ?? e.cause?.code ?? 'unknown';
  }
  return 'no failure';
}
