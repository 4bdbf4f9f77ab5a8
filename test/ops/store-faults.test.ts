/**
 * Issue 5 "Faults", store side, through Bolt's real receiver on the bot's own SQLite connection:
 * the file turning read-only, the disk filling up, and one damaged row. Each gives the person a
 * message in office words and the operator a log line naming the cause; nothing crashes, and no
 * one else's registration is lost.
 *
 * How each fault is made real:
 * - Read-only: these tests may run as root, where chmod does not stop a write. SQLite's own switch
 *   (`PRAGMA query_only`) on the connection the bot uses makes every write fail with
 *   SQLITE_READONLY, the same error SQLite gives for a read-only file or volume.
 * - Disk full: `PRAGMA max_page_count` caps the file at its current size and a scratch table fills
 *   the free pages, so the next write that needs a page fails with SQLITE_FULL, as on a full disk.
 * - Damaged row: bytes flipped inside one user's sealed blob on disk.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRescue } from '../../src/rescue/index.js';
import { slackScheduleReporter } from '../../src/slack/flows/scheduled.js';
import { StoreUnavailable } from '../../src/store/errors.js';
import type { ScheduledRescue } from '../../src/store/state-types.js';
import { messageText } from '../support/fake-slack.js';
import { viewSubmission } from '../support/slack-requests.js';
import { ALICE, BOB, CAROL, dmOf, settingsForm, startWorld, TEAM, type World } from '../support/world.js';

let w: World;
beforeEach(async () => {
  w = await startWorld({ clock: 'system', slack: { users: [{ id: ALICE, name: 'alice' }, { id: BOB, name: 'bob' }, { id: CAROL, name: 'carol' }] }, responseTimeoutMs: 2_000, connectTimeoutMs: 1_000 });
});
afterEach(async () => {
  await w.close();
});

/** What a person may read: no file names, SQLite codes or operator settings. */
const OFFICE_WORDS = { not: /DATA_DIR|SQLITE|rescue-ring\.db|disk|\/tmp\//i };

async function reply(r: { responseId: string; text: string }, needle: RegExp): Promise<string> {
  if (needle.test(r.text)) return r.text;
  return messageText((await w.fake.waitForResponse(r.responseId, needle, 15_000)).params);
}

function ackJson(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

function operatorLines(code: string): Record<string, unknown>[] {
  return w.logs.lines().filter((l) => (l.level as number) >= 40 && JSON.stringify(l).includes(code));
}

async function registeredColleagues(): Promise<void> {
  for (const user of [ALICE, BOB]) await w.register(user, await w.phone());
}

async function everyoneStillRings(): Promise<void> {
  for (const user of [ALICE, BOB]) {
    const r = await w.command(user, '/rescue');
    await w.fake.waitForResponse(r.responseId, /rang twice/, 15_000);
  }
}

/**
 * Caps the file at its size, then fills the free pages (scratch table) and the free space left in
 * the registrations table's own pages (rows of another team), so the next new row needs a page the
 * "disk" does not have.
 */
function fillTheDisk(): void {
  w.db.exec('CREATE TABLE scratch_fill (b BLOB)');
  w.db.pragma(`max_page_count = ${Number(w.db.pragma('page_count', { simple: true }))}`);
  const scratch = w.db.prepare('INSERT INTO scratch_fill (b) VALUES (zeroblob(?))');
  let filler = 0;
  const registration = w.db.prepare("INSERT INTO phone_registrations (team_id, user_id, key_id, sealed, permission, buddies, created_at, updated_at) VALUES ('TFILL', ?, 'k1', zeroblob(?), 'anyone', '[]', 0, 0)");
  for (const insert of [(size: number) => scratch.run(size), (size: number) => registration.run(`U0FILL${filler++}`, size)]) {
    for (const size of [65_536, 4_096, 512, 64, 1]) {
      for (;;) {
        try {
          insert(size);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('SQLITE_FULL');
          break;
        }
      }
    }
  }
}

describe('store faults', () => {
  it('read-only database: saving and rescuing are refused in office words, the operator sees SQLITE_READONLY, all works again after', async () => {
    await registeredColleagues();
    const carols = await w.phone();
    w.db.pragma('query_only = ON');

    const save = await w.interact(viewSubmission(CAROL, 'phone_settings_modal', settingsForm({ address: carols.address, username: carols.username, password: carols.password })));
    expect(save.status).toBe(200);
    const errors = ackJson(save.text) as { response_action: string; errors: Record<string, string> };
    expect(errors.response_action).toBe('errors');
    const said = Object.values(errors.errors).join(' ');
    expect(said).toMatch(/not saved/);
    expect(said).not.toMatch(OFFICE_WORDS.not);

    const rescue = await w.command(ALICE, '/rescue');
    const text = await reply(rescue, /try again/i);
    expect(text).not.toMatch(OFFICE_WORDS.not);
    expect(operatorLines('SQLITE_READONLY').length).toBeGreaterThan(0);
    // Logged as the operator's problem by the Slack side itself, not as a user's refusal.
    expect(w.logs.lines().some((l) => l.msg === 'rescue could not start' && l.level === 50 && l.code === 'StoreUnavailable')).toBe(true);

    // A check that only reads still works while the file is read-only.
    const status = await w.command(BOB, '/phone', 'status');
    await w.fake.waitForResponse(status.responseId, /reachable/, 15_000);

    w.db.pragma('query_only = OFF');
    const again = await w.interact(viewSubmission(CAROL, 'phone_settings_modal', settingsForm({ address: carols.address, username: carols.username, password: carols.password })));
    expect(ackJson(again.text).response_action).toBe('update');
    await everyoneStillRings();
    expect(await w.rescue.directory.count()).toBe(3);
  });

  it('disk full: the new registration is refused in office words, the operator sees SQLITE_FULL, nobody else loses anything', async () => {
    await registeredColleagues();
    const carols = await w.phone();
    fillTheDisk();
    const save = await w.interact(viewSubmission(CAROL, 'phone_settings_modal', settingsForm({ address: carols.address, username: carols.username, password: carols.password })));
    const errors = ackJson(save.text) as { response_action: string; errors: Record<string, string> };
    expect(errors.response_action).toBe('errors');
    expect(Object.values(errors.errors).join(' ')).not.toMatch(OFFICE_WORDS.not);
    expect(operatorLines('SQLITE_FULL').length).toBeGreaterThan(0);

    // Reads go on: the colleagues' registrations are all there and open.
    expect((await w.rescue.directory.get({ teamId: TEAM, userId: ALICE }))?.address).toBeDefined();
    const status = await w.command(BOB, '/phone', 'status');
    await w.fake.waitForResponse(status.responseId, /reachable/, 15_000);

    // Space comes back (the operator freed the disk): everything works, nothing was lost.
    w.db.pragma('max_page_count = 1073741823');
    w.db.exec("DROP TABLE scratch_fill; DELETE FROM phone_registrations WHERE team_id = 'TFILL'");
    const again = await w.interact(viewSubmission(CAROL, 'phone_settings_modal', settingsForm({ address: carols.address, username: carols.username, password: carols.password })));
    expect(ackJson(again.text).response_action).toBe('update');
    await everyoneStillRings();
    expect(await w.rescue.directory.count()).toBe(3);
  });

  it('one damaged row: its owner is told to save again, a colleague is told why, everyone else rings, saving again repairs it', async () => {
    await registeredColleagues();
    const carols = await w.phone();
    await w.register(CAROL, carols);
    const row = w.db.prepare<[string, string], { sealed: Buffer }>('SELECT sealed FROM phone_registrations WHERE team_id = ? AND user_id = ?').get(TEAM, CAROL)!;
    for (let i = 16; i < 24; i++) row.sealed[i]! ^= 0xff;
    w.db.prepare('UPDATE phone_registrations SET sealed = ? WHERE team_id = ? AND user_id = ?').run(row.sealed, TEAM, CAROL);

    const own = await w.command(CAROL, '/rescue');
    expect(await reply(own, /save your settings again/)).not.toMatch(OFFICE_WORDS.not);
    const theirs = await w.command(ALICE, '/rescue', '<@U0CAROL|carol>');
    expect(await reply(theirs, /can no longer be read/)).toContain('<@U0CAROL>');
    expect(carols.played).toHaveLength(0);
    await everyoneStillRings();

    // The operator's listing names the damaged row and still lists the others.
    const listed = await w.rescue.directory.list({ teamId: TEAM });
    expect(listed.rows.map((r) => r.userId).sort()).toEqual([ALICE, BOB]);
    expect(listed.unreadable).toEqual([expect.objectContaining({ userId: CAROL, reason: 'tampered' })]);

    // App Home and the settings form still open for the owner (a blank form), and saving repairs it.
    await w.event({ type: 'app_home_opened', user: CAROL, channel: 'DCAROL', tab: 'home', event_ts: '1' });
    await w.fake.waitFor('views.publish', (c) => c.params.user_id === CAROL);
    const repaired = await w.interact(viewSubmission(CAROL, 'phone_settings_modal', settingsForm({ address: carols.address, username: carols.username, password: carols.password })));
    expect(ackJson(repaired.text).response_action).toBe('update');
    const after = await w.command(CAROL, '/rescue');
    await w.fake.waitForResponse(after.responseId, /rang twice/, 15_000);
  });

  it('a scheduled rescue that fires while the database is read-only: the requester is DMed in office words', async () => {
    await registeredColleagues();
    w.db.pragma('query_only = ON');
    const error = await startRescue(w.rescue, { teamId: TEAM, requesterId: ALICE }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(StoreUnavailable);
    const entry: ScheduledRescue = { id: 'sched-1', teamId: TEAM, requesterId: ALICE, targetId: ALICE, dueAt: new Date(), status: 'pending', createdAt: new Date() };
    await slackScheduleReporter(w.bot.app.client, { rescue: w.rescue, logger: w.rescue.logger }).refused(entry, error as StoreUnavailable);
    const dm = await w.fake.waitFor('chat.postMessage', (c) => c.params.channel === dmOf(ALICE));
    expect(messageText(dm.params)).toMatch(/try again/i);
    expect(messageText(dm.params)).not.toMatch(OFFICE_WORDS.not);
    w.db.pragma('query_only = OFF');
  });

  it('a damaged plain column (buddies) of one row does not take the others down', async () => {
    await registeredColleagues();
    await w.register(CAROL, await w.phone());
    w.db.prepare("UPDATE phone_registrations SET buddies = '[\"U0ALI' WHERE team_id = ? AND user_id = ?").run(TEAM, CAROL);

    await everyoneStillRings();
    const listed = await w.rescue.directory.list({ teamId: TEAM });
    expect(listed.rows.map((r) => r.userId).sort()).toEqual([ALICE, BOB]);
    expect(listed.unreadable.map((u) => u.userId)).toEqual([CAROL]);
    const own = await w.command(CAROL, '/rescue');
    expect(await reply(own, /save your settings again/)).not.toMatch(OFFICE_WORDS.not);
  });
});
