/**
 * Reads settings from the environment with the table in settings.ts. Each part of the configuration
 * (Slack, the store, the use cases' settings, ...) names the variables it is built from and adds the
 * checks that concern several of them; reading a part checks those variables only (a CLI verb is not
 * refused for a Slack setting it never uses), and every problem is reported at once.
 */
import { ConfigError, type Env } from './env.js';
import { SETTINGS, type SettingName, type Values } from './settings.js';

/** What a part's builder gets: the values it named, which of them were given, and where to report a problem. */
export interface PartInput<N extends SettingName> {
  values: Pick<Values, N>;
  /** True when the variable was set to something non-blank (even if it was refused). */
  given(name: N): boolean;
  problem(message: string): void;
}

export interface Part<N extends SettingName, T> {
  names: readonly N[];
  build(input: PartInput<N>): T;
}

export const part = <const N extends SettingName, T>(names: readonly N[], build: (input: PartInput<N>) => T): Part<N, T> => ({ names, build });

const nonBlank = (s: string | undefined): string | undefined => (s === undefined || s.trim() === '' ? undefined : s.trim());

/** Reads one variable: its value (the default, or undefined, when unset or refused) and its problems, each naming the variable. */
function readSetting(name: SettingName, env: Env): { value: unknown; given: boolean; problems: string[] } {
  const setting = SETTINGS[name];
  const raw = nonBlank(env[name]);
  const fallback = 'default' in setting ? setting.parse.parse(setting.default) : undefined;
  if (raw === undefined) return { value: fallback, given: false, problems: [] };
  const result = setting.parse.safeParse(raw);
  if (result.success) return { value: result.data, given: true, problems: [] };
  return { value: fallback, given: true, problems: result.error.issues.map((issue) => `${name} ${issue.message}`) };
}

/**
 * Builds the named parts from `env`. Throws one ConfigError naming every problem of every variable
 * those parts use, and every problem their checks found.
 */
export function readParts<P extends Record<string, Part<SettingName, unknown>>>(parts: P, env: Env): { [K in keyof P]: P[K] extends Part<SettingName, infer T> ? T : never } {
  const problems: string[] = [];
  const read = new Map<SettingName, ReturnType<typeof readSetting>>();
  const all = [...new Set(Object.values(parts).flatMap((p) => p.names))];
  // Table order, so messages come out in the order .env.example lists the variables.
  for (const name of (Object.keys(SETTINGS) as SettingName[]).filter((n) => all.includes(n))) {
    const r = readSetting(name, env);
    read.set(name, r);
    problems.push(...r.problems);
  }
  const out: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(parts)) {
    const values = Object.fromEntries(p.names.map((n) => [n, read.get(n)?.value])) as Pick<Values, SettingName>;
    out[key] = p.build({ values, given: (n) => read.get(n)?.given === true, problem: (m) => problems.push(m) });
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return out as { [K in keyof P]: P[K] extends Part<SettingName, infer T> ? T : never };
}
