/** Never ringing during a real call, end to end: the simulator's "on a call" switch, CALL_CHECK=false. */
import { afterEach, describe, expect, it } from 'vitest';
import { messageText } from '../support/fake-slack.js';
import { ME, startWorld, type World } from '../support/world.js';

let h: World | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the call check', () => {
  it('your own phone on a call is not rung, and you are told why', async () => {
    h = await startWorld({ rings: 3 });
    const phone = await h.phone({ onCall: true });
    await h.register(ME, phone);
    const r = await h.command(ME, '/rescue');
    await h.fake.waitForResponse(r.responseId, 'You are on a call');
    expect(phone.played).toEqual([]);
  });

  it('a call that starts between rings stops the rest, and the outcome says so', async () => {
    h = await startWorld({ rings: 3 });
    const phone = await h.phone();
    await h.register(ME, phone, { rings: 3, intervalSeconds: 1 });
    const r = await h.command(ME, '/rescue');
    await h.fake.waitForResponse(r.responseId, 'ring 1 of 3');
    phone.setOnCall(true);
    const final = await h.fake.waitForResponse(r.responseId, 'took a call');
    expect(messageText(final.params)).toContain('Your phone rang once, then you took a call, so I stopped ringing.');
    expect(phone.played).toHaveLength(1);
  });

  it('CALL_CHECK=false rings even during a call (and asks the phone nothing first)', async () => {
    h = await startWorld({ rings: 3, env: { CALL_CHECK: 'false' } });
    const phone = await h.phone({ onCall: true });
    await h.register(ME, phone, { rings: 2 });
    const r = await h.command(ME, '/rescue');
    await h.fake.waitForResponse(r.responseId, 'rang twice');
    expect(phone.played).toHaveLength(2);
    expect(phone.requests.some((q) => q.path.startsWith('/StreamingStatisticsX'))).toBe(false);
  });
});
