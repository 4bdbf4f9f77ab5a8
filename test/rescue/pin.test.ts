/**
 * HTTPS trust on first use, end to end with the simulator's HTTPS phone (its certificate is known):
 * the first successful action stores the fingerprint; a different certificate is refused with a hint
 * that tells the owner (or the colleague) how to re-trust; saving the settings right after that
 * refusal re-trusts; an ordinary save keeps the pin.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { phoneStatus, registerPhone, startRescue, takeScreenshot } from '../../src/rescue/index.js';
import type { SimPhone } from '../../src/sim/index.js';
import { ALICE, BOB, ME, startWorld, TEAM, type World, USE_CASES } from '../support/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const WRONG = Array.from({ length: 32 }, () => 'AB').join(':');

async function httpsWorld(): Promise<{ w: World; phone: SimPhone }> {
  const w = await startWorld({ ...USE_CASES, env: { RESCUE_TARGET_COOLDOWN_SECONDS: '0' } });
  const phone = await w.phone({ name: 'me', https: true });
  expect(phone.url.startsWith('https://')).toBe(true);
  expect(phone.certificateSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  return { w, phone };
}

const tlsOf = async (w: World, userId = ME) => (await w.rescue.directory.get({ teamId: TEAM, userId }))?.tls;

describe('pin on first use', () => {
  it('a rescue stores the certificate of a phone registered with pin and no fingerprint', async () => {
    const { w, phone } = await httpsWorld();
    world = w;
    await w.register(ME, phone, { tls: { mode: 'pin' } });
    expect(await tlsOf(w)).toEqual({ mode: 'pin' });
    expect((await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME })).done).ok).toBe(true);
    expect(await tlsOf(w)).toEqual({ mode: 'pin', sha256: phone.certificateSha256 });
    // The password survived the re-save (keepSecrets), so the next ring still authenticates.
    expect((await (await startRescue(w.rescue, { teamId: TEAM, requesterId: BOB, targetId: ME })).done).ok).toBe(true);
    expect(w.logs.text()).toContain('HTTPS phone certificate pinned on first use');
  });

  it('so does a screenshot and a status check, and an https registration without any TLS choice', async () => {
    const { w, phone } = await httpsWorld();
    world = w;
    await w.register(ME, phone);
    expect(await tlsOf(w)).toBeUndefined();
    await takeScreenshot(w.rescue, { teamId: TEAM, userId: ME });
    expect(await tlsOf(w)).toEqual({ mode: 'pin', sha256: phone.certificateSha256 });

    const other = await w.phone({ name: 'alice', https: true });
    await w.register(ALICE, other, { tls: { mode: 'pin' } });
    expect((await phoneStatus(w.rescue, { teamId: TEAM, userId: ALICE })).ok).toBe(true);
    expect(await tlsOf(w, ALICE)).toEqual({ mode: 'pin', sha256: other.certificateSha256 });
  });

  it('a plain-HTTP phone and a phone pinned by an admin are left alone', async () => {
    const { w, phone } = await httpsWorld();
    world = w;
    await w.register(ME, phone, { tls: { mode: 'pin', sha256: phone.certificateSha256! } });
    await w.register(ALICE, await w.phone({ name: 'alice' }));
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME })).done;
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ALICE })).done;
    expect(await tlsOf(w)).toEqual({ mode: 'pin', sha256: phone.certificateSha256 });
    expect(await tlsOf(w, ALICE)).toBeUndefined();
  });
});

describe('a changed certificate', () => {
  async function pinnedToAnotherCertificate(): Promise<{ w: World; phone: SimPhone }> {
    const { w, phone } = await httpsWorld();
    await w.register(ME, phone, { tls: { mode: 'pin' } });
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME, test: true })).done;
    // The simulator has one certificate: make the stored pin another one, as if the phone had been swapped.
    const reg = await w.rescue.directory.get({ teamId: TEAM, userId: ME });
    await w.rescue.directory.put({ ...reg!, tls: { mode: 'pin', sha256: WRONG } }, { keepSecrets: true });
    phone.clearRequests();
    return { w, phone };
  }

  it('is refused before anything is sent, with a hint for the colleague and one for the owner; audited', async () => {
    const { w, phone } = await pinnedToAnotherCertificate();
    world = w;
    const forBob = await (await startRescue(w.rescue, { teamId: TEAM, requesterId: BOB, targetId: ME })).done;
    expect(forBob).toMatchObject({ ok: false, completed: 0, error: { code: 'PhoneCertificateChanged' } });
    const bobHint = forBob.ok ? '' : forBob.error.hint;
    expect(bobHint).toContain('<@U0ME>’s phone presented a different security certificate');
    expect(bobHint).toContain('save their settings again in /phone');
    expect(bobHint).toContain('rescue-ring phones add ... --tls-pin');

    const own = await takeScreenshot(w.rescue, { teamId: TEAM, userId: ME }).catch((e: unknown) => e);
    expect(own).toMatchObject({ code: 'PhoneCertificateChanged' });
    expect((own as { hint: string }).hint).toContain('open /phone and save your settings again');
    expect((own as { hint: string }).hint).toContain('--tls-pin');
    expect(phone.requests.filter((r) => r.authorized)).toHaveLength(0);
    expect(phone.played).toHaveLength(0);

    const entries = (await w.store.audit.query({ teamId: TEAM, userId: ME })).slice(0, 2);
    expect(entries.map((e) => [e.action, e.outcome, e.errorClass])).toEqual([
      ['screenshot', 'failed', 'PhoneCertificateChanged'],
      ['rescue', 'failed', 'PhoneCertificateChanged'],
    ]);
    // The wrong pin stays: nothing is re-learned behind the owner's back.
    expect(await tlsOf(w)).toEqual({ mode: 'pin', sha256: WRONG });
  });

  it('saving the settings right after the refusal re-trusts: the next action pins the certificate it sees', async () => {
    const { w, phone } = await pinnedToAnotherCertificate();
    world = w;
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME })).done;
    // The Slack modal sends no TLS choice and a blank password (kept).
    await registerPhone(w.rescue, { teamId: TEAM, userId: ME, address: phone.url, username: phone.username, password: '' });
    expect(await tlsOf(w)).toEqual({ mode: 'pin' });
    const [saved] = await w.store.audit.query({ teamId: TEAM, userId: ME, limit: 1 });
    expect(saved).toMatchObject({ action: 'register', outcome: 'ok', detail: 'updated; HTTPS certificate will be learned again' });

    expect((await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME })).done).ok).toBe(true);
    expect(await tlsOf(w)).toEqual({ mode: 'pin', sha256: phone.certificateSha256 });
  });

  it('an ordinary save (no refusal since the last success) keeps the pin', async () => {
    const { w, phone } = await httpsWorld();
    world = w;
    await w.register(ME, phone, { tls: { mode: 'pin' } });
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME })).done;
    await registerPhone(w.rescue, { teamId: TEAM, userId: ME, address: phone.url, username: phone.username, password: '', rings: 2 });
    expect(await tlsOf(w)).toEqual({ mode: 'pin', sha256: phone.certificateSha256 });
    // A refusal that was followed by a success no longer counts either.
    const reg = await w.rescue.directory.get({ teamId: TEAM, userId: ME });
    await w.rescue.directory.put({ ...reg!, tls: { mode: 'pin', sha256: WRONG } }, { keepSecrets: true });
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME })).done; // refused: certificate
    await w.rescue.directory.put({ ...reg!, tls: { mode: 'pin', sha256: phone.certificateSha256! } }, { keepSecrets: true });
    w.advance(1_000);
    expect((await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME, test: true })).done).ok).toBe(true);
    w.advance(1_000);
    await registerPhone(w.rescue, { teamId: TEAM, userId: ME, address: phone.url, username: phone.username, password: '' });
    expect(await tlsOf(w)).toEqual({ mode: 'pin', sha256: phone.certificateSha256 });
  });

  it('a new address is a new phone: its certificate is learned again', async () => {
    const { w, phone } = await httpsWorld();
    world = w;
    await w.register(ME, phone, { tls: { mode: 'pin' } });
    await (await startRescue(w.rescue, { teamId: TEAM, requesterId: ME })).done;
    const replacement = await w.phone({ name: 'new', https: true });
    await registerPhone(w.rescue, { teamId: TEAM, userId: ME, address: replacement.url, username: replacement.username, password: '' });
    expect(await tlsOf(w)).toEqual({ mode: 'pin' });
  });
});
