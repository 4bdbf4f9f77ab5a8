/** Who may ring whom, enforced in the use case (whatever the surface), and audited when refused. */
import { afterEach, describe, expect, it } from 'vitest';
import type { RingPermission } from '../../src/store/types.js';
import { ADMIN, ALICE, BOB, ME, attempt, startWorld, TEAM, type World, USE_CASES } from '../support/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function worldWith(permission: RingPermission, env: Record<string, string> = {}, buddies: string[] = []): Promise<World> {
  // Limits off: this file is about consent only.
  const w = await startWorld({ ...USE_CASES, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '0', RESCUE_TARGET_PER_HOUR: '1000', RESCUE_REQUESTER_PER_MINUTE: '1000', ...env } });
  await w.register(ALICE, await w.phone({ name: 'alice' }), { permission, buddies });
  return w;
}

describe('consent matrix', () => {
  const cases: { permission: RingPermission; teammates: boolean; requester: string; expected: string; hintHas?: string }[] = [
    { permission: 'anyone', teammates: true, requester: BOB, expected: 'ok' },
    { permission: 'anyone', teammates: true, requester: ALICE, expected: 'ok' },
    { permission: 'buddies', teammates: true, requester: BOB, expected: 'ok' },
    { permission: 'buddies', teammates: true, requester: ME, expected: 'NotAllowed', hintHas: 'accepts rescues only from their rescue buddies' },
    { permission: 'buddies', teammates: true, requester: ALICE, expected: 'ok' },
    { permission: 'only_me', teammates: true, requester: BOB, expected: 'NotAllowed', hintHas: '<@U0ALICE> allows only themselves' },
    { permission: 'only_me', teammates: true, requester: ALICE, expected: 'ok' },
    { permission: 'only_me', teammates: true, requester: ADMIN, expected: 'ok' },
    { permission: 'anyone', teammates: false, requester: BOB, expected: 'NotAllowed', hintHas: 'turned off in this workspace' },
    { permission: 'anyone', teammates: false, requester: ALICE, expected: 'ok' },
    { permission: 'anyone', teammates: false, requester: ADMIN, expected: 'ok' },
    { permission: 'buddies', teammates: false, requester: BOB, expected: 'NotAllowed', hintHas: 'turned off in this workspace' },
  ];

  it.each(cases)('$permission, ALLOW_TEAMMATE_RESCUE=$teammates, requester $requester: $expected', async ({ permission, teammates, requester, expected, hintHas }) => {
    world = await worldWith(permission, { ALLOW_TEAMMATE_RESCUE: String(teammates) }, [BOB]);
    const got = await attempt(world, { requesterId: requester, targetId: ALICE });
    expect(got.result).toBe(expected);
    if (hintHas) expect(got.hint).toContain(hintHas);

    const [entry] = await world.store.audit.query({ teamId: TEAM });
    expect(entry).toMatchObject({ actorId: requester, targetId: ALICE, action: 'rescue', outcome: expected === 'ok' ? 'ok' : 'refused' });
    if (expected !== 'ok') expect(entry?.errorClass).toBe(expected);
  });

  it('a refused request sends nothing to the phone', async () => {
    world = await startWorld(USE_CASES);
    const alicePhone = await world.phone({ name: 'alice' });
    await world.register(ALICE, alicePhone, { permission: 'only_me' });
    alicePhone.clearRequests();
    expect((await attempt(world, { requesterId: BOB, targetId: ALICE })).result).toBe('NotAllowed');
    expect(alicePhone.requests).toHaveLength(0);
    expect((await attempt(world, { requesterId: ALICE })).result).toBe('ok');
    expect(alicePhone.played).toHaveLength(1);
  });

  it('nobody registered: NotRegistered for self and for a colleague, with the matching hint, audited as refused', async () => {
    world = await startWorld(USE_CASES);
    const self = await attempt(world, { requesterId: ME });
    expect(self).toMatchObject({ result: 'NotRegistered' });
    expect(self.hint).toContain('Run /phone');
    const other = await attempt(world, { requesterId: ME, targetId: BOB });
    expect(other.result).toBe('NotRegistered');
    expect(other.hint).toContain('<@U0BOB> has not registered');
    const entries = await world.store.audit.query({ teamId: TEAM });
    expect(entries.map((e) => [e.targetId, e.outcome, e.errorClass])).toEqual([
      [BOB, 'refused', 'NotRegistered'],
      [ME, 'refused', 'NotRegistered'],
    ]);
  });
});
