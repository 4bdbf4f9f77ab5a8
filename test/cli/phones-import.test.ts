/**
 * `rescue-ring phones import` checks every row as the Slack settings form does (registerPhone's
 * checks: here the ringtone against a ring list imported with `tones import`), imports all rows or
 * none, and audits each imported registration with the command line as the actor and no secret in
 * the audit table. Real CLI processes on a real SQLite file.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { harnessPerTest, SECRET, ringListXml as ringList } from './harness.js';

/** Each run starts a Node process (up to 1 s on a loaded machine). Not a speed assertion. */
const SLOW = 180_000;

const setup = harnessPerTest();


const HEADER = 'user,address,username,password,tone,rings';
const USERNAME = 'svc-import-user';

/** The audit table as stored, every column of every row. */
function auditRows(dataDir: string): Record<string, unknown>[] {
  const db = new Database(join(dataDir, 'rescue-ring.db'), { readonly: true });
  try {
    return db.prepare('SELECT * FROM audit_log').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe.concurrent('rescue-ring phones import', { timeout: SLOW }, () => {
  it('refuses the whole file when one row has a tone not on the office list, naming the row; stores nothing and leaves one refused audit entry without values', async () => {
    const { cli, file, store, dataDir } = setup();
    expect((await cli(['tones', 'import', file('RingList.xml', ringList('Chime.raw', 'OfficeBell.raw'))])).code).toBe(0);
    const csv = file(
      'phones.csv',
      [HEADER, `U111,10.0.0.1,${USERNAME},${SECRET},Chime.raw,2`, `U222,10.0.0.2,${USERNAME},${SECRET},Classic1.raw,2`, `U333,10.0.0.3,${USERNAME},${SECRET},OfficeBell.raw,`, ''].join('\n'),
    );

    const refused = await cli(['phones', 'import', csv, '--team', 'T1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('1 line cannot be imported; nothing was imported.');
    expect(refused.stderr).toContain('line 3 (user U222): tone: Classic1.raw is not one of this office’s ringtones. Pick one from the list.');
    expect(refused.stderr).toContain("This office's ringtones, from the ring list imported from the call manager (rescue-ring tones import): Chime.raw, OfficeBell.raw.");
    expect(refused.stderr).toMatch(/Fix the lines named above in .*phones\.csv \(line 1 is the header\) and import the whole file again/);
    expect(refused.stderr).not.toMatch(/U111|U333/);
    const json = await cli(['phones', 'import', csv, '--team', 'T1', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: 'InvalidSettings', message: expect.stringContaining('line 3 (user U222): tone:') as unknown });

    const after = await store();
    try {
      expect(await after.directory.count()).toBe(0);
    } finally {
      await after.close();
    }
    // Two refused runs (human and --json), one entry each: no target, counts and field names only.
    const refusedEntry = { team_id: 'T1', actor_id: 'cli', target_id: null, action: 'register', outcome: 'refused', error_class: 'InvalidSettings', detail: 'import refused; 1 of 3 rows invalid: tone' };
    const rows = auditRows(dataDir);
    expect(rows.map(({ team_id, actor_id, target_id, action, outcome, error_class, detail }) => ({ team_id, actor_id, target_id, action, outcome, error_class, detail }))).toEqual([refusedEntry, refusedEntry]);
    for (const value of [SECRET, USERNAME, '10.0.0.2', 'Classic1.raw', 'U222']) expect(JSON.stringify(rows), value).not.toContain(value);
  });

  it('a file that is not a directory CSV stores nothing and leaves one refused audit entry counting the bad lines', async () => {
    const { cli, file, dataDir } = setup();
    const csv = file('broken.csv', [HEADER, `U111,10.0.0.1,${USERNAME},${SECRET},,two`, `bob,10.0.0.2,${USERNAME},${SECRET},,`, `U333,10.0.0.3,${USERNAME},${SECRET},,`, ''].join('\n'));
    const refused = await cli(['phones', 'import', csv, '--team', 'T1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('2 lines cannot be imported; nothing was imported.');
    expect(refused.stderr).toContain('line 2 (user U111): rings must be a whole number, like 3; it is "two"');
    expect(refused.stderr).toContain('line 3: "bob" is not a Slack user id');
    const rows = auditRows(dataDir);
    expect(rows.map((r) => [r.actor_id, r.target_id, r.action, r.outcome, r.error_class, r.detail])).toEqual([
      ['cli', null, 'register', 'refused', 'CsvImportInvalid', 'import refused; 2 lines of the file invalid'],
    ]);
    for (const value of [SECRET, USERNAME, '10.0.0.1', 'bob']) expect(JSON.stringify(rows), value).not.toContain(value);
  });

  it('names every bad line in one run, by line of the file (header = line 1) with the user beside it: a malformed address, a crash tone and a bad ring count', async () => {
    const { cli, file, store, dataDir } = setup();
    const csv = file(
      'three-kinds.csv',
      [HEADER, `U111,10.0.0.1,${USERNAME},${SECRET},,`, `U222,http://10.0.0.2/path,${USERNAME},${SECRET},,`, `U333,10.0.0.3,${USERNAME},${SECRET},Piano2.raw,`, `U444,10.0.0.4,${USERNAME},${SECRET},,11`, ''].join('\n'),
    );
    const refused = await cli(['phones', 'import', csv, '--team', 'T1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('three-kinds.csv: 3 lines cannot be imported; nothing was imported.');
    const named = [...refused.stderr.matchAll(/^ {2}line (\d+) \(user (U\d+)\): (.*)$/gm)].map((m) => [Number(m[1]), m[2], m[3]]);
    expect(named).toEqual([
      [3, 'U222', 'The phone address must not contain a path: give only the host and, if needed, a port'],
      [4, 'U333', 'tone: Piano2.raw is known to crash some phones and is never played. Pick another ringtone.'],
      [5, 'U444', 'rings: Rings must be a whole number from 1 to 10.'],
    ]);
    expect(refused.stderr).not.toMatch(/U111|row \d/);
    const after = await store();
    try {
      expect(await after.directory.count()).toBe(0);
    } finally {
      await after.close();
    }
    expect(auditRows(dataDir).map((r) => [r.actor_id, r.target_id, r.outcome, r.error_class, r.detail])).toEqual([['cli', null, 'refused', 'CsvImportInvalid', 'import refused; 3 lines of the file invalid']]);
  });

  it('lists every bad row at once: an address the network policy refuses beside settings registerPhone refuses', async () => {
    const { cli, file, store } = setup();
    const csv = file(
      'mixed.csv',
      [HEADER, `U111,10.0.0.1,${USERNAME},${SECRET},NoSuchTone.raw,`, `U222,10.0.0.2,${USERNAME},${SECRET},,`, `U333,127.0.0.1:8080,${USERNAME},${SECRET},,`, ''].join('\n'),
    );
    const refused = await cli(['phones', 'import', csv, '--team', 'T1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('2 lines cannot be imported; nothing was imported.');
    expect(refused.stderr).toContain('line 2 (user U111): tone: NoSuchTone.raw is not one of this office’s ringtones.');
    expect(refused.stderr).toMatch(/line 4 \(user U333\): address: Phone address 127\.0\.0\.1 refused: .*loopback/);
    expect(refused.stderr).toMatch(/PHONE_ALLOWED_NETWORKS/);
    expect(refused.stderr).not.toMatch(/U222/);
    const after = await store();
    try {
      expect(await after.directory.count()).toBe(0);
    } finally {
      await after.close();
    }
  });

  it('imports every row of a good file and audits each one with the CLI as the actor and no secret', async () => {
    const { cli, file, store, dataDir } = setup();
    const users = ['U111', 'U222', 'U333'];
    const csv = file('good.csv', [HEADER, ...users.map((u, i) => `${u},10.0.0.${i + 1},${USERNAME},${SECRET},Chime.raw,${i + 1}`), ''].join('\n'));
    const imported = await cli(['phones', 'import', csv, '--team', 'T1']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Imported 3 phones into team T1 (3 new, 0 updated).');

    const opened = await store();
    try {
      for (const [i, userId] of users.entries()) {
        expect(await opened.directory.get({ teamId: 'T1', userId })).toMatchObject({ address: `10.0.0.${i + 1}`, username: USERNAME, password: SECRET, tone: 'Chime.raw', rings: i + 1 });
      }
    } finally {
      await opened.close();
    }

    const rows = auditRows(dataDir);
    expect(rows).toHaveLength(3);
    const entries = await cli(['audit', '--json']);
    const shown = (JSON.parse(entries.stdout) as { entries: Record<string, unknown>[] }).entries.map(({ actorId, targetId, action, outcome, errorClass, detail }) => ({ actorId, targetId, action, outcome, errorClass, detail }));
    expect(shown.sort((a, b) => String(a.targetId).localeCompare(String(b.targetId)))).toEqual(
      users.map((u) => ({ actorId: 'cli', targetId: u, action: 'register', outcome: 'ok', errorClass: undefined, detail: 'imported; new' })),
    );
    const table = JSON.stringify(rows);
    for (const secret of [SECRET, USERNAME, '10.0.0.1']) expect(table, secret).not.toContain(secret);
  });

  it('an import over a registration keeps what registerPhone keeps: the saved password for a blank cell, and who may ring', async () => {
    const { cli, file, store, dataDir } = setup();
    const before = await store();
    try {
      await before.directory.put({ teamId: 'T1', userId: 'U111', address: '10.0.0.9', username: 'old', password: SECRET, permission: 'only_me' });
    } finally {
      await before.close();
    }
    const csv = file('update.csv', [HEADER, `U111,10.0.0.1,${USERNAME},,Chime.raw,`, ''].join('\n'));
    const imported = await cli(['phones', 'import', csv, '--team', 'T1'], { env: { PHONE_DEFAULT_PASSWORD: 'office-default' } });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Imported 1 phone into team T1 (0 new, 1 updated).');
    const after = await store();
    try {
      expect(await after.directory.get({ teamId: 'T1', userId: 'U111' })).toMatchObject({ address: '10.0.0.1', username: USERNAME, password: SECRET, permission: 'only_me' });
    } finally {
      await after.close();
    }
    expect(auditRows(dataDir).map((r) => [r.actor_id, r.action, r.outcome, r.detail])).toEqual([['cli', 'register', 'ok', 'imported; updated']]);
  });

  it('without PHONE_DEFAULT_PASSWORD: empty password cells keep the saved passwords, and a new user without one is refused by row', async () => {
    const { cli, file, store } = setup();
    const env = { PHONE_DEFAULT_PASSWORD: undefined, PHONE_DEFAULT_USERNAME: undefined };
    const before = await store();
    try {
      await before.directory.put({ teamId: 'T1', userId: 'U111', address: '10.0.0.9', username: USERNAME, password: SECRET });
    } finally {
      await before.close();
    }
    const withNew = file('with-new.csv', [HEADER, `U111,10.0.0.1,${USERNAME},,,3`, `U222,10.0.0.2,${USERNAME},,,`, ''].join('\n'));
    const refused = await cli(['phones', 'import', withNew, '--team', 'T1'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('1 line cannot be imported; nothing was imported.');
    expect(refused.stderr).toContain('line 3 (user U222): password: Enter your phone password; it is needed the first time you register.');
    expect(refused.stderr).not.toMatch(/U111|PHONE_DEFAULT_PASSWORD/);

    const update = file('update.csv', [HEADER, `U111,10.0.0.1,${USERNAME},,,3`, ''].join('\n'));
    const imported = await cli(['phones', 'import', update, '--team', 'T1'], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Imported 1 phone into team T1 (0 new, 1 updated).');
    const after = await store();
    try {
      expect(await after.directory.get({ teamId: 'T1', userId: 'U111' })).toMatchObject({ address: '10.0.0.1', username: USERNAME, password: SECRET, rings: 3 });
    } finally {
      await after.close();
    }
  });

  it('export, edit, import: the export has no password (or interval) column, and without PHONE_DEFAULT_PASSWORD the passwords are kept', async () => {
    const { cli, file, store } = setup();
    const env = { PHONE_DEFAULT_PASSWORD: undefined };
    for (const [user, address] of [['U111', '10.0.0.1'], ['U222', '10.0.0.2']] as const) {
      const added = await cli(['phones', 'add', '--team', 'T1', '--user', user, '--address', address, '--username', USERNAME, '--interval', '7'], { env: { PHONE_PASSWORD: SECRET } });
      expect(added.code, added.stderr).toBe(0);
    }
    const exported = await cli(['phones', 'export'], { env });
    expect(exported.code, exported.stderr).toBe(0);
    const edited = file('edited.csv', exported.stdout.replace('U222,10.0.0.2,', 'U222,10.0.0.22,'));
    const imported = await cli(['phones', 'import', edited], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Imported 2 phones into team T1 (0 new, 2 updated).');
    const after = await store();
    try {
      expect(await after.directory.get({ teamId: 'T1', userId: 'U111' })).toMatchObject({ address: '10.0.0.1', password: SECRET, intervalSeconds: 7 });
      expect(await after.directory.get({ teamId: 'T1', userId: 'U222' })).toMatchObject({ address: '10.0.0.22', password: SECRET, intervalSeconds: 7 });
    } finally {
      await after.close();
    }
  });
});
