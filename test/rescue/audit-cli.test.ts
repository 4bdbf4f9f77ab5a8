/**
 * `rescue-ring audit`, run as a real process (test/cli/harness.ts) on the SQLite
 * file the use cases wrote, filtered by team, user, since and limit, for people and for scripts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/rescue/index.js';
import { Keyring } from '../../src/store/keyring.js';
import { ALICE, BOB, ME, startWorld, TEAM, USE_CASES } from '../support/world.js';
import { runCli } from '../cli/harness.js';

/** Each run starts a Node process (up to 1 s on a loaded machine). Not a speed assertion. */
const SLOW = 120_000;
const KEY = randomBytes(32);
const HOUR = 3_600_000;

const dataDir = mkdtempSync(join(tmpdir(), 'rescue-ring-audit-cli-'));
const emptyDir = mkdtempSync(join(tmpdir(), 'rescue-ring-audit-cli-empty-'));
afterAll(() => {
  for (const d of [dataDir, emptyDir]) rmSync(d, { recursive: true, force: true });
});

function cli(args: string[], dir = dataDir) {
  return runCli(['audit', ...args], { cwd: dir, env: { DATA_DIR: dir, STORE_KEYS: `k1:${KEY.toString('base64')}`, STORE_KEY_ID: 'k1' } });
}

const now = Date.now();
const at = (msAgo: number) => new Date(now - msAgo);

beforeAll(async () => {
  const w = await startWorld({ ...USE_CASES, dataDir, keyring: new Keyring([{ id: 'k1', key: KEY }], 'k1') });
  try {
    const write = async (msAgo: number, ...args: Parameters<typeof audit> extends [unknown, ...infer R] ? R : never) => {
      w.time.now = at(msAgo);
      await audit(w.rescue, ...args);
    };
    await write(3 * 24 * HOUR, { teamId: TEAM, actorId: ME, targetId: ALICE, action: 'rescue' }, 'ok', { detail: '3 of 3 rings' });
    await write(HOUR, { teamId: TEAM, actorId: BOB, targetId: BOB, action: 'test_ring' }, 'ok', { detail: '1 of 1 ring' });
    await write(HOUR / 2, { teamId: 'T2', actorId: ME, targetId: ME, action: 'screenshot' }, 'refused', { errorClass: 'NotRegistered' });
  } finally {
    await w.close();
  }
});

describe('rescue-ring audit', () => {
  it(
    'lists entries newest first, as JSON, filtered by team, user and since',
    async () => {
      const [all, alice, recent, sinceDate] = await Promise.all([
        cli(['--json']),
        cli(['--json', '--team', TEAM, '--user', ALICE]),
        cli(['--json', '--since', '2d']),
        cli(['--json', '--since', new Date(now - 90 * 60_000).toISOString()]),
      ]);
      for (const r of [all, alice, recent, sinceDate]) expect(r).toMatchObject({ code: 0, stderr: '' });
      const parsed = JSON.parse(all.stdout) as { ok: boolean; count: number; entries: Record<string, unknown>[] };
      expect(parsed).toMatchObject({ ok: true, count: 3 });
      expect(parsed.entries).toEqual([
        { at: at(HOUR / 2).toISOString(), teamId: 'T2', actorId: ME, targetId: ME, action: 'screenshot', outcome: 'refused', errorClass: 'NotRegistered' },
        { at: at(HOUR).toISOString(), teamId: TEAM, actorId: BOB, targetId: BOB, action: 'test_ring', outcome: 'ok', detail: '1 of 1 ring' },
        { at: at(3 * 24 * HOUR).toISOString(), teamId: TEAM, actorId: ME, targetId: ALICE, action: 'rescue', outcome: 'ok', detail: '3 of 3 rings' },
      ]);
      const actions = (r: { stdout: string }) => (JSON.parse(r.stdout) as { entries: { action: string }[] }).entries.map((e) => e.action);
      expect(actions(alice)).toEqual(['rescue']);
      expect(actions(recent)).toEqual(['screenshot', 'test_ring']);
      expect(actions(sinceDate)).toEqual(['screenshot', 'test_ring']);
    },
    SLOW,
  );

  it(
    'prints a table for people, says when the limit cut the list, and when nothing matches',
    async () => {
      const [limited, none, empty] = await Promise.all([cli(['--limit', '1']), cli(['--user', 'U0NOBODY']), cli([], emptyDir)]);
      expect(limited.code).toBe(0);
      const lines = limited.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^TIME \(UTC\)\s+TEAM\s+WHO\s+PHONE OF\s+ACTION\s+OUTCOME\s+ERROR\s+DETAIL$/);
      expect(lines[1]).toMatch(new RegExp(`^${at(HOUR / 2).toISOString().slice(0, 19)}Z\\s+T2\\s+${ME}\\s+${ME}\\s+screenshot\\s+refused\\s+NotRegistered$`));
      expect(lines[2]).toBe('1 entry, newest first (limit reached; use --limit or --since to see more).');
      expect(lines).toHaveLength(3);
      expect(none).toMatchObject({ code: 0, stdout: 'No audit entries match.\n' });
      expect(empty).toMatchObject({ code: 0, stdout: 'No audit entries match.\n' });
    },
    SLOW,
  );

  it(
    'bad options are usage errors (exit 2) that say what is expected',
    async () => {
      const [since, user, limit] = await Promise.all([cli(['--since', 'yesterday']), cli(['--user', 'bob']), cli(['--limit', '0'])]);
      expect(since.code).toBe(2);
      expect(since.stderr).toContain('--since takes a duration like 30m, 12h, 7d or 2w, or a date like 2026-11-01.');
      expect(user.code).toBe(2);
      expect(user.stderr).toContain('"bob" is not a Slack user id');
      expect(limit.code).toBe(2);
      expect(limit.stderr).toContain('--limit must be a whole number from 1 to 10000.');
    },
    SLOW,
  );
});
