/**
 * The `phones` and `keys` verbs, run as a real process (`node --import tsx src/cli.ts ...`) on a real
 * SQLite file in a temp DATA_DIR. Every run is checked for never echoing the password.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPhone } from '../../src/sim/index.js';
import type { SimPhone } from '../../src/sim/index.js';
import { openStore } from '../../src/store/index.js';
import { storeConfigFromEnv } from '../../src/config/store.js';
import { cliHarness, SECRET, type CliHarness } from './harness.js';

/** Each CLI run starts a Node process (up to 1 s on a loaded 2-CPU machine) and a test makes up to 10. Not a speed assertion. */
const SLOW = 180_000;

interface Ctx extends Pick<CliHarness, 'dataDir' | 'baseEnv' | 'cli'> {
  directory(env?: Readonly<Record<string, string>>): ReturnType<typeof openStore>;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh DATA_DIR and key per test, so tests run concurrently (each CLI run is a process start); no run may echo SECRET. */
function setup(): Ctx {
  const { dataDir, baseEnv, cli } = cliHarness();
  dirs.push(dataDir);
  return { dataDir, baseEnv, cli, directory: (env = baseEnv) => openStore(storeConfigFromEnv(env)) };
}

function filesContain(dir: string, text: string): boolean {
  return readdirSync(dir).some((f) => f.startsWith('rescue-ring.db') && readFileSync(join(dir, f)).includes(Buffer.from(text)));
}

describe.concurrent('rescue-ring phones', { timeout: SLOW }, () => {
  it('adds, shows, lists and exports a phone without ever printing its password', async () => {
    const { cli, dataDir, directory } = setup();
    const add = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '10.1.2.3:8080', '--username', 'svc-phone', '--tone', 'Chime.raw', '--rings', '4'], {
      env: { PHONE_PASSWORD: SECRET },
    });
    expect(add).toMatchObject({ code: 0 });
    expect(add.stdout).toContain('Registered the phone of U111 (team T1) at 10.1.2.3:8080');
    const viaStdin = await cli(['phones', 'add', '--team', 'T1', '--user', 'U222', '--address', '10.1.2.4', '--username', 'svc', '--password-stdin', '--json'], { input: `${SECRET}\n` });
    expect(viaStdin.code).toBe(0);
    expect(JSON.parse(viaStdin.stdout)).toMatchObject({ ok: true, updated: false, registration: { userId: 'U222', hasOwnPassword: true } });

    const show = await cli(['phones', 'show', 'U111']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Address\s+10\.1\.2\.3:8080/);
    expect(show.stdout).toMatch(/Username\s+svc-phone/);
    expect(show.stdout).toMatch(/Password\s+\(set, not shown\)/);
    const showJson = JSON.parse((await cli(['phones', 'show', 'U111', '--json'])).stdout) as { registration: Record<string, unknown> };
    expect(showJson.registration).not.toHaveProperty('password');

    const list = await cli(['phones', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/T1\s+U111\s+10\.1\.2\.3:8080\s+Chime\.raw\s+4/);
    expect(list.stdout).not.toContain('svc-phone');
    const listJson = JSON.parse((await cli(['phones', 'list', '--json'])).stdout) as { rows: unknown[]; unreadable: unknown[] };
    expect(listJson.rows).toHaveLength(2);
    expect(JSON.stringify(listJson)).not.toContain('svc-phone');

    const exported = await cli(['phones', 'export']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe('user,address,username,tone,rings\r\nU111,10.1.2.3:8080,svc-phone,Chime.raw,4\r\nU222,10.1.2.4,svc,,\r\n');

    const store = await directory();
    expect((await store.get({ teamId: 'T1', userId: 'U222' }))?.password).toBe(SECRET);
    await store.close();
    for (const s of [SECRET, 'svc-phone', '10.1.2.3:8080']) expect(filesContain(dataDir, s), s).toBe(false);
  });

  it('explains what is missing and stores nothing when the password or username has no source', async () => {
    const { cli, directory } = setup();
    const noPassword = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '10.1.2.3', '--username', 'svc']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/No phone password given: set PHONE_PASSWORD, pipe it with --password-stdin, or configure PHONE_DEFAULT_PASSWORD/);
    const noUser = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '10.1.2.3'], { env: { PHONE_PASSWORD: SECRET } });
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toMatch(/No phone username given/);
    const badAddress = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', 'http://admin:pw@10.1.2.3/x'], { env: { PHONE_PASSWORD: SECRET } });
    expect(badAddress.code).toBe(2);
    expect(badAddress.stderr).toMatch(/username and password in their own fields/);
    const deniedTone = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '10.1.2.3', '--username', 'svc', '--tone', 'Piano2.raw'], { env: { PHONE_PASSWORD: SECRET } });
    expect(deniedTone.code).toBe(2);
    expect(deniedTone.stderr).toMatch(/--tone: Piano2\.raw is known to crash some phones and is never played/);
    const store = await directory();
    expect(await store.count()).toBe(0);
    await store.close();

    const withDefaults = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '10.1.2.3'], {
      env: { PHONE_DEFAULT_USERNAME: 'office', PHONE_DEFAULT_PASSWORD: 'office-default-pw' },
    });
    expect(withDefaults.code).toBe(0);
    expect(withDefaults.stdout).toContain('username: organisation default, password: organisation default');
    // The office later drops its shared account: testing names what is missing.
    const orphan = await cli(['phones', 'test', 'U111']);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toMatch(/The registration of U111 has no phone username and the office has no default/);
  });

  it('asks for --team only when the directory holds several workspaces', async () => {
    const { cli, directory } = setup();
    const env = { PHONE_PASSWORD: SECRET };
    await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '10.0.0.1', '--username', 'a'], { env });
    expect((await cli(['phones', 'remove', 'U999'])).stderr).toMatch(/No phone is registered for user U999 in team T1/);
    await cli(['phones', 'add', '--team', 'T2', '--user', 'U111', '--address', '10.0.0.2', '--username', 'a'], { env });
    const ambiguous = await cli(['phones', 'remove', 'U111']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/The directory holds 2 workspaces \(T1, T2\); add --team/);
    const removed = await cli(['phones', 'remove', 'U111', '--team', 'T2', '--json']);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ ok: true, removed: { teamId: 'T2', userId: 'U111' } });
    const store = await directory();
    expect((await store.list()).rows.map((r) => `${r.teamId}/${r.userId}`)).toEqual(['T1/U111']);
    await store.close();
  });

  it('imports a CSV with quoted cells, all rows at once', async () => {
    const { cli, dataDir, directory } = setup();
    const tricky = `${SECRET},"quoted"`;
    const file = join(dataDir, 'phones.csv');
    writeFileSync(file, `\ufeffuser,address,username,password,tone,rings\r\nU111,10.0.0.1,svc,"${tricky.replaceAll('"', '""')}",Chime.raw,2\r\n\r\nU222,"10.0.0.2:8080",,,,\r\n`);
    const result = await cli(['phones', 'import', file, '--team', 'T1'], { env: { PHONE_DEFAULT_USERNAME: 'office', PHONE_DEFAULT_PASSWORD: 'x' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Imported 2 phones into team T1 (2 new, 0 updated)');
    const store = await directory();
    expect(await store.get({ teamId: 'T1', userId: 'U111' })).toMatchObject({ address: '10.0.0.1', username: 'svc', password: tricky, tone: 'Chime.raw', rings: 2 });
    const second = await store.get({ teamId: 'T1', userId: 'U222' });
    expect(second).toMatchObject({ address: '10.0.0.2:8080' });
    expect(second?.password).toBeUndefined();
    expect(second?.tone).toBeUndefined();
    await store.close();
  });

  it('checks addresses against PHONE_ALLOWED_NETWORKS when registering (add and import), as the Slack form does', async () => {
    const { cli, dataDir, directory } = setup();
    const metadata = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '169.254.169.254', '--username', 'svc'], { env: { PHONE_PASSWORD: SECRET } });
    expect(metadata.code).toBe(2);
    expect(metadata.stderr).toMatch(/169\.254\.169\.254 is a link-local address/);
    expect(metadata.stderr).toMatch(/PHONE_ALLOWED_NETWORKS/);
    const outside = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '10.1.2.3', '--username', 'svc', '--json'], {
      env: { PHONE_PASSWORD: SECRET, PHONE_ALLOWED_NETWORKS: '192.168.0.0/16' },
    });
    expect(outside.code).toBe(2);
    expect(JSON.parse(outside.stdout)).toMatchObject({ ok: false, error: 'PhoneAddressRefused' });

    const file = join(dataDir, 'mixed.csv');
    writeFileSync(file, 'user,address,username,password,tone,rings\nU111,10.0.0.1,svc,pw1,,\nU222,127.0.0.1:8080,svc,pw2,,\nU333,169.254.169.254,svc,pw3,,\n');
    const imported = await cli(['phones', 'import', file, '--team', 'T1']);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toMatch(/2 lines cannot be imported; nothing was imported/);
    expect(imported.stderr).toMatch(/line 3 \(user U222\): address: .*127\.0\.0\.1.*loopback/);
    expect(imported.stderr).toMatch(/line 4 \(user U333\): address: .*169\.254\.169\.254.*link-local/);
    expect(imported.stderr).not.toMatch(/U111/);
    const store = await directory();
    expect(await store.count()).toBe(0);
    await store.close();
  });

  it('a CSV with bad rows changes nothing and names each bad line', async () => {
    const { cli, dataDir, directory } = setup();
    const file = join(dataDir, 'bad.csv');
    writeFileSync(
      file,
      [
        'user,address,username,password,tone,rings',
        `U111,10.0.0.1,svc,${SECRET},Classic1.raw,3`,
        `U222,http://10.0.0.2/path,svc,${SECRET},,`,
        `U333,10.0.0.3,svc,${SECRET},,three`,
        `U111,10.0.0.5,svc,${SECRET},,`,
        `bob,10.0.0.6,svc,${SECRET},,`,
        `U777,10.0.0.7,svc`,
        '',
      ].join('\n'),
    );
    const result = await cli(['phones', 'import', file, '--team', 'T1']);
    expect(result.code).toBe(2);
    const lines = [...result.stderr.matchAll(/line (\d+)(?: \(user \w+\))?: ([^\n]*)/g)].map((m) => [Number(m[1]), m[2]]);
    expect(lines.map((l) => l[0])).toEqual([3, 4, 5, 6, 7]);
    expect(result.stderr).toMatch(/line 3 \(user U222\): The phone address must not contain a path/);
    expect(result.stderr).toMatch(/line 4 \(user U333\): rings must be a whole number, like 3; it is "three"/);
    expect(result.stderr).toMatch(/line 5 \(user U111\): user U111 is already on line 2/);
    expect(result.stderr).toMatch(/line 6: "bob" is not a Slack user id/);
    expect(result.stderr).toMatch(/line 7: has 3 cells but the header has 6/);
    expect(result.stderr).toMatch(/nothing was imported/);

    // A well-formed file whose rows registerPhone refuses: its own messages, by row.
    const rules = join(dataDir, 'rules.csv');
    writeFileSync(rules, ['user,address,username,password,tone,rings', `U333,10.0.0.3,svc,${SECRET},Piano2.raw,3`, `U444,10.0.0.4,svc,${SECRET},,11`, `U888,10.0.0.8,svc,,,`, ''].join('\n'));
    const refused = await cli(['phones', 'import', rules, '--team', 'T1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('3 lines cannot be imported; nothing was imported.');
    expect(refused.stderr).toMatch(/line 2 \(user U333\): tone: Piano2\.raw is known to crash some phones/);
    expect(refused.stderr).toMatch(/line 3 \(user U444\): rings: Rings must be a whole number from 1 to 10/);
    expect(refused.stderr).toMatch(/line 4 \(user U888\): password: Enter your phone password; it is needed the first time you register/);

    const header = join(dataDir, 'header.csv');
    writeFileSync(header, 'user,phone,password\nU1,10.0.0.1,x\n');
    const badHeader = await cli(['phones', 'import', header, '--team', 'T1', '--json']);
    expect(badHeader.code).toBe(2);
    expect(JSON.parse(badHeader.stdout)).toMatchObject({ ok: false, error: 'CsvImportInvalid' });
    expect(JSON.parse(badHeader.stdout).message).toMatch(/line 1: unknown column "phone"[\s\S]*line 1: the "address" column is missing/);

    const store = await directory();
    expect(await store.count()).toBe(0);
    await store.close();
  });
});

