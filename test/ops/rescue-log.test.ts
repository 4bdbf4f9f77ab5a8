/**
 * One rescue in the log: every line about it carries its rescue id, from the Slack request (its
 * trigger id on the first line) through the call check, each Play, the cover story, the outcome post
 * and the audit row; a failed phone request at warn with its error code and time, never a password.
 * Through the real receiver, the Slack stand-in and a simulated phone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ME, PHONE_PASSWORD, startWorld, type World } from '../support/world.js';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const linesOf = (h: World, rescueId: unknown) => h.logs.lines().filter((l) => l.rescueId === rescueId);

describe('a rescue in the log', () => {
  it('carries its id on every line, from the command (with its trigger id) to the audit row', async () => {
    w = await startWorld({ rings: 2 });
    const h = w;
    const phone = await h.phone();
    await h.register(ME, phone);
    await h.command(ME, '/rescue', '"Your 3 o\'clock is here"');
    await h.settle();
    const started = h.logs.lines().find((l) => l.msg === 'rescue started');
    expect(started).toMatchObject({ level: 30, requesterId: ME, kind: 'own', triggerId: expect.stringMatching(/\S/) });
    const mine = linesOf(h, started!.rescueId).map((l) => l.msg);
    expect(mine).toEqual(
      expect.arrayContaining(['rescue started', 'call check', 'ring played', 'cover story pushed', 'phone request', 'response_url post sent', 'audit entry written', 'rescue finished']),
    );
    expect(mine.filter((m) => m === 'ring played')).toHaveLength(2);
    // The lines of the ring itself are its own: no line about a Play lacks the id.
    expect(h.logs.lines().filter((l) => l.msg === 'ring played' && l.rescueId === undefined)).toEqual([]);
  });

  it('a failed phone request logs at warn with its error code and the time the phone took, never the password', async () => {
    w = await startWorld({ rings: 1 });
    const h = w;
    const phone = await h.phone();
    await h.register(ME, phone, { password: 'not-the-phone-password-71' });
    await h.command(ME, '/rescue');
    await h.settle();
    const started = h.logs.lines().find((l) => l.msg === 'rescue started');
    const failed = linesOf(h, started!.rescueId).find((l) => l.msg === 'phone request failed' && l.level === 40);
    expect(failed).toMatchObject({ operation: 'execute', error: 'PhoneAuthFailed', ms: expect.any(Number) });
    expect(linesOf(h, started!.rescueId).find((l) => l.msg === 'rescue failed')).toMatchObject({ level: 40, code: 'PhoneAuthFailed' });
    expect(h.logs.text()).not.toContain('not-the-phone-password-71');
    expect(h.logs.text()).not.toContain(PHONE_PASSWORD);
  });
});
