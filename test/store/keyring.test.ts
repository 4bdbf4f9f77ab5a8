import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { ConfigError, storeConfigFromEnv } from '../../src/config/index.js';
import { devKeyPath, generateKeyLine, loadKeyring, parseKeyList } from '../../src/store/keyring.js';
import { StoreKeyInvalid, StoreKeyRequired } from '../../src/store/errors.js';

const b64 = (n: number) => randomBytes(n).toString('base64');

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    storeConfigFromEnv(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

function captureLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: createLogger({ destination, level: 'warn' }), lines };
}

describe('store keys', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'rescue-ring-keys-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('accepts good key lists and picks the current key', () => {
    const a = b64(32);
    const b = randomBytes(32).toString('base64url');
    const ring = loadKeyring({ keys: `old:${a}, new:${b}`, keyId: 'new', production: true, dataDir: newDir() });
    expect(ring.currentId).toBe('new');
    expect(ring.ids).toEqual(['old', 'new']);
    expect(loadKeyring({ keys: `only:${a}`, production: true, dataDir: newDir() }).currentId).toBe('only');
    expect(problemsOf({ STORE_KEYS: `old:${a},new:${b}`, STORE_KEY_ID: 'old' })).toEqual([]);
  });

  it('names each bad STORE_KEYS entry without printing key material', () => {
    const short = b64(31);
    const long = b64(33);
    const good = b64(32);
    const cases: [string, string | undefined, RegExp][] = [
      [`k1:${short}`, undefined, /STORE_KEYS entry 1 \("k1"\) is 31 bytes once decoded; a key must be exactly 32 bytes/],
      [`k1:${good},k2:${long}`, 'k1', /entry 2 \("k2"\) is 33 bytes/],
      [good, undefined, /entry 1 has no "id:" prefix/],
      [`bad id!:${good}`, undefined, /entry 1 has an unusable id/],
      [`k1:${good},k1:${good}`, 'k1', /entry 2 \("k1"\) repeats an id/],
      [`k1:not*base64`, undefined, /entry 1 \("k1"\) is not base64/],
      [`k1:${good}`, 'k9', /STORE_KEY_ID names "k9", which is not among the keys in STORE_KEYS \(k1\)/],
      [`k1:${good},k2:${good}`, undefined, /holds 2 keys; set STORE_KEY_ID/],
      [' , ', undefined, /holds no key/],
    ];
    for (const [keys, keyId, expected] of cases) {
      const env: Record<string, string> = { STORE_KEYS: keys };
      if (keyId !== undefined) env.STORE_KEY_ID = keyId;
      const problems = problemsOf(env).join('\n');
      expect(problems, keys).toMatch(expected);
      let thrown: unknown;
      try {
        loadKeyring({ keys, keyId, production: false, dataDir: newDir() });
      } catch (err) {
        thrown = err;
      }
      expect(thrown, keys).toBeInstanceOf(StoreKeyInvalid);
      const text = `${(thrown as Error).message}\n${(thrown as StoreKeyInvalid).hint}`;
      expect(text).toMatch(expected);
      for (const material of [short, long, good]) expect(text).not.toContain(material);
      expect(problems).not.toContain(good);
    }
  });

  it('storeConfigFromEnv throws one ConfigError listing every problem', () => {
    let thrown: unknown;
    try {
      storeConfigFromEnv({ STORE_KEYS: `k1:${b64(16)}`, NODE_ENV: 'production', STORE_KEY_FILE: '/x' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual(['STORE_KEYS and STORE_KEY_FILE are both set; keep one of them']);
    expect(storeConfigFromEnv({})).toMatchObject({ dataDir: './data', production: false });
    expect(problemsOf({ NODE_ENV: 'production' })[0]).toMatch(/NODE_ENV is production but no store key is set/);
    expect(problemsOf({ STORE_KEY_ID: 'k1' })[0]).toMatch(/STORE_KEY_ID is set but no keys are/);
  });

  it('refuses to start in production without a key', () => {
    const dir = newDir();
    expect(() => loadKeyring({ production: true, dataDir: dir })).toThrow(StoreKeyRequired);
    expect(() => statSync(devKeyPath(dir))).toThrow();
  });

  it('generates a development key once, mode 0600, with a warning', () => {
    const dir = newDir();
    const { logger, lines } = captureLogger();
    const first = loadKeyring({ production: false, dataDir: join(dir, 'nested') }, logger);
    const path = devKeyPath(join(dir, 'nested'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(lines.join('')).toMatch(/development key was generated/);
    const { logger: l2, lines: again } = captureLogger();
    const second = loadKeyring({ production: false, dataDir: join(dir, 'nested') }, l2);
    expect(second.currentId).toBe(first.currentId);
    expect(again).toEqual([]);
    const keyText = readFileSync(path, 'utf8');
    const material = keyText.trim().split('\n').pop()?.split(':')[1] ?? 'none';
    expect(lines.join('')).not.toContain(material);
  });

  it('reads STORE_KEY_FILE and warns when others can read it', () => {
    const dir = newDir();
    const file = join(dir, 'keys');
    writeFileSync(file, `# keys\nk1:${b64(32)}\nk2:${b64(32)} # current\n`);
    chmodSync(file, 0o644);
    const { logger, lines } = captureLogger();
    const ring = loadKeyring({ keyFile: file, keyId: 'k2', production: true, dataDir: dir }, logger);
    expect(ring.ids).toEqual(['k1', 'k2']);
    expect(lines.join('')).toMatch(/chmod 600/);
    expect(() => loadKeyring({ keyFile: join(dir, 'missing'), production: true, dataDir: dir })).toThrow(/STORE_KEY_FILE .*missing.* cannot be read \(ENOENT\)/);
  });

  it('generates key lines that parse', () => {
    const { id, line } = generateKeyLine(new Date('2026-11-28T00:00:00Z'));
    expect(id).toMatch(/^k20261128-[0-9a-f]{4}$/);
    expect(parseKeyList(line, 'generated')).toMatchObject({ problems: [], keys: [{ id }] });
  });
});
