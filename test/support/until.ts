/**
 * The one polling helper, for what no event announces (a child process's output, a database row, a
 * phone's counters): reads `read()` every `everyMs` until `done(value)` holds, and resolves with that
 * value. On timeout it fails with what it last saw, not only that the time ran out.
 */
export interface UntilOptions {
  timeoutMs?: number;
  everyMs?: number;
}

const shown = (v: unknown): string => {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return text.length > 600 ? `${text.slice(0, 300)} ... ${text.slice(-300)}` : text;
};

export async function until<T>(read: () => T | Promise<T>, done: (value: T) => boolean, what: string, options: UntilOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, everyMs = 20 } = options;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${shown(value)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Until `read()` gives something other than undefined; resolves with it. */
export async function untilDefined<T>(read: () => T | undefined | Promise<T | undefined>, what: string, options: UntilOptions & { lastSeen?: () => unknown } = {}): Promise<T> {
  let last: T | undefined;
  try {
    last = await until(read, (v) => v !== undefined, what, options);
    return last as T;
  } catch (err) {
    if (options.lastSeen) throw new Error(`${(err as Error).message.replace(/; last seen: .*$/s, '')}; last seen: ${shown(options.lastSeen())}`);
    throw err;
  }
}
