/**
 * Cooldowns and rate limits with their exact replies, on a controlled clock (no sleeping), through
 * the real SQLite rate limiter; and one rescue per phone at a time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimited, RescueInProgress, startRescue, formatWait } from '../../src/rescue/index.js';
import { ADMIN, ALICE, BOB, ME, attempt, startWorld, TEAM, type World, USE_CASES } from '../support/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Default limits: 1 per 120 s and 6 per hour per target, 5 per minute per requester. */
async function everyoneRegistered(env: Record<string, string> = {}): Promise<World> {
  const w = await startWorld({ ...USE_CASES, env });
  for (const user of [ME, ALICE, BOB, ADMIN]) await w.register(user, await w.phone({ name: user }));
  return w;
}

describe('formatWait', () => {
  it('rounds up, in seconds, minutes, then hours', () => {
    expect([formatWait(1), formatWait(40_000), formatWait(59_001), formatWait(60_000), formatWait(2_874_000), formatWait(3_600_000), formatWait(3_900_001)]).toEqual([
      '1 s',
      '40 s',
      '1 min',
      '1 min',
      '48 min',
      '1 h',
      '1 h 6 min',
    ]);
  });
});

describe('per target', () => {
  it('cooldown: one rescue per 2 minutes, whoever asks; the reply says when', async () => {
    world = await everyoneRegistered();
    expect((await attempt(world, { requesterId: BOB, targetId: ALICE })).result).toBe('ok');
    expect(await attempt(world, { requesterId: BOB, targetId: ALICE })).toEqual({
      result: 'RateLimited',
      hint: '<@U0ALICE>’s phone rang less than 2 min ago. You can rescue <@U0ALICE> again in 2 min.',
    });
    world.advance(80_000);
    expect(await attempt(world, { requesterId: ME, targetId: ALICE })).toEqual({
      result: 'RateLimited',
      hint: '<@U0ALICE>’s phone rang less than 2 min ago. You can rescue <@U0ALICE> again in 40 s.',
    });
    world.advance(39_999);
    expect((await attempt(world, { requesterId: ME, targetId: ALICE })).result).toBe('RateLimited');
    world.advance(1);
    expect((await attempt(world, { requesterId: ME, targetId: ALICE })).result).toBe('ok');
  });

  it('6 per hour: the seventh is refused with the time until the oldest leaves the hour', async () => {
    world = await everyoneRegistered();
    const requesters = [ME, BOB, ADMIN, ME, BOB, ADMIN];
    for (const requesterId of requesters) {
      expect((await attempt(world, { requesterId, targetId: ALICE })).result).toBe('ok');
      world.advance(121_000);
    }
    // 726 s after the first: 3600 - 726 = 2874 s = 47.9 min.
    const refused = await attempt(world, { requesterId: BOB, targetId: ALICE });
    expect(refused).toEqual({
      result: 'RateLimited',
      hint: '<@U0ALICE>’s phone has been rung 6 times in the last hour, the most allowed. You can rescue <@U0ALICE> again in 48 min.',
    });
    // Being rung by colleagues never stops you from rescuing yourself.
    expect((await attempt(world, { requesterId: ALICE })).result).toBe('ok');
  });

  it('your own rescue obeys the cooldown and starts it for colleagues too', async () => {
    world = await everyoneRegistered();
    expect((await attempt(world, { requesterId: ME })).result).toBe('ok');
    expect(await attempt(world, { requesterId: ME })).toEqual({ result: 'RateLimited', hint: 'Your phone rang less than 2 min ago. You can ring it again in 2 min.' });
    expect((await attempt(world, { requesterId: BOB, targetId: ME })).hint).toBe('<@U0ME>’s phone rang less than 2 min ago. You can rescue <@U0ME> again in 2 min.');
  });

  it('a test ring of your own phone ignores the cooldown; an admin test ring of someone else does too, a colleague’s does not', async () => {
    world = await everyoneRegistered();
    expect((await attempt(world, { requesterId: BOB, targetId: ALICE })).result).toBe('ok');
    expect((await attempt(world, { requesterId: ALICE, test: true })).result).toBe('ok');
    expect((await attempt(world, { requesterId: ADMIN, targetId: ALICE, test: true })).result).toBe('ok');
    expect((await attempt(world, { requesterId: ME, targetId: ALICE, test: true })).result).toBe('RateLimited');
  });

  it('an admin test ring still counts toward the hourly cap', async () => {
    world = await everyoneRegistered({ RESCUE_TARGET_PER_HOUR: '2' });
    expect((await attempt(world, { requesterId: ADMIN, targetId: ALICE, test: true })).result).toBe('ok');
    expect((await attempt(world, { requesterId: ADMIN, targetId: ALICE, test: true })).result).toBe('ok');
    const third = await attempt(world, { requesterId: ADMIN, targetId: ALICE, test: true });
    expect(third).toEqual({ result: 'RateLimited', hint: '<@U0ALICE>’s phone has been rung 2 times in the last hour, the most allowed. You can rescue <@U0ALICE> again in 1 h.' });
  });

  it('RESCUE_TARGET_COOLDOWN_SECONDS=0 turns the cooldown off', async () => {
    world = await everyoneRegistered({ RESCUE_TARGET_COOLDOWN_SECONDS: '0' });
    expect((await attempt(world, { requesterId: BOB, targetId: ALICE })).result).toBe('ok');
    expect((await attempt(world, { requesterId: BOB, targetId: ALICE })).result).toBe('ok');
  });
});

