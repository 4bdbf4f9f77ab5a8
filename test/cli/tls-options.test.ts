/**
 * One set of TLS options for every verb: --tls-pin, --tls-ca and --tls-insecure-skip-verify, named
 * like TlsPolicy's modes, on the direct phone verbs and on `phones add` alike; the old names of
 * `phones add` (hidden from help) fail saying the new name. Real CLI processes against a simulated HTTPS phone.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_CERT_PEM } from '../../src/sim/certs/sim-identity.js';
import { startPhone, type SimPhone } from '../../src/sim/index.js';
import { cliHarness, SECRET, type CliHarness } from './harness.js';

/** Each run starts a Node process (up to 1 s on a loaded machine). Not a speed assertion. */
const SLOW = 180_000;
const env = { PHONE_ALLOWED_NETWORKS: '127.0.0.0/8', PHONE_PASSWORD: SECRET };

let secure: SimPhone;
const harnesses: CliHarness[] = [];
/** A fresh DATA_DIR per test, so the tests run concurrently. */
function setup(): CliHarness {
  const h = cliHarness();
  harnesses.push(h);
  return h;
}
beforeAll(async () => {
  secure = await startPhone({ name: 'cli-tls', https: true, toneTimeScale: 0 });
});
afterAll(async () => {
  await secure.stop();
  for (const h of harnesses) h.cleanup();
});

const add = (user: string, address: string, ...more: string[]) => ['phones', 'add', '--team', 'T1', '--user', user, '--address', address, '--username', 'svc', ...more];

