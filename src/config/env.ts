/**
 * Small, strict readers for environment settings. Each reader records a problem instead of throwing,
 * so start-up can report every bad or missing variable at once, each with where to fix it.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Configuration is not usable:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export class EnvReader {
  readonly problems: string[] = [];
  constructor(readonly env: Env) {}

  /** A non-empty string, or undefined when unset/blank. */
  string(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  required(name: string, whereToGetIt: string): string {
    const v = this.string(name);
    if (v === undefined) this.problems.push(`${name} is missing: ${whereToGetIt}`);
    return v ?? '';
  }

  int(name: string, fallback: number, { min, max }: { min?: number; max?: number } = {}): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) {
      const range = min !== undefined && max !== undefined ? ` between ${min} and ${max}` : '';
      this.problems.push(`${name} must be a whole number${range}; it is "${raw}"`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    this.problems.push(`${name} must be true or false; it is "${raw}"`);
    return fallback;
  }

  /** Comma-separated list, trimmed, empties dropped. */
  list(name: string, fallback: readonly string[] = []): string[] {
    const raw = this.string(name);
    if (raw === undefined) return [...fallback];
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one ConfigError naming every problem found so far. */
  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
