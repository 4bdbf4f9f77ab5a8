/**
 * `rescue-ring tones import|list`, run as a real process (`node --import tsx src/cli.ts ...`) on a real
 * SQLite file in a temp DATA_DIR; then the use cases on the same file see the imported list.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rescueSettingsFromEnv, storeConfigFromEnv } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { createNetworkPolicy, PhoneClient } from '../../src/phone/index.js';
import { effectiveTones, registerPhone, rescueDeps, type InvalidSettings } from '../../src/rescue/index.js';
import { openFullStore } from '../../src/store/index.js';
import { runCli } from './harness.js';

/** Each CLI run starts a Node process (up to 1 s on a loaded machine). Not a speed assertion. */
const SLOW = 120_000;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'rescue-ring-tones-'));
  dirs.push(dataDir);
  const env: Record<string, string> = { DATA_DIR: dataDir, STORE_KEYS: `k1:${randomBytes(32).toString('base64')}`, STORE_KEY_ID: 'k1' };
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: dataDir, env: { ...env, ...extra } });
  const file = (name: string, text: string) => {
    const path = join(dataDir, name);
    writeFileSync(path, text);
    return path;
  };
  return { dataDir, env, cli, file };
}

const ring = (name: string, file: string) => `  <Ring>\n    <DisplayName>${name}</DisplayName>\n    <FileName>${file}</FileName>\n  </Ring>`;
const ringList = (...rings: string[]) => `<?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneRingList>\n${rings.join('\n')}\n</CiscoIPPhoneRingList>\n`;

describe.concurrent('rescue-ring tones', { timeout: SLOW }, () => {
  it('lists the built-in tones, or PHONE_TONES, saying where they come from', async () => {
    const { cli } = setup();
    const builtIn = await cli(['tones', 'list']);
    expect(builtIn.code).toBe(0);
    expect(builtIn.stdout).toMatch(/^24 ringtones, from the built-in list/);
    expect(builtIn.stdout).toContain('  Classic1.raw');
    const configured = JSON.parse((await cli(['tones', 'list', '--json'], { PHONE_TONES: 'Chime.raw,Piano2.raw,Classic1.raw' })).stdout) as { source: string; tones: string[] };
    expect(configured).toEqual({ ok: true, source: 'PHONE_TONES', tones: ['Chime.raw', 'Classic1.raw'] });
  });

  it('imports a ring list (denied tones dropped with a warning) that the settings checks then use', async () => {
    const { cli, file, env } = setup();
    const path = file('RingList.xml', ringList(ring('Chime', 'Chime.raw'), ring('Office bell', 'OfficeBell.raw'), ring('Piano 2', 'Piano2.raw')));
    const r = await cli(['tones', 'import', path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Imported 2 ringtones from ${path}. The settings form now offers:`);
    expect(r.stdout).toMatch(/OfficeBell\.raw\s+Office bell/);
    expect(r.stderr).toContain('Warning: line 11: Piano2.raw left out: it is on the deny list');
    expect(r.stderr).toContain('The office default ringtone Classic1.raw (PHONE_DEFAULT_TONE) is not in this list');
    const listed = await cli(['tones', 'list']);
    expect(listed.stdout).toBe('2 ringtones, from the ring list imported from the call manager (rescue-ring tones import):\n  Chime.raw\n  OfficeBell.raw\n');

    // The use cases on the same file: the imported list is what registering checks against.
    const store = await openFullStore(storeConfigFromEnv(env));
    try {
      const deps = rescueDeps(store, { phones: new PhoneClient({ networkPolicy: createNetworkPolicy(['127.0.0.0/8']) }), settings: rescueSettingsFromEnv({}), logger: silentLogger() });
      expect(await effectiveTones(deps)).toEqual({ source: 'imported', tones: ['Chime.raw', 'OfficeBell.raw'] });
      const base = { teamId: 'T1', userId: 'U1', address: '127.0.0.1:9', username: 'u', password: 'p' };
      const refused = (await registerPhone(deps, { ...base, tone: 'Classic1.raw' }).then(
        () => undefined,
        (e: unknown) => e,
      )) as InvalidSettings;
      expect(refused.fields.tone).toBe('Classic1.raw is not one of this office’s ringtones. Pick one from the list.');
      expect((await registerPhone(deps, { ...base, tone: 'OfficeBell.raw' })).tone).toBe('OfficeBell.raw');
    } finally {
      await store.close();
    }
  });

  it('refuses a file with problems whole, line by line, and changes nothing', async () => {
    const { cli, file } = setup();
    const good = file('good.xml', ringList(ring('Chime', 'Chime.raw')));
    expect((await cli(['tones', 'import', good])).code).toBe(0);
    const bad = file('bad.xml', ringList(ring('Chime', 'Chime.raw'), ring('A name far longer than twenty-five characters', 'Long.raw'), ring('Spaces', 'My Tone.raw'), '  <Ring><DisplayName>x</DisplayName></Ring>'));
    const r = await cli(['tones', 'import', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${bad} was not imported; nothing changed.`);
    expect(r.stderr).toMatch(/^line 7: <DisplayName> .* is 45 characters; at most 25$/m);
    expect(r.stderr).toMatch(/^line 11: <FileName> .*My Tone\.raw.* is not a valid file name/m);
    expect(r.stderr).toMatch(/^line 15: <FileName> is missing$/m);
    const json = JSON.parse((await cli(['tones', 'import', bad, '--json'])).stdout) as { ok: boolean; problems: { line: number }[] };
    expect(json.ok).toBe(false);
    expect(json.problems.map((p) => p.line)).toEqual([7, 11, 15]);
    expect((await cli(['tones', 'list'])).stdout).toBe('1 ringtone, from the ring list imported from the call manager (rescue-ring tones import):\n  Chime.raw\n');

    const notXml = await cli(['tones', 'import', file('notes.txt', 'Chime, Piano1')]);
    expect(notXml.code).toBe(2);
    expect(notXml.stderr).toMatch(/^line 1: /m);
    const missing = await cli(['tones', 'import', join(file('x', ''), '..', 'nope.xml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.xml: no such file\. Give the path of the ring list exported from the call manager/);
  });
});
