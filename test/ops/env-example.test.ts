/**
 * .env.example and the code never drift: every variable the code reads (EnvReader calls,
 * process.env, the CLI's secret variables) is documented there with a comment, under a group, and
 * the README's Configuration table; every variable documented there is read somewhere. Its
 * defaults pass the real configuration readers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { EnvReader } from '../../src/config/env.js';
import { readSlackConfig } from '../../src/config/slack.js';
import { readStoreConfig } from '../../src/config/store.js';
import { networkPolicyFromEnv } from '../../src/phone/index.js';
import { readRescueSettings } from '../../src/rescue/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const exampleText = readFileSync(join(root, '.env.example'), 'utf8');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every way the code reads a variable by name. */
const READS: RegExp[] = [
  // EnvReader: reader.string('X'), env.required(\n 'X', ...), env.int('X', ...)
  /\.(?:string|required|int|bool|list)\(\s*'([A-Z][A-Z0-9_]+)'/g,
  // process.env.X, env.X (a raw environment record)
  /\benv\.([A-Z][A-Z0-9_]+)\b/g,
  // process.env['X'] / env["X"]
  /\benv\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\]/g,
  // CLI secrets read from the environment: readSecret({ envName: 'X' })
  /\benvName:\s*'([A-Z][A-Z0-9_]+)'/g,
];

function variablesReadBy(files: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const re of READS) for (const m of text.matchAll(re)) if (!found.has(m[1]!)) found.set(m[1]!, file.slice(root.length));
  }
  return found;
}

interface Documented {
  name: string;
  value: string;
  comment: string;
  group: string;
}

function documented(text: string): Documented[] {
  const out: Documented[] = [];
  let group = '';
  let comment = '';
  for (const line of text.split('\n')) {
    const heading = /^# --- (.+?) -+$/.exec(line);
    if (heading) {
      group = heading[1]!;
      comment = '';
    } else if (line.startsWith('#')) comment = line.replace(/^#\s*/, '');
    else if (/^[A-Z][A-Z0-9_]*=/.test(line)) {
      const [name, ...rest] = line.split('=');
      out.push({ name: name!, value: rest.join('='), comment, group });
      comment = '';
    } else comment = '';
  }
  return out;
}

const read = variablesReadBy(sources(join(root, 'src')));
const example = documented(exampleText);
const names = example.map((e) => e.name);
const configSection = /## Configuration\n([\s\S]*?)(?=\n## )/.exec(readme)?.[1] ?? '';

describe('.env.example', () => {
  it('finds the variables the code reads (the scan itself works)', () => {
    // A handful read in different ways; if the scan misses these, it misses others too.
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'STORE_KEYS', 'PHONE_ALLOWED_NETWORKS', 'LOG_LEVEL', 'PHONE_PASSWORD', 'SHUTDOWN_GRACE_SECONDS']) {
      expect(read.has(name), name).toBe(true);
    }
  });

  it('documents every variable the code reads', () => {
    const missing = [...read.keys()].filter((n) => !names.includes(n));
    expect(missing.map((n) => `${n} (read in ${read.get(n)})`)).toEqual([]);
  });

  it('documents nothing the code does not read', () => {
    expect(names.filter((n) => !read.has(n))).toEqual([]);
  });

  it('lists each variable once, with a comment line, under a group', () => {
    expect(new Set(names).size).toBe(names.length);
    for (const e of example) {
      expect(e.comment, `${e.name} has no comment line above it`).not.toBe('');
      expect(['Slack', 'Phones', 'Store and keys', 'Consent, limits and audit', 'Operations']).toContain(e.group);
    }
  });

  it('holds no secret: secret variables are blank or an obvious placeholder', () => {
    const secret = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'PHONE_DEFAULT_PASSWORD', 'PHONE_PASSWORD', 'STORE_KEYS', 'DATABASE_URL', 'CUCM_PASSWORD'];
    for (const e of example.filter((x) => secret.includes(x.name))) expect(e.value, e.name).toMatch(/^$|your/);
  });

  it('its defaults pass the configuration readers (only the production key is left to the operator)', () => {
    const env = parse(exampleText);
    const reader = new EnvReader(env);
    readSlackConfig(reader);
    readStoreConfig(reader);
    readRescueSettings(reader);
    reader.int('SHUTDOWN_GRACE_SECONDS', 10, { min: 0, max: 600 });
    expect(() => networkPolicyFromEnv(env)).not.toThrow();
    expect(reader.problems.filter((p) => !p.startsWith('NODE_ENV is production but no store key is set'))).toEqual([]);
    // With a key, nothing is left.
    const withKey = new EnvReader({ ...env, STORE_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`, STORE_KEY_ID: 'k1' });
    readStoreConfig(withKey);
    expect(withKey.problems).toEqual([]);
  });

  it('the README Configuration section names every variable and points to .env.example', () => {
    expect(configSection).toContain('.env.example');
    expect(names.filter((n) => !configSection.includes(`\`${n}\``))).toEqual([]);
  });

  it('every variable the README names anywhere (troubleshooting too) is one .env.example documents', () => {
    const named = [...readme.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(10);
    expect([...new Set(named)].filter((n) => !names.includes(n))).toEqual([]);
  });
});
