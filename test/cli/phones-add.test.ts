/**
 * `rescue-ring phones add` registers like the Slack settings form (registerPhone): the ringtone must be
 * on the office's list (here a ring list imported with `tones import`), and every registration and
 * removal leaves an audit entry naming the command line as the actor, with no secret in it.
 * Real CLI processes on a real SQLite file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessPerTest, SECRET, ringListXml as ringList, type AuditJsonEntry as Entry } from './harness.js';

/** Each run starts a Node process (up to 1 s on a loaded machine). Not a speed assertion. */
const SLOW = 180_000;

const setup = harnessPerTest();


const add = (user: string, ...more: string[]) => ['phones', 'add', '--team', 'T1', '--user', user, '--address', '10.1.2.3:8080', '--username', 'svc-phone', ...more];
const env = { PHONE_PASSWORD: SECRET };


describe.concurrent('rescue-ring phones add', { timeout: SLOW }, () => {
  it('with a ring list imported, refuses a --tone not on it (naming the tones, storing nothing) and saves one on it', async () => {
    const { cli, file, store } = setup();
    expect((await cli(['tones', 'import', file('RingList.xml', ringList('Chime.raw', 'OfficeBell.raw'))])).code).toBe(0);

    const refused = await cli(add('U111', '--tone', 'Classic1.raw'), { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('The phone was not registered; nothing was saved:');
    expect(refused.stderr).toContain('--tone: Classic1.raw is not one of this office’s ringtones.');
    expect(refused.stderr).toContain(
      "This office's ringtones, from the ring list imported from the call manager (rescue-ring tones import): Chime.raw, OfficeBell.raw. \"rescue-ring tones list\" shows them all.",
    );
    const json = await cli([...add('U111', '--tone', 'Classic1.raw'), '--json'], { env });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: 'Usage', message: expect.stringContaining('Chime.raw, OfficeBell.raw') as unknown });
    const before = await store();
    try {
      expect(await before.directory.count()).toBe(0);
    } finally {
      await before.close();
    }

    const saved = await cli(add('U111', '--tone', 'OfficeBell.raw'), { env });
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain('Registered the phone of U111 (team T1)');
    const after = await store();
    try {
      expect(await after.directory.get({ teamId: 'T1', userId: 'U111' })).toMatchObject({ tone: 'OfficeBell.raw', username: 'svc-phone', password: SECRET });
    } finally {
      await after.close();
    }
  });

  it('an address the network policy refuses is refused by registerPhone, naming the rule it broke and the allowed networks, audited, storing nothing', async () => {
    const { cli, store } = setup();
    const policy = { ...env, PHONE_ALLOWED_NETWORKS: '10.0.0.0/8' };
    const loopback = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '127.0.0.1', '--username', 'svc'], { env: policy });
    expect(loopback.code).toBe(2);
    expect(loopback.stderr).toContain('The phone was not registered; nothing was saved:');
    expect(loopback.stderr).toMatch(/--address: Phone address 127\.0\.0\.1 refused: 127\.0\.0\.1 is .*loopback.*PHONE_ALLOWED_NETWORKS/);
    // Then the use case's advice (the Slack form's words) on what to do.
    expect(loopback.stderr).toContain('an administrator can add its network to PHONE_ALLOWED_NETWORKS');
    const outside = await cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', '192.168.1.1', '--username', 'svc', '--json'], { env: policy });
    expect(outside.code).toBe(2);
    expect(JSON.parse(outside.stdout)).toMatchObject({ ok: false, error: 'PhoneAddressRefused', message: expect.stringContaining('--address: Phone address 192.168.1.1 refused: 192.168.1.1 is outside the allowed networks (10.0.0.0/8)') as unknown });

    const audit = await cli(['audit', '--json']);
    const entries = (JSON.parse(audit.stdout) as { entries: Entry[] }).entries.map(({ actorId, targetId, action, outcome, errorClass, detail }) => ({ actorId, targetId, action, outcome, errorClass, detail }));
    const refused = { actorId: 'cli', targetId: 'U111', action: 'register', outcome: 'refused', errorClass: 'InvalidSettings', detail: 'invalid: address' };
    expect(entries).toEqual([refused, refused]);
    const opened = await store();
    try {
      expect(await opened.directory.count()).toBe(0);
    } finally {
      await opened.close();
    }
  });

  it('takes a desk phone\'s device name (stored in capitals) when a call manager is configured, and refuses it, saying what to do, when none is', async () => {
    const { cli, store } = setup();
    const byName = (user: string) => ['phones', 'add', '--team', 'T1', '--user', user, '--address', 'sep001122aabbcc', '--username', 'svc-phone'];
    const refused = await cli(byName('U201'), { env });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/not connected to the call manager.*Register the phone by its IP address/);
    // Registering needs the call manager configured, not reachable: nothing is asked of it until the phone is used.
    const cucm = { CUCM_URL: 'http://127.0.0.1:9', CUCM_USERNAME: 'rescue-ring', CUCM_PASSWORD: 'cucm-SECRET-8e1' };
    const saved = await cli(byName('U202'), { env: { ...env, ...cucm } });
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout + saved.stderr).not.toContain('cucm-SECRET-8e1');
    const after = await store();
    try {
      expect(await after.directory.get({ teamId: 'T1', userId: 'U201' })).toBeUndefined();
      expect((await after.directory.get({ teamId: 'T1', userId: 'U202' }))?.address).toBe('SEP001122AABBCC');
    } finally {
      await after.close();
    }
  });

  it('refuses a password on the command line in any form with a fixed message that never repeats it, and saves nothing', async () => {
    const { cli, store } = setup();
    for (const form of [[`--password=${SECRET}`], ['--password', SECRET], ['--password'], [`--PASSWORD=${SECRET}`]]) {
      // runCli fails the test if SECRET appears on stdout or stderr.
      const refused = await cli([...add('U111'), ...form]);
      expect(refused.code, form.join(' ')).toBe(2);
      expect(refused.stderr).toBe(
        'Error: Passwords are never taken on the command line (they would stay in the shell history, the process list and CI logs); nothing was done. Set PHONE_PASSWORD, or pipe the password with --password-stdin.\n',
      );
      expect(refused.stdout).toBe('');
    }
    const json = await cli([...add('U111'), `--password=${SECRET}`, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: 'Usage', message: expect.stringContaining('never taken on the command line') as unknown });
    const opened = await store();
    try {
      expect(await opened.directory.count()).toBe(0);
    } finally {
      await opened.close();
    }
  });

  it('registering, refusing and removing leave audit entries that name the CLI and hold no secret', async () => {
    const { cli, dataDir } = setup();
    expect((await cli(add('U111', '--tone', 'Chime.raw'), { env })).code).toBe(0);
    // An update keeps the saved password when none is given.
    expect((await cli(add('U111', '--rings', '4'), { env: { PHONE_PASSWORD: undefined } })).code).toBe(0);
    expect((await cli(add('U111', '--tone', 'NotATone.raw'), { env })).code).toBe(2);
    expect((await cli(['phones', 'remove', 'U111'])).code).toBe(0);
    expect((await cli(['phones', 'remove', 'U111', '--team', 'T1'])).code).toBe(1);

    const audit = await cli(['audit', '--json']);
    expect(audit.code).toBe(0);
    const entries = (JSON.parse(audit.stdout) as { entries: Entry[] }).entries.map(({ actorId, targetId, action, outcome, errorClass, detail }) => ({ actorId, targetId, action, outcome, errorClass, detail }));
    const cliEntry = (action: string, outcome: string, more: { errorClass?: string; detail?: string }) => ({ actorId: 'cli', targetId: 'U111', action, outcome, errorClass: more.errorClass, detail: more.detail });
    expect(entries).toEqual([
      cliEntry('forget', 'ok', { detail: 'nothing to delete' }),
      cliEntry('forget', 'ok', { detail: 'registration deleted' }),
      cliEntry('register', 'refused', { errorClass: 'InvalidSettings', detail: 'invalid: tone' }),
      cliEntry('register', 'ok', { detail: 'updated' }),
      cliEntry('register', 'ok', { detail: 'new' }),
    ]);
    for (const s of [SECRET, 'svc-phone', '10.1.2.3']) expect(audit.stdout, s).not.toContain(s);
    const table = await cli(['audit']);
    expect(table.stdout).toMatch(/T1\s+cli\s+U111\s+register\s+ok/);
    // Nor in the database files, in clear.
    const db = readdirSync(dataDir).filter((f) => f.startsWith('rescue-ring.db'));
    expect(db.length).toBeGreaterThan(0);
    for (const f of db) expect(readFileSync(join(dataDir, f)).includes(Buffer.from(SECRET)), f).toBe(false);
  });
});