describe.concurrent('TLS options of every verb', { timeout: SLOW }, () => {
  it('the direct phone verbs and phones add take --tls-pin, --tls-ca and --tls-insecure-skip-verify', async () => {
    const h = setup();
    const ca = h.file('sim-ca.pem', SIM_CERT_PEM);
    const [pinned, wrongPin, viaCa, skipped] = await Promise.all([
      h.cli(['status', secure.url, '--tls-pin', secure.certificateSha256!, '--json'], { env }),
      h.cli(['status', secure.url, '--tls-pin', 'AB'.repeat(32), '--json'], { env }),
      h.cli(['status', secure.url, '--tls-ca', ca, '--json'], { env }),
      h.cli(['status', secure.url, '--tls-insecure-skip-verify', '--json'], { env }),
    ]);
    for (const ok of [pinned, viaCa, skipped]) {
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, model: 'CP-8845' });
    }
    expect(wrongPin.code).toBe(1);
    expect(JSON.parse(wrongPin.stdout)).toMatchObject({ ok: false, error: 'PhoneCertificateChanged' });

    const trust = async (user: string, ...option: string[]): Promise<string> => {
      const added = await h.cli(add(user, secure.url, ...option), { env });
      expect(added.code, added.stderr).toBe(0);
      return /HTTPS trust\s+(.*)/.exec((await h.cli(['phones', 'show', user])).stdout)?.[1] ?? '';
    };
    expect(await trust('U101', '--tls-pin', secure.certificateSha256!)).toBe(`pinned certificate SHA-256 ${secure.certificateSha256!}`);
    expect(await trust('U102', '--tls-ca', ca)).toBe(`verified against CA ${ca}`);
    expect(await trust('U103', '--tls-insecure-skip-verify')).toBe('any certificate accepted (insecure)');
  });

  it('the old names of phones add fail naming the new one (exit 2, nothing saved), for phones add and the phone verbs alike, and are not in --help', async () => {
    const h = setup();
    const runs = await Promise.all([
      h.cli(add('U201', secure.url, '--tls-fingerprint', secure.certificateSha256!), { env }),
      h.cli(add('U202', secure.url, '--tls-insecure'), { env }),
      h.cli(['status', secure.url, '--tls-fingerprint', secure.certificateSha256!], { env }),
      h.cli(['status', secure.url, '--tls-insecure', '--json'], { env }),
      h.cli(['ring', secure.url, '--user', 'svc', '--tls-fingerprint'], { env }),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    for (const r of [runs[0]!, runs[2]!, runs[4]!]) expect(r.stderr).toContain('--tls-fingerprint is now --tls-pin: run the command again with --tls-pin SHA256.');
    expect(runs[1]!.stderr).toContain('--tls-insecure is now --tls-insecure-skip-verify');
    expect(JSON.parse(runs[3]!.stdout)).toMatchObject({ ok: false, error: 'Usage', message: expect.stringContaining('--tls-insecure is now --tls-insecure-skip-verify') as unknown });
    expect(secure.played).toEqual([]);
    const store = await h.store();
    try {
      expect((await store.directory.list()).rows.map((r) => r.userId)).not.toContain('U201');
    } finally {
      await store.close();
    }
    const help = await h.cli(['phones', 'add', '--help']);
    expect(help.stdout).toContain('--tls-insecure-skip-verify');
    expect(help.stdout).not.toMatch(/--tls-fingerprint|--tls-insecure(?!-skip-verify)/);
  });

  it('--tls-ca is stored as an absolute path, and must be a readable PEM certificate', async () => {
    const h = setup();
    h.file('sim-ca.pem', SIM_CERT_PEM);
    h.file('not-pem.crt', 'MIIB...: a DER or Base-64 body without the PEM header\n');
    // runCli's working directory is DATA_DIR: the relative name is resolved against it, not the bot's.
    const relative = await h.cli(add('U401', secure.url, '--tls-ca', 'sim-ca.pem'), { env });
    expect(relative.code, relative.stderr).toBe(0);
    const stored = join(realpathSync(h.dataDir), 'sim-ca.pem');
    expect(/HTTPS trust\s+(.*)/.exec((await h.cli(['phones', 'show', 'U401'])).stdout)?.[1]).toBe(`verified against CA ${stored}`);
    const status = await h.cli(['status', secure.url, '--tls-ca', 'sim-ca.pem', '--json'], { env });
    expect(status.code, status.stderr).toBe(0);

    const [missing, notPem, folder] = await Promise.all([
      h.cli(add('U402', secure.url, '--tls-ca', 'no-such-ca.pem'), { env }),
      h.cli(add('U403', secure.url, '--tls-ca', 'not-pem.crt'), { env }),
      h.cli(['status', secure.url, '--tls-ca', '.', '--json'], { env }),
    ]);
    expect([missing, notPem, folder].map((r) => r.code)).toEqual([2, 2, 2]);
    expect(missing.stderr).toContain(`--tls-ca: cannot read ${join(realpathSync(h.dataDir), 'no-such-ca.pem')} (ENOENT). Give the path of the CA certificate, in PEM format.`);
    expect(notPem.stderr).toContain(`--tls-ca: ${join(realpathSync(h.dataDir), 'not-pem.crt')} is not a PEM certificate (it has no "-----BEGIN CERTIFICATE-----" line).`);
    expect(JSON.parse(folder.stdout)).toMatchObject({ ok: false, error: 'Usage', message: expect.stringContaining('(EISDIR)') as unknown });
    const store = await h.store();
    try {
      expect((await store.directory.list()).rows.map((r) => r.userId)).toEqual(['U401']);
    } finally {
      await store.close();
    }
  });

  it('two choices at once, a bad fingerprint, or a choice for a plain-HTTP phone: the same clear usage errors everywhere', async () => {
    const h = setup();
    const plain = '127.0.0.1:9';
    const [twoAdd, twoStatus, badAdd, badRing, plainAdd, plainStatus] = await Promise.all([
      h.cli(add('U301', secure.url, '--tls-pin', secure.certificateSha256!, '--tls-insecure-skip-verify'), { env }),
      h.cli(['status', secure.url, '--tls-ca', 'ca.pem', '--tls-pin', secure.certificateSha256!], { env }),
      h.cli(add('U302', secure.url, '--tls-pin', 'not-a-fingerprint'), { env }),
      h.cli(['ring', secure.url, '--user', 'svc', '--tls-pin', 'not-a-fingerprint'], { env }),
      h.cli(add('U303', plain, '--tls-insecure-skip-verify'), { env }),
      h.cli(['status', plain, '--tls-pin', secure.certificateSha256!, '--json'], { env }),
    ]);
    expect([twoAdd, twoStatus, badAdd, badRing, plainAdd, plainStatus].map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(twoAdd.stderr).toContain('Choose one of --tls-pin, --tls-ca and --tls-insecure-skip-verify (you gave --tls-pin and --tls-insecure-skip-verify).');
    expect(twoStatus.stderr).toContain('Choose one of --tls-pin, --tls-ca and --tls-insecure-skip-verify (you gave --tls-pin and --tls-ca).');
    for (const r of [badAdd, badRing]) expect(r.stderr).toContain('--tls-pin must be a SHA-256 fingerprint: 64 hexadecimal digits, colons allowed.');
    expect(plainAdd.stderr).toContain(`--tls-insecure-skip-verify applies to HTTPS phones only: write the address as https://${plain}`);
    expect(JSON.parse(plainStatus.stdout)).toMatchObject({ ok: false, error: 'Usage', message: expect.stringContaining('--tls-pin applies to HTTPS phones only') as unknown });
    const store = await h.store();
    try {
      expect((await store.directory.list()).rows.map((r) => r.userId).filter((u) => u.startsWith('U30'))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
