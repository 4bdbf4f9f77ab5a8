/**
 * The command line never drops a pinned HTTPS certificate as a side effect. After a phone action was
 * refused because the certificate changed, saving the Slack settings form again means "I know, trust
 * the new one" (src/rescue/pin.ts); an operator's unrelated `phones add --rings 4` or re-import must
 * keep the pin (operators re-trust with --tls-pin). A new address is another phone: its certificate is
 * learned again, and the command says so. Real CLI processes, a simulated HTTPS phone, a real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPhone, type SimPhone } from '../../src/sim/index.js';
import { cliHarness, type CliHarness } from './harness.js';

/** Each run starts a Node process (up to 1 s on a loaded machine). Not a speed assertion. */
const SLOW = 180_000;
const env = { PHONE_ALLOWED_NETWORKS: '127.0.0.0/8' };
/** A pin the simulated phone's certificate does not match: to the client, the phone's certificate changed. */
const OLD_PIN = 'AB'.repeat(32);
const OLD_PIN_SHOWN = `pinned certificate SHA-256 ${OLD_PIN.match(/../g)!.join(':')}`;

let secure: SimPhone;
const harnesses: CliHarness[] = [];
beforeAll(async () => {
  secure = await startPhone({ name: 'cli-keep-pin', https: true, toneTimeScale: 0 });
});
afterAll(async () => {
  await secure.stop();
  for (const h of harnesses) h.cleanup();
});

/** A registration pinned to OLD_PIN whose last phone action (`phones test`) was refused with a changed certificate. */
async function refusedWithChangedCertificate(): Promise<CliHarness> {
  const h = cliHarness();
  harnesses.push(h);
  const added = await h.cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', secure.url, '--username', secure.username, '--password-stdin', '--tls-pin', OLD_PIN], {
    env,
    input: `${secure.password}\n`,
  });
  expect(added.code, added.stderr).toBe(0);
  const refused = await h.cli(['phones', 'test', 'U111', '--json'], { env });
  expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: 'PhoneCertificateChanged' });
  const trail = JSON.parse((await h.cli(['audit', '--json'])).stdout) as { entries: { action: string; errorClass?: string }[] };
  expect(trail.entries[0]).toMatchObject({ action: 'test_ring', errorClass: 'PhoneCertificateChanged' });
  return h;
}

const trust = async (h: CliHarness): Promise<string> => /HTTPS trust\s+(.*)/.exec((await h.cli(['phones', 'show', 'U111'])).stdout)?.[1] ?? '';

describe.concurrent('the CLI keeps a pinned certificate after a changed-certificate refusal', { timeout: SLOW }, () => {
  it('phones add --rings 4 (no --tls-... option, same address) keeps the pin', async () => {
    const h = await refusedWithChangedCertificate();
    expect(await trust(h)).toBe(OLD_PIN_SHOWN);
    const updated = await h.cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', secure.url, '--username', secure.username, '--rings', '4'], { env });
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).not.toContain('learned again');
    expect(await trust(h)).toBe(OLD_PIN_SHOWN);
    // Re-trusting is explicit: --tls-pin with the new fingerprint.
    const repinned = await h.cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', secure.url, '--username', secure.username, '--tls-pin', secure.certificateSha256!], { env });
    expect(repinned.code, repinned.stderr).toBe(0);
    expect(await trust(h)).toBe(`pinned certificate SHA-256 ${secure.certificateSha256!}`);
  });

  it('a re-import with the same address keeps the pin', async () => {
    const h = await refusedWithChangedCertificate();
    const csv = h.file('phones.csv', `user,address,username,password,tone,rings\nU111,${secure.url},${secure.username},,,4\n`);
    const imported = await h.cli(['phones', 'import', csv], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).not.toContain('learned again');
    expect(await trust(h)).toBe(OLD_PIN_SHOWN);
  });

  it('a new address learns the certificate again, and add and import say so', async () => {
    const h = await refusedWithChangedCertificate();
    const moved = secure.url.replace('127.0.0.1', '127.0.0.2');
    const updated = await h.cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', moved, '--username', secure.username], { env });
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain('New address: its HTTPS certificate will be learned again on the next ring');
    expect(await trust(h)).toBe('trust on first use (not pinned yet)');

    const back = await h.cli(['phones', 'add', '--team', 'T1', '--user', 'U111', '--address', secure.url, '--username', secure.username, '--tls-pin', OLD_PIN], { env });
    expect(back.code, back.stderr).toBe(0);
    const csv = h.file('moved.csv', `user,address,username,password,tone,rings\nU111,${moved},${secure.username},,,\n`);
    const imported = await h.cli(['phones', 'import', csv], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('U111: new address; its HTTPS certificate will be learned again on the next ring');
    expect(await trust(h)).toBe('trust on first use (not pinned yet)');
  });
});
