/** Registering over a registration that no longer opens (its key left the keyring): the way back. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EVERY_FIELD, registerPhone, saveRegistration, startRescue, takeScreenshot } from '../../src/rescue/index.js';
import { Keyring } from '../../src/store/keyring.js';
import { makeKey, ME, PHONE_PASSWORD, startWorld, TEAM, type World, USE_CASES } from '../support/world.js';

const dirs: string[] = [];
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('register over an unreadable row', () => {
  it('a registration sealed with a key no longer in the keyring is replaced by registering again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-unreadable-'));
    dirs.push(dir);
    const before = await startWorld({ ...USE_CASES, dataDir: dir, keyring: new Keyring([makeKey('old')], 'old') });
    const phone = await before.phone();
    await before.register(ME, phone);
    await before.close();

    // The old key is gone (lost, or removed too early after a rotation).
    world = await startWorld({ ...USE_CASES, dataDir: dir, keyring: new Keyring([makeKey('new')], 'new') });
    const w = world;
    const again = await w.phone();
    await expect(w.rescue.directory.get({ teamId: TEAM, userId: ME })).rejects.toMatchObject({ code: 'StoreKeyMissing' });
    // Using it fails with the way back in the hint (the key detail goes to the log), and is audited...
    await expect(takeScreenshot(w.rescue, { teamId: TEAM, userId: ME })).rejects.toMatchObject({
      code: 'RegistrationUnreadable',
      hint: expect.stringContaining('Run /phone and save your settings again, including your phone password'),
    });
    await expect(startRescue(w.rescue, { teamId: TEAM, requesterId: 'U0BOB', targetId: ME })).rejects.toMatchObject({
      code: 'RegistrationUnreadable',
      hint: '<@U0ME>’s saved phone settings can no longer be read, so rescue-ring cannot ring their phone. They need to save their settings again in /phone.',
    });
    expect(w.logs.text()).toContain('STORE_KEYS');

    // ...until the user registers again: the password must be given (nothing old can be kept).
    await expect(registerPhone(w.rescue, { teamId: TEAM, userId: ME, address: again.url, username: again.username })).rejects.toMatchObject({
      code: 'InvalidSettings',
      fields: { password: expect.stringContaining('needed the first time') },
    });
    const saved = await registerPhone(w.rescue, { teamId: TEAM, userId: ME, address: again.url, username: again.username, password: PHONE_PASSWORD });
    expect(saved.address).toBe(again.url);
    expect((await w.rescue.directory.get({ teamId: TEAM, userId: ME }))?.address).toBe(again.url);
    expect((await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME })).done).ok).toBe(true);
    expect(again.played).toHaveLength(1);

    const entries = (await w.store.audit.query({ teamId: TEAM, userId: ME })).reverse();
    expect(entries.map((e) => [e.action, e.outcome, e.errorClass ?? '-', e.detail ?? '-'])).toEqual([
      ['register', 'ok', '-', 'new'], // from before the key was lost
      ['screenshot', 'failed', 'RegistrationUnreadable', '-'],
      ['rescue', 'failed', 'RegistrationUnreadable', '-'],
      ['register', 'refused', 'InvalidSettings', 'invalid: password'],
      ['register', 'ok', '-', 'replaced an unreadable registration'],
      ['rescue', 'ok', '-', '1 of 1 ring'],
    ]);
    expect(w.logs.text()).toContain('replacing a registration that no longer opens');
  });
});

describe('two saves of one registration at once', () => {
  it('neither change is lost: the save whose read went stale reads again and merges its change over the other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-concurrent-'));
    dirs.push(dir);
    world = await startWorld({ ...USE_CASES, dataDir: dir });
    const w = world;
    const phone = await w.phone();
    await w.register(ME, phone);
    const key = { teamId: TEAM, userId: ME };
    // An administrator's save lands between this save's read and its write (once): it makes the phone "only me".
    let raced = false;
    const directory = Object.create(w.rescue.directory) as typeof w.rescue.directory;
    directory.put = async (input, options) => {
      if (!raced) {
        raced = true;
        const current = await w.rescue.directory.get(key);
        await new Promise((r) => setTimeout(r, 5));
        await w.rescue.directory.put({ ...current!, permission: 'only_me' });
      }
      return w.rescue.directory.put(input, options);
    };
    // The command line changes only the rings (every other field kept), on the same real store.
    const saved = await saveRegistration({ ...w.rescue, directory }, { ...key, address: phone.url, rings: 5 }, { actorId: 'cli', keep: EVERY_FIELD });
    expect(raced).toBe(true);
    expect(saved.registration).toMatchObject({ rings: 5, permission: 'only_me' });
    expect(await w.rescue.directory.get(key)).toMatchObject({ rings: 5, permission: 'only_me', password: PHONE_PASSWORD });
    expect(w.logs.text()).toContain('registration saved meanwhile by someone else; merging again');
  });
});
