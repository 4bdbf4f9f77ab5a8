/**
 * The contract every PhoneDirectory engine passes. An engine's test file calls
 * `describeDirectoryContract('sqlite', makeHarness)`; the Postgres engine runs the same suite.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Keyring, type KeyEntry } from '../../src/store/keyring.js';
import { StoreInputInvalid, StoreKeyInvalid, StoreKeyMissing, StoreRowUnreadable, StoreWriteConflict } from '../../src/store/errors.js';
import type { PhoneDirectory, RegistrationInput, UserKey } from '../../src/store/types.js';

/** Engine-specific access a contract test needs to play the attacker or the crash. */
export interface ContractHarness {
  /** A directory over the harness's storage (the same storage on every call) with this keyring. */
  open(keyring: Keyring): Promise<PhoneDirectory>;
  /** Re-assigns a stored row to another owner, bypassing the directory (a copied row). */
  moveRow(from: UserKey, to: UserKey): Promise<void>;
  /** Flips every bit of one byte of a row's sealed bytes. */
  flipSealedByte(key: UserKey, offset: number): Promise<void>;
  /** The raw key id and sealed bytes of a row. */
  raw(key: UserKey): Promise<{ keyId: string; sealed: Buffer } | undefined>;
  /** Key ids of every stored row. */
  rawKeyIds(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export const SECRET = 'Pa55-SECRET-xyz';

export function makeKey(id: string): KeyEntry {
  return { id, key: randomBytes(32) };
}

export function registration(userId: string, extra: Partial<RegistrationInput> = {}): RegistrationInput {
  return { teamId: 'T1', userId, address: `10.9.8.${userId.length}:8080`, username: `svc-${userId}`, password: SECRET, ...extra };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

export function describeDirectoryContract(engineName: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`PhoneDirectory contract: ${engineName}`, () => {
    let h: ContractHarness;
    const k1 = makeKey('k1');
    const k2 = makeKey('k2');
    const ring1 = new Keyring([k1], 'k1');
    const open: PhoneDirectory[] = [];
    const use = async (keyring: Keyring): Promise<PhoneDirectory> => {
      const d = await h.open(keyring);
      open.push(d);
      return d;
    };

    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      for (const d of open.splice(0)) await d.close();
      await h.cleanup();
    });

    it('stores a registration and gives it back whole, secrets included', async () => {
      const d = await use(ring1);
      const tls = { mode: 'pin' as const, sha256: 'AB:CD' };
      const put = await d.put(registration('U1', { tls, tone: 'Chime.raw', rings: 4, intervalSeconds: 2.5, permission: 'buddies', buddies: ['U2', 'U2', 'U3'] }));
      const got = await d.get({ teamId: 'T1', userId: 'U1' });
      expect(got).toEqual(put);
      expect(got).toMatchObject({ address: '10.9.8.2:8080', username: 'svc-U1', password: SECRET, tls, tone: 'Chime.raw', rings: 4, intervalSeconds: 2.5, permission: 'buddies', buddies: ['U2', 'U3'] });
      expect(got?.createdAt).toBeInstanceOf(Date);
      expect(await d.get({ teamId: 'T1', userId: 'nobody' })).toBeUndefined();
      expect(await d.get({ teamId: 'T2', userId: 'U1' })).toBeUndefined();
    });

    it('keeps the default cover story sealed with the record, and drops it when a later save leaves it out', async () => {
      const d = await use(ring1);
      const story = 'Facilities: your car is blocking the gate & the <loading bay>';
      const put = await d.put(registration('U1', { coverStory: story }));
      expect(put.coverStory).toBe(story);
      expect((await d.get({ teamId: 'T1', userId: 'U1' }))?.coverStory).toBe(story);
      const listed = await d.list({ teamId: 'T1' });
      expect(listed.rows[0]?.coverStory).toBe(story);
      const raw = await h.raw({ teamId: 'T1', userId: 'U1' });
      expect(raw?.sealed.includes(Buffer.from('blocking the gate'))).toBe(false);
      // An operator tool updating the phone (keepSecrets) keeps the person's story ...
      await d.put({ teamId: 'T1', userId: 'U1', address: 'phone-2' }, { keepSecrets: true });
      expect((await d.get({ teamId: 'T1', userId: 'U1' }))?.coverStory).toBe(story);
      // ... a plain replace does not.
      await d.put(registration('U1'));
      expect((await d.get({ teamId: 'T1', userId: 'U1' }))?.coverStory).toBeUndefined();
      const err = await rejection(d.put(registration('U2', { coverStory: '   ' })));
      expect(err).toBeInstanceOf(StoreInputInvalid);
      expect((err as StoreInputInvalid).message).toMatch(/cover story/);
    });

    it('keeps how a phone was found (source) sealed with the record; absent reads as typed by hand', async () => {
      const d = await use(ring1);
      expect((await d.put(registration('U1', { address: 'SEP001122AABBCC', source: 'callmanager-unconfirmed' }))).source).toBe('callmanager-unconfirmed');
      expect((await d.get({ teamId: 'T1', userId: 'U1' }))?.source).toBe('callmanager-unconfirmed');
      expect((await d.list({ teamId: 'T1' })).rows[0]?.source).toBe('callmanager-unconfirmed');
      await d.put(registration('U1', { source: 'manual' }));
      expect((await d.get({ teamId: 'T1', userId: 'U1' }))?.source).toBeUndefined();
      const err = await rejection(d.put(registration('U2', { source: 'guessed' as never })));
      expect(err).toBeInstanceOf(StoreInputInvalid);
    });

    it('leaves unset settings to the organisation defaults', async () => {
      const d = await use(ring1);
      await d.put({ teamId: 'T1', userId: 'U1', address: 'phone-1' });
      const got = await d.get({ teamId: 'T1', userId: 'U1' });
      expect(got).toBeDefined();
      for (const field of ['username', 'password', 'tls', 'tone', 'rings', 'intervalSeconds'] as const) expect(got?.[field]).toBeUndefined();
      expect(got?.permission).toBe('anyone');
      expect(got?.buddies).toEqual([]);
    });

    it('replaces a registration, keeping its creation time', async () => {
      const d = await use(ring1);
      const first = await d.put(registration('U1'));
      await new Promise((r) => setTimeout(r, 5));
      await d.put(registration('U1', { address: 'phone-2', password: undefined, username: undefined }));
      const got = await d.get({ teamId: 'T1', userId: 'U1' });
      expect(got?.address).toBe('phone-2');
      expect(got?.password).toBeUndefined();
      expect(got?.createdAt.getTime()).toBe(first.createdAt.getTime());
      expect(got?.updatedAt.getTime()).toBeGreaterThan(first.createdAt.getTime());
      expect(await d.count()).toBe(1);
    });

    it('keeps the stored username and password on update when asked to', async () => {
      const d = await use(ring1);
      await d.put(registration('U1'));
      await d.put({ teamId: 'T1', userId: 'U1', address: 'phone-2', rings: 2 }, { keepSecrets: true });
      expect(await d.get({ teamId: 'T1', userId: 'U1' })).toMatchObject({ address: 'phone-2', username: 'svc-U1', password: SECRET, rings: 2 });
    });

    it('replaces a row that no longer opens, even when asked to keep its secrets', async () => {
      await (await use(new Keyring([makeKey('lost')], 'lost'))).put(registration('U1'));
      const d = await use(ring1);
      await d.put({ teamId: 'T1', userId: 'U1', address: 'phone-2' }, { keepSecrets: true });
      const got = await d.get({ teamId: 'T1', userId: 'U1' });
      expect(got).toMatchObject({ address: 'phone-2' });
      expect(got?.password).toBeUndefined();
    });

    it('stores many registrations all or nothing', async () => {
      const d = await use(ring1);
      const err = await rejection(d.putMany([registration('U1'), registration('U2', { rings: 11 }), registration('U3')]));
      expect(err).toBeInstanceOf(StoreInputInvalid);
      expect(String((err as Error).message)).toContain('U2');
      expect(String((err as Error).message)).not.toContain(SECRET);
      expect(await d.count()).toBe(0);
      const stored = await d.putMany([registration('U1'), registration('U2')]);
      expect(stored.map((r) => r.userId)).toEqual(['U1', 'U2']);
      expect(await d.count()).toBe(2);
    });

    it('writes a guarded registration only while the row is as it was read (compare-and-set on its update time)', async () => {
      const d = await use(ring1);
      const read = await d.put(registration('U1', { rings: 2 }));
      // Someone else saves in between: the write based on the first read is refused, and changes nothing.
      await new Promise((r) => setTimeout(r, 5));
      const meanwhile = await d.put(registration('U1', { rings: 3 }));
      const conflict = await rejection(d.put({ ...registration('U1', { rings: 4 }), ifUpdatedAt: read.updatedAt }));
      expect(conflict).toBeInstanceOf(StoreWriteConflict);
      expect(conflict).toMatchObject({ code: 'StoreWriteConflict', owners: [{ teamId: 'T1', userId: 'U1' }] });
      expect(String((conflict as Error).message)).not.toContain(SECRET);
      expect((await d.get({ teamId: 'T1', userId: 'U1' }))?.rings).toBe(3);
      // Based on the latest read it is written.
      expect((await d.put({ ...registration('U1', { rings: 4 }), ifUpdatedAt: meanwhile.updatedAt })).rings).toBe(4);
      // null: only if there is still no row. A batch with one stale guard stores nothing.
      expect(await rejection(d.put({ ...registration('U1'), ifUpdatedAt: null }))).toBeInstanceOf(StoreWriteConflict);
      expect(await rejection(d.putMany([{ ...registration('U2'), ifUpdatedAt: null }, { ...registration('U1'), ifUpdatedAt: read.updatedAt }]))).toMatchObject({ owners: [{ teamId: 'T1', userId: 'U1' }] });
      expect(await d.count()).toBe(1);
      await d.putMany([{ ...registration('U2'), ifUpdatedAt: null }]);
      expect(await d.count()).toBe(2);
      // A row removed since it was read is not brought back.
      const u2 = await d.get({ teamId: 'T1', userId: 'U2' });
      await d.remove({ teamId: 'T1', userId: 'U2' });
      expect(await rejection(d.put({ ...registration('U2'), ifUpdatedAt: u2?.updatedAt ?? null }))).toBeInstanceOf(StoreWriteConflict);
      expect(await d.count()).toBe(1);
    });

    it('refuses malformed input with a specific error', async () => {
      const d = await use(ring1);
      for (const bad of [
        registration('', {}),
        registration('U1', { teamId: '' }),
        registration('U1', { address: '  ' }),
        registration('U1', { rings: 0 }),
        registration('U1', { rings: 2.5 }),
        registration('U1', { intervalSeconds: 0 }),
        registration('U1', { permission: 'everyone' as never }),
        registration('U1', { buddies: ['has space'] }),
      ]) {
        expect(await rejection(d.put(bad))).toBeInstanceOf(StoreInputInvalid);
      }
      expect(await d.count()).toBe(0);
    });

    it('lists, counts and removes without ever showing a secret', async () => {
      const d = await use(ring1);
      await d.put(registration('U1'));
      await d.put({ teamId: 'T1', userId: 'U2', address: 'phone-2' });
      await d.put(registration('U3', { teamId: 'T2' }));
      const all = await d.list();
      expect(all.unreadable).toEqual([]);
      expect(all.rows.map((r) => `${r.teamId}/${r.userId}`)).toEqual(['T1/U1', 'T1/U2', 'T2/U3']);
      expect(JSON.stringify(all)).not.toContain(SECRET);
      expect(JSON.stringify(all)).not.toContain('svc-U1');
      expect(all.rows[0]).toMatchObject({ address: '10.9.8.2:8080', hasOwnUsername: true, hasOwnPassword: true });
      expect(all.rows[1]).toMatchObject({ hasOwnUsername: false, hasOwnPassword: false });
      expect((await d.list({ teamId: 'T2' })).rows.map((r) => r.userId)).toEqual(['U3']);
      expect(await d.teams()).toEqual(['T1', 'T2']);
      expect(await d.count()).toBe(3);
      expect(await d.remove({ teamId: 'T1', userId: 'U1' })).toBe(true);
      expect(await d.remove({ teamId: 'T1', userId: 'U1' })).toBe(false);
      expect(await d.count()).toBe(2);
    });

    it('seals every write with a fresh nonce under the current key id', async () => {
      const d = await use(ring1);
      await d.put(registration('U1'));
      const a = await h.raw({ teamId: 'T1', userId: 'U1' });
      await d.put(registration('U1'));
      const b = await h.raw({ teamId: 'T1', userId: 'U1' });
      expect(a?.keyId).toBe('k1');
      expect(a?.sealed.equals(b?.sealed ?? Buffer.alloc(0))).toBe(false);
      expect(a?.sealed.subarray(1, 13).equals(b?.sealed.subarray(1, 13) ?? Buffer.alloc(0))).toBe(false);
    });

    it('refuses to open a row moved onto another user, naming the owner and key', async () => {
      const d = await use(ring1);
      await d.put(registration('U1'));
      await d.put(registration('U2'));
      await h.moveRow({ teamId: 'T1', userId: 'U1' }, { teamId: 'T1', userId: 'U9' });
      const err = await rejection(d.get({ teamId: 'T1', userId: 'U9' }));
      expect(err).toBeInstanceOf(StoreRowUnreadable);
      expect(err).toMatchObject({ code: 'StoreRowUnreadable', teamId: 'T1', userId: 'U9', keyId: 'k1', reason: 'tampered' });
      expect((err as Error).message).toContain('U9');
      expect((err as Error).message).toContain('k1');
      expect((err as StoreRowUnreadable).hint).not.toBe('');
      const listed = await d.list();
      expect(listed.rows.map((r) => r.userId)).toEqual(['U2']);
      expect(listed.unreadable).toEqual([{ teamId: 'T1', userId: 'U9', keyId: 'k1', reason: 'tampered' }]);
      await h.moveRow({ teamId: 'T1', userId: 'U2' }, { teamId: 'T2', userId: 'U2' });
      expect(await rejection(d.get({ teamId: 'T2', userId: 'U2' }))).toMatchObject({ reason: 'tampered' });
    });

    it('refuses a row with any flipped byte', async () => {
      const d = await use(ring1);
      await d.put(registration('U1'));
      const length = (await h.raw({ teamId: 'T1', userId: 'U1' }))?.sealed.length ?? 0;
      // version byte, nonce, tag, first and last ciphertext byte
      for (const offset of [0, 1, 12, 13, 28, 29, length - 1]) {
        await d.put(registration('U1'));
        await h.flipSealedByte({ teamId: 'T1', userId: 'U1' }, offset);
        const err = await rejection(d.get({ teamId: 'T1', userId: 'U1' }));
        expect(err, `offset ${offset}`).toBeInstanceOf(StoreRowUnreadable);
        expect((err as StoreRowUnreadable).reason).toBe(offset === 0 ? 'corrupt' : 'tampered');
      }
    });

    it('names the missing key of a row it cannot open', async () => {
      await (await use(ring1)).put(registration('U1'));
      const d = await use(new Keyring([k2], 'k2'));
      const err = await rejection(d.get({ teamId: 'T1', userId: 'U1' }));
      expect(err).toBeInstanceOf(StoreKeyMissing);
      expect(err).toMatchObject({ code: 'StoreKeyMissing', keyId: 'k1', teamId: 'T1', userId: 'U1', reason: 'key-missing' });
      expect((err as Error).message).toMatch(/U1.*T1.*"k1"/);
      expect((err as StoreKeyMissing).hint).toContain('k1');
      expect((await d.list()).unreadable).toEqual([{ teamId: 'T1', userId: 'U1', keyId: 'k1', reason: 'key-missing' }]);
    });

    it('refuses to open with a different key under a known key id, naming the id', async () => {
      await (await use(ring1)).put(registration('U1'));
      const impostor = { id: 'k1', key: randomBytes(32) };
      const err = await rejection(h.open(new Keyring([impostor, k2], 'k2')));
      expect(err).toBeInstanceOf(StoreKeyInvalid);
      expect((err as Error).message).toContain('the key configured as "k1" is not the key this directory was sealed with');
      expect((err as Error).message).not.toContain(impostor.key.toString('base64'));
      // The right keys still open it.
      expect((await (await use(new Keyring([k1, k2], 'k2'))).get({ teamId: 'T1', userId: 'U1' }))?.password).toBe(SECRET);
    });

    it('rotates every row to the current key, after which the old key is not needed', async () => {
      const old = await use(ring1);
      await old.putMany(['U1', 'U2', 'U3', 'U4', 'U5'].map((u) => registration(u)));
      const both = await use(new Keyring([k1, k2], 'k2'));
      await both.put(registration('U6'));
      const report = await both.rekey({ batchSize: 2 });
      expect(report).toEqual({ reencrypted: 5, current: 1, failed: 0, failures: [] });
      expect(new Set(await h.rawKeyIds())).toEqual(new Set(['k2']));
      const onlyNew = await use(new Keyring([k2], 'k2'));
      const listed = await onlyNew.list();
      expect(listed.unreadable).toEqual([]);
      expect(listed.rows).toHaveLength(6);
      expect((await onlyNew.get({ teamId: 'T1', userId: 'U3' }))?.password).toBe(SECRET);
      expect(await both.rekey()).toEqual({ reencrypted: 0, current: 6, failed: 0, failures: [] });
    });

    it('finishes an interrupted rotation when run again', async () => {
      await (await use(ring1)).putMany(['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7'].map((u) => registration(u)));
      const both = await use(new Keyring([k1, k2], 'k2'));
      const err = await rejection(
        both.rekey({
          batchSize: 3,
          onBatch: () => {
            throw new Error('power cut');
          },
        }),
      );
      expect((err as Error).message).toBe('power cut');
      const midway = await h.rawKeyIds();
      expect(midway.filter((k) => k === 'k2')).toHaveLength(3);
      expect(midway.filter((k) => k === 'k1')).toHaveLength(4);
      const batches: number[] = [];
      const report = await both.rekey({ batchSize: 3, onBatch: (n) => batches.push(n) });
      expect(report).toMatchObject({ reencrypted: 4, current: 3, failed: 0 });
      expect(batches).toEqual([3, 4]);
      expect(new Set(await h.rawKeyIds())).toEqual(new Set(['k2']));
      expect((await (await use(new Keyring([k2], 'k2'))).list()).rows).toHaveLength(7);
    });

    it('rotation opens the rows already under the current key too, and names those that do not open', async () => {
      const d = await use(ring1);
      await d.putMany([registration('U1'), registration('U2'), registration('U3')]);
      await h.flipSealedByte({ teamId: 'T1', userId: 'U2' }, 20);
      expect(await d.rekey()).toEqual({ reencrypted: 0, current: 2, failed: 1, failures: [{ teamId: 'T1', userId: 'U2', keyId: 'k1', reason: 'tampered' }] });
    });

    it('rotation names the rows it cannot open and moves the rest', async () => {
      const k0 = makeKey('k0');
      await (await use(new Keyring([k0], 'k0'))).put(registration('U0'));
      await (await use(ring1)).putMany([registration('U1'), registration('U2')]);
      await h.flipSealedByte({ teamId: 'T1', userId: 'U2' }, 20);
      const report = await (await use(new Keyring([k1, k2], 'k2'))).rekey({ batchSize: 1 });
      expect(report.reencrypted).toBe(1);
      expect(report.failed).toBe(2);
      expect(report.failures).toEqual([
        { teamId: 'T1', userId: 'U0', keyId: 'k0', reason: 'key-missing' },
        { teamId: 'T1', userId: 'U2', keyId: 'k1', reason: 'tampered' },
      ]);
    });
  });
}