describe.concurrent('rescue-ring keys', { timeout: SLOW }, () => {
  it('generates a usable key and rotates every row to it', async () => {
    const { cli, baseEnv } = setup();
    const generated = await cli(['keys', 'generate']);
    expect(generated.code).toBe(0);
    const line = generated.stdout.trim();
    expect(line).toMatch(/^k\d{8}-[0-9a-f]{4}:[A-Za-z0-9+/]{43}=$/);
    const newId = line.split(':')[0] as string;
    expect(generated.stderr).toContain(`STORE_KEY_ID=${newId}`);
    expect(generated.stderr).not.toContain(line.split(':')[1]);

    for (const user of ['U111', 'U222', 'U333']) {
      await cli(['phones', 'add', '--team', 'T1', '--user', user, '--address', '10.0.0.1', '--username', 'svc'], { env: { PHONE_PASSWORD: SECRET } });
    }
    const both = { STORE_KEYS: `${baseEnv.STORE_KEYS},${line}`, STORE_KEY_ID: newId };
    const rotated = await cli(['keys', 'rotate', '--batch-size', '2'], { env: both });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('Re-encrypted 3 registrations; 0 already used the current key; 0 could not be opened.');
    expect(rotated.stderr).toContain('2 re-encrypted so far');
    const again = await cli(['keys', 'rotate', '--json'], { env: both });
    expect(JSON.parse(again.stdout)).toEqual({ ok: true, reencrypted: 0, current: 3, failed: 0, failures: [] });

    const onlyNew = await cli(['phones', 'list', '--json'], { env: { STORE_KEYS: line, STORE_KEY_ID: newId } });
    expect(onlyNew.code).toBe(0);
    expect(JSON.parse(onlyNew.stdout)).toMatchObject({ unreadable: [] });
    const onlyOld = await cli(['phones', 'list'], { env: { STORE_KEYS: baseEnv.STORE_KEYS, STORE_KEY_ID: 'k1' } });
    expect(onlyOld.code).toBe(1);
    expect(onlyOld.stdout).toContain(`Cannot open the registration of U111 (team T1), key "${newId}": key-missing.`);
  });

  it('rotate opens every row, those already under the current key too: a damaged one is named by user and the exit code is 1', async () => {
    const { cli, dataDir } = setup();
    for (const user of ['U111', 'U222', 'U333']) {
      expect((await cli(['phones', 'add', '--team', 'T1', '--user', user, '--address', '10.0.0.1', '--username', 'svc'], { env: { PHONE_PASSWORD: SECRET } })).code).toBe(0);
    }
    // One row under the current key is damaged on disk (a flipped byte in its sealed record).
    const db = new Database(join(dataDir, 'rescue-ring.db'));
    try {
      const { sealed } = db.prepare('SELECT sealed FROM phone_registrations WHERE user_id = ?').get('U222') as { sealed: Buffer };
      sealed[20] = (sealed[20] ?? 0) ^ 0xff;
      db.prepare('UPDATE phone_registrations SET sealed = ? WHERE user_id = ?').run(sealed, 'U222');
    } finally {
      db.close();
    }
    const rotated = await cli(['keys', 'rotate']);
    expect(rotated.code).toBe(1);
    expect(rotated.stdout).toContain('Re-encrypted 0 registrations; 2 already used the current key; 1 could not be opened.');
    expect(rotated.stdout).toContain('  U222 (team T1), key "k1": tampered');
    expect(rotated.stdout).not.toContain('Every registration now uses the current key');
    const json = await cli(['keys', 'rotate', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, reencrypted: 0, current: 2, failed: 1, failures: [{ teamId: 'T1', userId: 'U222', keyId: 'k1', reason: 'tampered' }] });
  });

  it('refuses to start on bad key settings, naming the entry and never the key', async () => {
    const { cli, dataDir } = setup();
    const short = randomBytes(16).toString('base64');
    const good = randomBytes(32).toString('base64');
    const result = await cli(['phones', 'list'], { env: { STORE_KEYS: `k1:${good},k2:${short}`, STORE_KEY_ID: 'k3' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('STORE_KEYS entry 2 ("k2") is 16 bytes once decoded; a key must be exactly 32 bytes');
    expect(result.stderr).not.toContain(short);
    expect(result.stderr).not.toContain(good);
    const production = await cli(['phones', 'list'], { env: { STORE_KEYS: undefined, STORE_KEY_ID: undefined, NODE_ENV: 'production' } });
    expect(production.code).toBe(1);
    expect(production.stderr).toMatch(/NODE_ENV is production but no store key is set/);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('generates a development key on first use outside production, with a warning', async () => {
    const { cli } = setup();
    const env = { STORE_KEYS: undefined, STORE_KEY_ID: undefined, PHONE_PASSWORD: SECRET };
    const first = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '10.0.0.1', '--username', 'svc'], { env });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/Warning: No store key was configured, so a development key was generated in .*store\.key/);
    const second = await cli(['phones', 'show', 'U111'], { env });
    expect(second.code).toBe(0);
    expect(second.stderr).toBe('');
  });
});

describe('rescue-ring phones test', { timeout: SLOW }, () => {
  let phone: SimPhone;
  beforeEach(async () => {
    phone = await startPhone({ name: 'cli-test', toneTimeScale: 0 });
  });
  afterEach(async () => phone.stop());

  it('rings the registered phone once, and names a wrong password without showing it', async () => {
    const { cli } = setup();
    const env = { PHONE_ALLOWED_NETWORKS: '127.0.0.0/8' };
    await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', phone.address, '--username', phone.username, '--tone', 'Chime.raw', '--password-stdin'], {
      env,
      input: `${phone.password}\n`,
    });
    const ok = await cli(['phones', 'test', 'U111'], { env });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Rang the phone of U111 (team T1) once with Chime.raw');
    expect(phone.played).toEqual(['Chime.raw']);

    await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', phone.address, '--username', phone.username], { env: { ...env, PHONE_PASSWORD: SECRET } });
    const denied = await cli(['phones', 'test', 'U111', '--json'], { env });
    expect(denied.code).toBe(1);
    expect(JSON.parse(denied.stdout)).toMatchObject({ ok: false, error: 'PhoneAuthFailed' });
    expect(phone.played).toEqual(['Chime.raw']);

    const unknown = await cli(['phones', 'test', 'U999'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No phone is registered for user U999/);
  });

  it('pins an HTTPS phone on its first test and refuses a wrong pinned certificate', async () => {
    const { cli } = setup();
    const secure = await startPhone({ name: 'cli-https', https: true, toneTimeScale: 0 });
    try {
      const env = { PHONE_ALLOWED_NETWORKS: '127.0.0.0/8' };
      const add = ['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', secure.url, '--username', secure.username, '--password-stdin'];
      expect((await cli(add, { env, input: `${secure.password}\n` })).code).toBe(0);
      expect((await cli(['phones', 'show', 'U111'])).stdout).toMatch(/HTTPS trust\s+trust on first use \(not pinned yet\)/);
      const first = await cli(['phones', 'test', 'U111'], { env });
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`Its HTTPS certificate is now pinned (SHA-256 ${secure.certificateSha256})`);
      expect((await cli(['phones', 'show', 'U111'])).stdout).toContain(`pinned certificate SHA-256 ${secure.certificateSha256}`);
      expect((await cli(['phones', 'test', 'U111'], { env })).code).toBe(0);

      const wrong = 'AB'.repeat(32);
      expect((await cli([...add, '--tls-pin', wrong], { env, input: `${secure.password}\n` })).code).toBe(0);
      const refused = await cli(['phones', 'test', 'U111', '--json'], { env });
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false });
      expect(secure.played).toEqual(['Classic1.raw', 'Classic1.raw']);
      const plain = await cli(['phones', 'add', '--team', 'T1', '--user', 'U222', '--address', '10.0.0.1', '--tls-insecure-skip-verify'], { env: { PHONE_PASSWORD: SECRET } });
      expect(plain.code).toBe(2);
      expect(plain.stderr).toMatch(/--tls-insecure-skip-verify applies to HTTPS phones only/);
    } finally {
      await secure.stop();
    }
  });
});
