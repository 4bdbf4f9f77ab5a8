import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPhone, type SimPhone } from '../../src/sim/index.js';
import { SIM_CERT_PEM } from '../../src/sim/certs/sim-identity.js';
import { PhoneCertificateChanged, PhoneConnectionLost, PhoneTlsFailed } from '../../src/phone/errors.js';
import { normalizeFingerprint } from '../../src/phone/client.js';
import { capturingLogger, phoneOf, testClient } from './helpers.js';

const PLAY = [{ url: 'Play:Classic1.raw', priority: 2 as const }];
let phone: SimPhone;
let dir: string;
beforeAll(async () => {
  phone = await startPhone({ https: true, toneTimeScale: 0.01 });
  dir = mkdtempSync(join(tmpdir(), 'rr-tls-'));
});
afterAll(async () => {
  await phone.stop();
});

describe('HTTPS phones: the per-phone TLS policy', () => {
  it('the simulator serves HTTPS with a certificate fingerprint', () => {
    expect(phone.url).toMatch(/^https:\/\//);
    expect(phone.certificateSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('pin without a fingerprint trusts on first use and reports the fingerprint', async () => {
    const r = await testClient().execute(phoneOf(phone, { tls: { mode: 'pin' } }), PLAY);
    expect(r.certificateSha256).toBe(phone.certificateSha256);
  });

  it('pin with the right fingerprint (any case, colons optional) works', async () => {
    const sha = phone.certificateSha256!.replace(/:/g, '').toLowerCase();
    const r = await testClient().execute(phoneOf(phone, { tls: { mode: 'pin', sha256: sha } }), PLAY);
    expect(r.items[0]!.status).toBe(0);
  });

  it('pin with another fingerprint refuses before sending the password', async () => {
    phone.clearRequests();
    const wrong = 'AB'.repeat(32);
    const err = await testClient()
      .execute(phoneOf(phone, { tls: { mode: 'pin', sha256: wrong } }), PLAY)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneCertificateChanged);
    expect((err as PhoneCertificateChanged).actualSha256).toBe(phone.certificateSha256);
    expect((err as PhoneCertificateChanged).expectedSha256).toBe(normalizeFingerprint(wrong));
    expect((err as PhoneCertificateChanged).hint).toMatch(/register it again/);
    expect(phone.requests).toHaveLength(0);
  });

  it('insecure-skip-verify works and logs a warning every time', async () => {
    const { logger, lines } = capturingLogger();
    await testClient({ logger }).execute(phoneOf(phone, { tls: { mode: 'insecure-skip-verify' } }), PLAY);
    const warnings = lines.filter((l) => l.includes('"level":40'));
    expect(warnings.join('')).toMatch(/verification is OFF/);
    expect(lines.join('')).not.toContain(phone.password);
  });

  it('ca verifies the chain against the CA file and ignores the host name', async () => {
    const ca = join(dir, 'phone-ca.pem');
    writeFileSync(ca, SIM_CERT_PEM);
    const r = await testClient().execute(phoneOf(phone, { tls: { mode: 'ca', caFile: ca } }), PLAY);
    expect(r.certificateSha256).toBe(phone.certificateSha256);
  });

  it('ca with an unrelated CA is PhoneTlsFailed and sends nothing', async () => {
    phone.clearRequests();
    const other = join(dir, 'other-ca.pem');
    writeFileSync(other, rootCertificates[0]!);
    const err = await testClient().execute(phoneOf(phone, { tls: { mode: 'ca', caFile: other } }), PLAY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneTlsFailed);
    expect((err as PhoneTlsFailed).hint).toMatch(/pin/);
    expect(phone.requests).toHaveLength(0);
  });

  it('a missing CA file is PhoneTlsFailed naming the problem', async () => {
    await expect(testClient().execute(phoneOf(phone, { tls: { mode: 'ca', caFile: join(dir, 'nope.pem') } }), PLAY)).rejects.toThrow(/CA file.*ENOENT/);
  });

  it('plain HTTP to an HTTPS-only phone fails with a clear error', async () => {
    const err = await testClient().execute(phoneOf(phone, { address: phone.address }), PLAY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneConnectionLost);
    expect((err as PhoneConnectionLost).hint).toMatch(/https:\/\/ADDRESS/);
  });
});
