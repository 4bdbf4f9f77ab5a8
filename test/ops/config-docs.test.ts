/**
 * .env.example and the README's configuration table are made from the table of settings
 * (src/config/settings.ts): the committed copies are what `npm run config:docs` makes, the example's
 * values pass the start-up check, and every variable the README names is a setting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config/index.js';
import { envExample, withReadmeTable } from '../../src/config/docs.js';
import { SETTINGS, SETTING_NAMES } from '../../src/config/settings.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const exampleText = readFileSync(join(root, '.env.example'), 'utf8');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function problems(env: Record<string, string>): readonly string[] {
  try {
    readConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('.env.example and the README configuration table', () => {
  it('.env.example is what npm run config:docs makes', () => {
    expect(exampleText, 'run npm run config:docs').toBe(envExample());
  });

  it('the README table is what npm run config:docs makes', () => {
    expect(readme, 'run npm run config:docs').toBe(withReadmeTable(readme));
  });

  it('a stale copy is told apart (the checks above can fail)', () => {
    expect(envExample().replace('PORT=3000', 'PORT=3001')).not.toBe(envExample());
    const stale = readme.replace('| `PORT` |', '| `PORTS` |');
    expect(withReadmeTable(stale)).not.toBe(stale);
  });

  it('lists every setting once, with its doc line, in .env.example and the README', () => {
    const example = parse(exampleText);
    expect(Object.keys(example).sort()).toEqual([...SETTING_NAMES].sort());
    for (const name of SETTING_NAMES) {
      expect(exampleText).toContain(`# ${SETTINGS[name].doc}\n${name}=`);
      expect(readme).toContain(`\`${name}\``);
    }
  });

  it('holds no secret: secret variables are blank or an obvious placeholder', () => {
    const example = parse(exampleText);
    const secret = SETTING_NAMES.filter((n) => 'secret' in SETTINGS[n] && SETTINGS[n].secret === true);
    expect(secret).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'STORE_KEYS', 'DATABASE_URL', 'CUCM_PASSWORD']));
    for (const name of secret) expect(example[name], name).toMatch(/^$|your/);
  });

  it('its values pass the start-up check (only the production key is left to the operator)', () => {
    const env = parse(exampleText);
    expect(problems(env)).toEqual([expect.stringMatching(/^NODE_ENV is production but no store key is set/)]);
    expect(problems({ ...env, STORE_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`, STORE_KEY_ID: 'k1' })).toEqual([]);
  });

  it('every variable the README names anywhere (troubleshooting too) is a setting', () => {
    const named = [...readme.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(10);
    expect([...new Set(named)].filter((n) => !(SETTING_NAMES as string[]).includes(n))).toEqual([]);
  });
});
