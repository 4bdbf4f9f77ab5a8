/**
 * The contract every engine's operational state passes (audit log, rate limits, scheduled rescues,
 * tone list). An engine's test file calls `describeStateContract('sqlite', makeHarness)`; the
 * Postgres engine runs the same suite. Times are given explicitly: nothing here sleeps or times.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, RateRule, Store } from '../../src/store/state-types.js';
import { StoreInputInvalid } from '../../src/store/errors.js';

export interface StateHarness {
  /** A full store over the harness's storage (the same storage on every call: several may be open at once). */
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const T0 = new Date('2026-03-02T09:00:00.000Z').getTime();
const at = (ms: number): Date => new Date(T0 + ms);

function entry(ms: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return { at: at(ms), teamId: 'T1', actorId: 'U1', targetId: 'U2', action: 'rescue', outcome: 'ok', ...extra };
}

export function describeStateContract(engineName: string, makeHarness: () => Promise<StateHarness>): void {
  describe(`Store state contract: ${engineName}`, () => {
    let h: StateHarness;
    const opened: Store[] = [];
    const open = async (): Promise<Store> => {
      const s = await h.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await h.cleanup();
    });

    it('opens every part on the named engine', async () => {
      const s = await open();
      expect(s.engine).toBe(engineName);
      expect((s.directory as { engine?: string }).engine).toBe(engineName);
      await s.directory.put({ teamId: 'T1', userId: 'U1', address: 'phone-1' });
      await s.audit.record(entry(0));
      expect(await s.directory.count()).toBe(1);
    });

    describe('audit log', () => {
      it('gives entries back newest first, every field intact', async () => {
        const s = await open();
        await s.audit.record(entry(1_000, { outcome: 'failed', errorClass: 'PhoneAuthFailed', detail: '0 of 3 rings' }));
        await s.audit.record(entry(3_000, { action: 'screenshot', targetId: undefined, actorId: 'U3' }));
        await s.audit.record(entry(2_000, { action: 'test_ring' }));
        const all = await s.audit.query({});
        expect(all.map((e) => e.at.getTime() - T0)).toEqual([3_000, 2_000, 1_000]);
        expect(all[2]).toEqual(entry(1_000, { outcome: 'failed', errorClass: 'PhoneAuthFailed', detail: '0 of 3 rings' }));
        expect(all[0]).toEqual({ at: at(3_000), teamId: 'T1', actorId: 'U3', action: 'screenshot', outcome: 'ok' });
        expect(Object.keys(all[0] as object)).not.toContain('targetId');
      });

      it('filters by team, by user as actor or target, by time, and caps the count', async () => {
        const s = await open();
        await s.audit.record(entry(1, { actorId: 'UA', targetId: 'UB' }));
        await s.audit.record(entry(2, { actorId: 'UB', targetId: 'UC' }));
        await s.audit.record(entry(3, { actorId: 'UC', targetId: 'UD' }));
        await s.audit.record(entry(4, { teamId: 'T2', actorId: 'UB', targetId: 'UB' }));
        const ms = (list: AuditEntry[]) => list.map((e) => e.at.getTime() - T0);
        expect(ms(await s.audit.query({ userId: 'UB' }))).toEqual([4, 2, 1]);
        expect(ms(await s.audit.query({ teamId: 'T1', userId: 'UB' }))).toEqual([2, 1]);
        expect(ms(await s.audit.query({ teamId: 'T2' }))).toEqual([4]);
        expect(ms(await s.audit.query({ since: at(2) }))).toEqual([4, 3, 2]);
        expect(ms(await s.audit.query({ limit: 2 }))).toEqual([4, 3]);
        expect(await s.audit.query({ userId: 'nobody' })).toEqual([]);
      });

      it('prunes entries older than the cut-off and says how many', async () => {
        const s = await open();
        for (const ms of [0, 10, 20, 30]) await s.audit.record(entry(ms));
        expect(await s.audit.prune(at(20))).toBe(2);
        expect((await s.audit.query({})).map((e) => e.at.getTime() - T0)).toEqual([30, 20]);
        expect(await s.audit.prune(at(20))).toBe(0);
      });

      it('refuses an entry without a team or actor', async () => {
        const s = await open();
        await expect(s.audit.record(entry(0, { teamId: '' }))).rejects.toBeInstanceOf(StoreInputInvalid);
        await expect(s.audit.record(entry(0, { actorId: ' ' }))).rejects.toBeInstanceOf(StoreInputInvalid);
        expect(await s.audit.query({})).toEqual([]);
      });
    });

    describe('rate limits', () => {
      const perTarget: RateRule = { bucket: 'target:T1:U2:hour', windowMs: 10_000, max: 3 };

      it('allows up to max inside the window, then refuses with the time until the oldest hit leaves it', async () => {
        const s = await open();
        expect(await s.limits.take([perTarget], at(0))).toEqual({ ok: true });
        expect(await s.limits.take([perTarget], at(1_000))).toEqual({ ok: true });
        expect(await s.limits.take([perTarget], at(2_000))).toEqual({ ok: true });
        expect(await s.limits.take([perTarget], at(3_000))).toEqual({ ok: false, bucket: perTarget.bucket, retryAfterMs: 7_000 });
        expect(await s.limits.take([perTarget], at(9_999))).toEqual({ ok: false, bucket: perTarget.bucket, retryAfterMs: 1 });
        // At exactly window end the first hit has left; the refusals above recorded nothing.
        expect(await s.limits.take([perTarget], at(10_000))).toEqual({ ok: true });
        expect(await s.limits.take([perTarget], at(10_500))).toEqual({ ok: false, bucket: perTarget.bucket, retryAfterMs: 500 });
      });

      it('a cooldown (max 1) refuses until the window has passed', async () => {
        const s = await open();
        const cooldown: RateRule = { bucket: 'target:T1:U2:cooldown', windowMs: 120_000, max: 1 };
        expect(await s.limits.take([cooldown], at(0))).toEqual({ ok: true });
        expect(await s.limits.take([cooldown], at(80_000))).toEqual({ ok: false, bucket: cooldown.bucket, retryAfterMs: 40_000 });
        expect(await s.limits.take([cooldown], at(120_000))).toEqual({ ok: true });
      });

      it('refuses with the first full bucket and then records nothing in any bucket', async () => {
        const s = await open();
        const requester: RateRule = { bucket: 'requester:T1:U1:minute', windowMs: 60_000, max: 5 };
        const cooldown: RateRule = { bucket: 'target:T1:U2:cooldown', windowMs: 60_000, max: 1 };
        expect(await s.limits.take([requester, cooldown], at(0))).toEqual({ ok: true });
        for (let i = 1; i <= 3; i++) expect(await s.limits.take([requester, cooldown], at(i))).toEqual({ ok: false, bucket: cooldown.bucket, retryAfterMs: 60_000 - i });
        // The requester bucket holds only the first hit: four more are allowed, not one.
        for (let i = 0; i < 4; i++) expect(await s.limits.take([requester], at(10 + i))).toEqual({ ok: true });
        expect(await s.limits.take([requester], at(20))).toMatchObject({ ok: false, bucket: requester.bucket });
        // Buckets are independent.
        expect(await s.limits.take([{ ...cooldown, bucket: 'target:T1:U3:cooldown' }], at(21))).toEqual({ ok: true });
      });

      it('is atomic under concurrency: 20 parallel takes with max 5 allow exactly 5', async () => {
        const stores = [await open(), await open(), await open(), await open()];
        const rule: RateRule = { bucket: 'requester:T1:U1:minute', windowMs: 60_000, max: 5 };
        const decisions = await Promise.all(Array.from({ length: 20 }, (_, i) => (stores[i % stores.length] as Store).limits.take([rule], at(i))));
        expect(decisions.filter((d) => d.ok)).toHaveLength(5);
        expect(decisions.filter((d) => !d.ok)).toHaveLength(15);
        expect(await (stores[0] as Store).limits.take([rule], at(30))).toMatchObject({ ok: false });
      });

      it('prunes old hits', async () => {
        const s = await open();
        const rule: RateRule = { bucket: 'b', windowMs: 1_000_000, max: 2 };
        await s.limits.take([rule], at(0));
        await s.limits.take([rule], at(100));
        expect(await s.limits.prune(at(50))).toBe(1);
        expect(await s.limits.take([rule], at(200))).toEqual({ ok: true });
        expect(await s.limits.take([rule], at(300))).toMatchObject({ ok: false });
      });

      it('refuses a rule that could never allow anything', async () => {
        const s = await open();
        await expect(s.limits.take([{ bucket: 'b', windowMs: 1_000, max: 0 }], at(0))).rejects.toThrow(/at least 1/);
      });
    });

    describe('scheduled rescues', () => {
      const plan = (requesterId: string, targetId: string, dueMs: number) => ({ teamId: 'T1', requesterId, targetId, dueAt: at(dueMs) });

      it('adds entries and lists pending ones soonest first, filtered by requester or target', async () => {
        const s = await open();
        const a = await s.schedules.add({ ...plan('U1', 'U2', 5_000), coverStory: 'Facilities: your car is blocking the gate', replyTo: 'D123' });
        const b = await s.schedules.add(plan('U1', 'U1', 1_000));
        const c = await s.schedules.add(plan('U3', 'U2', 3_000));
        expect(a).toMatchObject({ status: 'pending', teamId: 'T1', requesterId: 'U1', targetId: 'U2', dueAt: at(5_000), coverStory: 'Facilities: your car is blocking the gate', replyTo: 'D123' });
        expect(a.id).not.toBe(b.id);
        expect(a.createdAt).toBeInstanceOf(Date);
        expect((await s.schedules.pending({})).map((e) => e.id)).toEqual([b.id, c.id, a.id]);
        expect((await s.schedules.pending({ requesterId: 'U1' })).map((e) => e.id)).toEqual([b.id, a.id]);
        expect((await s.schedules.pending({ targetId: 'U2' })).map((e) => e.id)).toEqual([c.id, a.id]);
        expect(await s.schedules.pending({ teamId: 'T2' })).toEqual([]);
        const again = await (await open()).schedules.pending({ requesterId: 'U1', targetId: 'U2' });
        expect(again).toEqual([a]);
      });

      it('cancels only for the requester, once', async () => {
        const s = await open();
        const a = await s.schedules.add(plan('U1', 'U2', 5_000));
        expect(await s.schedules.cancel('T1', 'U2', a.id)).toBe(false);
        expect(await s.schedules.cancel('T2', 'U1', a.id)).toBe(false);
        expect(await s.schedules.cancel('T1', 'U1', 'no-such-id')).toBe(false);
        expect(await s.schedules.cancel('T1', 'U1', a.id)).toBe(true);
        expect(await s.schedules.cancel('T1', 'U1', a.id)).toBe(false);
        expect(await s.schedules.pending({})).toEqual([]);
        expect(await s.schedules.claimDue(at(10_000), 120_000, 10)).toEqual([]);
      });

      it('claims due entries once: fired when on time, missed when too late, future ones left', async () => {
        const s = await open();
        const late = await s.schedules.add(plan('U1', 'U2', -200_000));
        const onTime = await s.schedules.add(plan('U1', 'U2', -1_000));
        const edge = await s.schedules.add(plan('U1', 'U3', -120_000));
        const future = await s.schedules.add(plan('U1', 'U2', 1_000));
        const claimed = await s.schedules.claimDue(at(0), 120_000, 10);
        expect(claimed.map((e) => [e.id, e.status])).toEqual([
          [late.id, 'missed'],
          [edge.id, 'fired'],
          [onTime.id, 'fired'],
        ]);
        expect(claimed[2]).toEqual({ ...onTime, status: 'fired' });
        expect(await s.schedules.claimDue(at(0), 120_000, 10)).toEqual([]);
        expect((await s.schedules.pending({})).map((e) => e.id)).toEqual([future.id]);
        expect(await s.schedules.cancel('T1', 'U1', onTime.id)).toBe(false);
        expect((await s.schedules.claimDue(at(1_000), 120_000, 10)).map((e) => e.id)).toEqual([future.id]);
      });

      it('claims at most `limit` entries, soonest first', async () => {
        const s = await open();
        const ids = [];
        for (let i = 0; i < 5; i++) ids.push((await s.schedules.add(plan('U1', 'U2', -5_000 + i))).id);
        expect((await s.schedules.claimDue(at(0), 120_000, 2)).map((e) => e.id)).toEqual(ids.slice(0, 2));
        expect((await s.schedules.claimDue(at(0), 120_000, 2)).map((e) => e.id)).toEqual(ids.slice(2, 4));
        expect((await s.schedules.claimDue(at(0), 120_000, 2)).map((e) => e.id)).toEqual(ids.slice(4));
      });

      it('gives each due entry to exactly one of several concurrent claimers', async () => {
        const first = await open();
        const added = new Set<string>();
        for (let i = 0; i < 50; i++) added.add((await first.schedules.add(plan(`U${i % 7}`, 'U2', -i))).id);
        const claimers = [first, await open(), await open(), await open(), await open()];
        const claimedBy = await Promise.all(
          claimers.map(async (s) => {
            const mine: string[] = [];
            for (;;) {
              const got = await s.schedules.claimDue(at(0), 120_000, 3);
              if (got.length === 0) return mine;
              mine.push(...got.map((e) => e.id));
            }
          }),
        );
        const all = claimedBy.flat();
        expect(all).toHaveLength(50);
        expect(new Set(all)).toEqual(added);
      });

      it('leased claims: held while the lease lives, claimed again when it runs out, final once settled', async () => {
        const s = await open();
        const claim = s.schedules.claimDueLeased!.bind(s.schedules);
        const settle = s.schedules.settle!.bind(s.schedules);
        const onTime = await s.schedules.add(plan('U1', 'U2', -1_000));
        const late = await s.schedules.add(plan('U1', 'U3', -200_000));
        const got = await claim(at(0), 120_000, 10, 30_000);
        expect(got.map((e) => [e.id, e.status])).toEqual([
          [late.id, 'missed'],
          [onTime.id, 'fired'],
        ]);
        // Held: nobody else gets them, neither leased nor final claimers, and they cannot be cancelled.
        expect(await claim(at(10_000), 120_000, 10, 30_000)).toEqual([]);
        expect(await s.schedules.claimDue(at(10_000), 120_000, 10)).toEqual([]);
        expect((await s.schedules.pending({})).map((e) => e.id)).toEqual([late.id, onTime.id]);
        // The runner settles one and dies holding the other: its lease runs out, another runner gets it.
        expect(await settle(late.id, 'missed')).toBe(true);
        expect(await settle(late.id, 'missed')).toBe(false);
        expect(got.map((e) => e.takenOver)).toEqual([undefined, undefined]);
        const again = await (await open()).schedules.claimDueLeased!(at(30_001), 120_000, 10, 30_000);
        expect(again.map((e) => [e.id, e.status, e.takenOver])).toEqual([[onTime.id, 'fired', true]]);
        expect(await settle(onTime.id, 'fired')).toBe(true);
        expect(await s.schedules.pending({})).toEqual([]);
        expect(await claim(at(100_000), 120_000, 10, 30_000)).toEqual([]);
      });

      it('a runner still firing an entry renews its lease: nobody takes it over while renewed', async () => {
        const s = await open();
        const held = await s.schedules.add(plan('U1', 'U2', -1_000));
        const other = await s.schedules.add(plan('U1', 'U3', -500));
        expect((await s.schedules.claimDueLeased!(at(0), 120_000, 10, 30_000)).map((e) => e.id)).toEqual([held.id, other.id]);
        await s.schedules.renew!([held.id], at(25_000), 30_000);
        // At 40 s only the entry whose lease was not renewed is up for grabs (and it comes back taken over).
        const second = await (await open()).schedules.claimDueLeased!(at(40_000), 120_000, 10, 30_000);
        expect(second.map((e) => [e.id, e.takenOver])).toEqual([[other.id, true]]);
        await s.schedules.renew!([held.id], at(50_000), 30_000);
        expect(await (await open()).schedules.claimDueLeased!(at(70_000), 120_000, 10, 30_000)).toEqual([]);
        // Renewing settled or unknown entries changes nothing.
        expect(await s.schedules.settle!(held.id, 'fired')).toBe(true);
        await s.schedules.renew!([held.id, 'no-such-id'], at(80_000), 30_000);
        expect((await s.schedules.pending({})).map((e) => e.id)).toEqual([other.id]);
      });

      it('a leased entry cannot be cancelled while it is being fired; a settled one is gone', async () => {
        const s = await open();
        const e = await s.schedules.add({ teamId: 'T1', requesterId: 'U1', targetId: 'U2', dueAt: new Date(Date.now() - 1_000) });
        const [claimed] = await s.schedules.claimDueLeased!(new Date(), 120_000, 10, 60_000);
        expect(claimed?.id).toBe(e.id);
        expect(await s.schedules.cancel('T1', 'U1', e.id)).toBe(false);
        expect(await s.schedules.settle!(e.id, 'fired')).toBe(true);
        expect(await s.schedules.cancel('T1', 'U1', e.id)).toBe(false);
      });

      it('gives each due entry to exactly one of several concurrent leased claimers', async () => {
        const first = await open();
        const added = new Set<string>();
        for (let i = 0; i < 30; i++) added.add((await first.schedules.add(plan(`U${i % 7}`, 'U2', -i))).id);
        const claimers = [first, await open(), await open(), await open()];
        const claimedBy = await Promise.all(
          claimers.map(async (s) => {
            const mine: string[] = [];
            for (;;) {
              const got = await s.schedules.claimDueLeased!(at(0), 120_000, 2, 60_000);
              if (got.length === 0) return mine;
              mine.push(...got.map((e) => e.id));
            }
          }),
        );
        expect(claimedBy.flat()).toHaveLength(30);
        expect(new Set(claimedBy.flat())).toEqual(added);
      });

      it('refuses an entry without its people or with an invalid time', async () => {
        const s = await open();
        await expect(s.schedules.add(plan('', 'U2', 0))).rejects.toBeInstanceOf(StoreInputInvalid);
        await expect(s.schedules.add({ ...plan('U1', 'U2', 0), dueAt: new Date(Number.NaN) })).rejects.toBeInstanceOf(StoreInputInvalid);
        expect(await s.schedules.pending({})).toEqual([]);
      });
    });

    describe('tone list', () => {
      it('is undefined until imported, then holds exactly the last list', async () => {
        const s = await open();
        expect(await s.tones.get()).toBeUndefined();
        await s.tones.set(['Classic1.raw', 'Chime.raw']);
        expect(await s.tones.get()).toEqual(['Classic1.raw', 'Chime.raw']);
        await s.tones.set(['Vibe.raw']);
        expect(await (await open()).tones.get()).toEqual(['Vibe.raw']);
      });
    });
  });
}
