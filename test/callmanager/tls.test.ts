import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallManagerTlsFailed } from '../../src/callmanager/index.js';
import { normalizeFingerprint } from '../../src/phone/index.js';
import { SIM_CERT_PEM } from '../../src/sim/certs/sim-identity.js';
import { sep, thrown, worlds } from './helpers.js';

const world = worlds();
const devices = [{ name: sep(1), ip: '10.0.0.1' }];

describe('TLS to the call manager (its Tomcat certificate is usually self-signed)', () => {
  it('trust on first use: accepts the first certificate, reports it once, and pins it', async () => {
    const trusted: string[] = [];
    const w = await world({ sim: { https: true, devices }, client: { tls: { trustOnFirstUse: true } }, deps: { onCertificateTrusted: (fp) => trusted.push(fp) } });
    expect((await w.cm.risport.selectCmDeviceExt([sep(1)])).get(sep(1))?.kind).toBe('registered');
    await w.cm.risport.selectCmDeviceExt([sep(1)]);
    expect(trusted).toEqual([normalizeFingerprint(w.sim.certificateSha256!)]);
    expect(w.cm.certificateSha256()).toBe(trusted[0]);
  });

  it('a pinned fingerprint: the right one works, another certificate is refused naming what it presented', async () => {
    const probe = await world({ sim: { https: true, devices }, client: { tls: { trustOnFirstUse: true } } });
    const right = probe.sim.certificateSha256!;
    const ok = await world({ sim: { https: true, devices }, client: { tls: { fingerprint: right.toLowerCase().replace(/:/g, ''), trustOnFirstUse: false } } });
    expect((await ok.cm.risport.selectCmDeviceExt([sep(1)])).get(sep(1))?.kind).toBe('registered');
    const wrong = await world({ sim: { https: true, devices }, client: { tls: { fingerprint: 'AB'.repeat(32), trustOnFirstUse: false } } });
    const err = await thrown(wrong.cm.risport.selectCmDeviceExt([sep(1)]));
    expect(err).toBeInstanceOf(CallManagerTlsFailed);
    expect(err.message).toContain(normalizeFingerprint(right));
    expect(wrong.sim.requests).toHaveLength(0);
  });

  it('no trust configured: the system CAs refuse a self-signed certificate; a CA file that does not name the host refuses too', async () => {
    const none = await world({ sim: { https: true, devices } });
    expect(await thrown(none.cm.risport.selectCmDeviceExt([sep(1)]))).toBeInstanceOf(CallManagerTlsFailed);
    const dir = mkdtempSync(join(tmpdir(), 'cucm-ca-'));
    writeFileSync(join(dir, 'ca.pem'), SIM_CERT_PEM);
    const ca = await world({ sim: { https: true, devices }, client: { tls: { caFile: join(dir, 'ca.pem'), trustOnFirstUse: false } } });
    expect(await thrown(ca.cm.risport.selectCmDeviceExt([sep(1)]))).toBeInstanceOf(CallManagerTlsFailed);
  });
});