describe('per requester', () => {
  it('5 per minute, test rings included; the reply says how long to wait', async () => {
    world = await everyoneRegistered();
    for (let i = 0; i < 5; i++) {
      expect((await attempt(world, { requesterId: BOB, test: true })).result).toBe('ok');
      world.advance(1_000);
    }
    const refused = await attempt(world, { requesterId: BOB, targetId: ALICE });
    expect(refused).toEqual({ result: 'RateLimited', hint: 'You have started 5 rescues in the last minute; wait 55 s.' });
    // Nothing was recorded for the refused request: Alice's phone is still free for others.
    expect((await attempt(world, { requesterId: ME, targetId: ALICE })).result).toBe('ok');
    world.advance(55_000);
    expect((await attempt(world, { requesterId: BOB, test: true })).result).toBe('ok');
  });

  it('refused requests (consent, not registered) use up no quota', async () => {
    world = await everyoneRegistered({ RESCUE_REQUESTER_PER_MINUTE: '2' });
    await world.register(ALICE, (await world.phone()), { permission: 'only_me' });
    for (let i = 0; i < 5; i++) expect((await attempt(world, { requesterId: BOB, targetId: ALICE })).result).toBe('NotAllowed');
    for (let i = 0; i < 5; i++) expect((await attempt(world, { requesterId: BOB, targetId: 'U0NOBODY' })).result).toBe('NotRegistered');
    expect((await attempt(world, { requesterId: BOB, targetId: ME })).result).toBe('ok');
    expect((await attempt(world, { requesterId: BOB, test: true })).result).toBe('ok');
    expect((await attempt(world, { requesterId: BOB, test: true })).hint).toBe('You have started 2 rescues in the last minute; wait 1 min.');
  });

  it('the refusal is a RateLimited with retryAfterSeconds and the limit named', async () => {
    world = await everyoneRegistered({ RESCUE_REQUESTER_PER_MINUTE: '1' });
    await (await startRescue(world.rescue, { teamId: TEAM, requesterId: BOB, test: true })).done;
    world.advance(15_500);
    const err = await startRescue(world.rescue, { teamId: TEAM, requesterId: BOB, test: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimited);
    expect(err).toMatchObject({ retryAfterSeconds: 45, limit: 'requester_minute' });
    expect((err as RateLimited).hint).toBe('You have started 1 rescue in the last minute; wait 45 s.');
  });
});

describe('one rescue per phone at a time', () => {
  it('a second request while the phone rings is refused with RescueInProgress (not a limit), and audited', async () => {
    world = await startWorld({ ...USE_CASES, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '0' } });
    const alice = await world.phone({ name: 'alice' });
    await world.register(ALICE, alice, { rings: 5, intervalSeconds: 1 });
    world.pauses.hold(); // the ring stays in progress until it is stopped
    const first = await startRescue(world.rescue, { teamId: TEAM, requesterId: BOB, targetId: ALICE });
    const second = await startRescue(world.rescue, { teamId: TEAM, requesterId: ME, targetId: ALICE }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(RescueInProgress);
    expect((second as RescueInProgress).hint).toBe('<@U0ALICE>’s phone is already ringing; someone got there first.');
    const own = await startRescue(world.rescue, { teamId: TEAM, requesterId: ALICE }).catch((e: unknown) => e);
    expect((own as RescueInProgress).hint).toBe('Your phone is already ringing. Use the Stop button or /rescue stop.');
    first.stop();
    const outcome = await first.done;
    expect(outcome).toMatchObject({ ok: true, stopped: true });
    const entries = (await world.store.audit.query({ teamId: TEAM, userId: ALICE })).filter((e) => e.action === 'rescue');
    expect(entries.map((e) => [e.actorId, e.outcome, e.errorClass ?? '-'])).toEqual([
      [BOB, 'stopped', '-'],
      [ALICE, 'refused', 'RescueInProgress'],
      [ME, 'refused', 'RescueInProgress'],
    ]);
  });

  it('two requests at the same instant: exactly one rings', async () => {
    world = await startWorld({ ...USE_CASES, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '0' } });
    const alice = await world.phone({ name: 'alice' });
    await world.register(ALICE, alice, { rings: 2, intervalSeconds: 1 });
    alice.clearRequests();
    const results = await Promise.allSettled([
      startRescue(world.rescue, { teamId: TEAM, requesterId: BOB, targetId: ALICE }),
      startRescue(world.rescue, { teamId: TEAM, requesterId: ME, targetId: ALICE }),
    ]);
    const started = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(started).toHaveLength(1);
    expect(refused.map((r) => (r.reason as { code: string }).code)).toEqual(['RescueInProgress']);
    await (started[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof startRescue>>>).value.done;
    expect(alice.played).toHaveLength(2);
    expect(alice.maxInFlight).toBe(1);
  });
});

describe('at most once (scheduled rescues, across replicas)', () => {
  it('a second rescue under the same id is not rung: AlreadyRung, audited as skipped; the id is claimed only at the first Play', async () => {
    world = await everyoneRegistered({ RESCUE_TARGET_COOLDOWN_SECONDS: '0' });
    const phone = await world.phone({ name: 'mine' });
    await world.register(ME, phone);

    // A phone on a call never reaches its first Play, so the id stays unclaimed for whoever tries next.
    phone.setOnCall(true);
    const skipped = await (await startRescue(world.rescue, { teamId: TEAM, requesterId: ME, once: 'S1' })).done;
    expect(skipped).toMatchObject({ ok: false, error: { code: 'PhoneInCall' } });
    phone.setOnCall(false);

    const first = await (await startRescue(world.rescue, { teamId: TEAM, requesterId: ME, once: 'S1' })).done;
    expect(first).toMatchObject({ ok: true, completed: 1 });
    const again = await (await startRescue(world.rescue, { teamId: TEAM, requesterId: ME, once: 'S1' })).done;
    expect(again).toMatchObject({ ok: false, completed: 0, error: { code: 'AlreadyRung' } });
    expect(phone.played).toHaveLength(1);

    // Another id rings as usual.
    expect(await (await startRescue(world.rescue, { teamId: TEAM, requesterId: ME, once: 'S2' })).done).toMatchObject({ ok: true });
    expect(phone.played).toHaveLength(2);
    const entries = await world.store.audit.query({ teamId: TEAM, userId: ME });
    expect(entries.map((e) => [e.outcome, e.errorClass])).toContainEqual(['skipped', 'AlreadyRung']);
  });
});
