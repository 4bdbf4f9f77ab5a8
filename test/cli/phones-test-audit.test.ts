/**
 * `rescue-ring phones test` leaves the audit entry the Slack test ring (/phone test) leaves, with the
 * command line as the actor: ok with "1 of 1 ring", the failure class when the phone refuses (here the
 * simulator with a wrong password), refused when no phone is registered or it has no credentials.
 * Real CLI processes, a real SQLite file and a simulated phone over real HTTP.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPhone, type SimPhone } from '../../src/sim/index.js';
import { harnessPerTest, SECRET, type AuditJsonEntry as Entry } from './harness.js';

/** Each run starts a Node process (up to 1 s on a loaded machine). Not a speed assertion. */
const SLOW = 180_000;

const setup = harnessPerTest();


describe('rescue-ring phones test', { timeout: SLOW }, () => {
  let phone: SimPhone;
  beforeEach(async () => {
    phone = await startPhone({ name: 'cli-audit', toneTimeScale: 0 });
  });
  afterEach(async () => phone.stop());

  it('audits each test ring like the Slack test ring, with the CLI as the actor: ok, the failure class, and refusals', async () => {
    const h = setup();
    const { cli, dataDir } = h;
    const env = { PHONE_ALLOWED_NETWORKS: '127.0.0.0/8' };
    const add = ['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', phone.address, '--username', phone.username, '--tone', 'Chime.raw'];
    expect((await cli([...add, '--password-stdin'], { env, input: `${phone.password}\n` })).code).toBe(0);

    const ok = await cli(['phones', 'test', 'U111'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(phone.played).toEqual(['Chime.raw']);

    // The simulator refuses a wrong password.
    expect((await cli(add, { env: { ...env, PHONE_PASSWORD: SECRET } })).code).toBe(0);
    const denied = await cli(['phones', 'test', 'U111'], { env });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/Error: /);

    expect((await cli(['phones', 'test', 'U999', '--team', 'T1'], { env })).code).toBe(1);
    // A registration with no credentials of its own and no office default: refused before the phone is asked.
    const store = await h.store();
    try {
      await store.directory.put({ teamId: 'T1', userId: 'U222', address: phone.address });
    } finally {
      await store.close();
    }
    const missing = await cli(['phones', 'test', 'U222', '--team', 'T1'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/The registration of U222 has no phone username and the office has no default/);

    const audit = await cli(['audit', '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    const rings = (JSON.parse(audit.stdout) as { entries: Entry[] }).entries
      .filter((e) => e.action === 'test_ring')
      .map(({ actorId, targetId, action, outcome, errorClass, detail }) => ({ actorId, targetId, action, outcome, errorClass, detail }));
    expect(rings).toEqual([
      { actorId: 'cli', targetId: 'U222', action: 'test_ring', outcome: 'refused', errorClass: 'MissingPhoneCredentials', detail: undefined },
      { actorId: 'cli', targetId: 'U999', action: 'test_ring', outcome: 'refused', errorClass: 'NotRegistered', detail: undefined },
      { actorId: 'cli', targetId: 'U111', action: 'test_ring', outcome: 'failed', errorClass: 'PhoneAuthFailed', detail: '0 of 1 ring' },
      { actorId: 'cli', targetId: 'U111', action: 'test_ring', outcome: 'ok', errorClass: undefined, detail: '1 of 1 ring' },
    ]);

    // Nothing secret in the audit table as stored.
    const db = new Database(join(dataDir, 'rescue-ring.db'), { readonly: true });
    try {
      const table = JSON.stringify(db.prepare('SELECT * FROM audit_log').all());
      for (const s of [SECRET, phone.password, phone.username, phone.address]) expect(table, s).not.toContain(s);
    } finally {
      db.close();
    }
  });
});
