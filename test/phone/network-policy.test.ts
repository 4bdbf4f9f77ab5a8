import { describe, expect, it } from 'vitest';
import {
  checkPhoneAddress,
  createNetworkPolicy,
  refusalReason,
  type LookupAll,
} from '../../src/phone/network-policy.js';
import { InvalidNetworkPolicy, PhoneAddressRefused, PhoneUnreachable } from '../../src/phone/errors.js';

const fakeDns =
  (table: Record<string, string[]>): LookupAll =>
  async (host) => {
    const ips = table[host];
    if (!ips) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return ips.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('network policy', () => {
  const def = createNetworkPolicy();

  it('allows the private ranges by default', () => {
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.1.10', 'fd00::5', '::ffff:10.0.0.1']) {
      expect(refusalReason(ip, def)).toBeUndefined();
    }
  });

  it.each([
    ['127.0.0.1', /loopback/],
    ['::1', /loopback/],
    ['169.254.169.254', /link-local.*metadata/],
    ['fe80::1', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['ff02::1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['8.8.8.8', /outside the allowed networks/],
    ['172.32.0.1', /outside/],
    ['::ffff:127.0.0.1', /loopback/],
  ])('refuses %s by default', (ip, why) => {
    expect(refusalReason(ip, def)).toMatch(why);
  });

  it('allows loopback only when listed explicitly, never through 0.0.0.0/0', () => {
    const sim = createNetworkPolicy(['127.0.0.0/8']);
    expect(refusalReason('127.0.0.1', sim)).toBeUndefined();
    expect(refusalReason('10.0.0.1', sim)).toMatch(/outside/);
    const everything = createNetworkPolicy(['0.0.0.0/0', '::/0']);
    expect(refusalReason('8.8.8.8', everything)).toBeUndefined();
    expect(refusalReason('127.0.0.1', everything)).toMatch(/loopback/);
    expect(refusalReason('169.254.169.254', everything)).toMatch(/link-local/);
    expect(refusalReason('169.254.169.254', createNetworkPolicy(['169.254.0.0/16']))).toBeUndefined();
  });

  it('takes the private ranges by default, trims entries and names a bad entry (PHONE_ALLOWED_NETWORKS: test/ops/config.test.ts)', () => {
    expect(createNetworkPolicy().allowed).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);
    expect(createNetworkPolicy([' 127.0.0.0/8 ', ' 10.0.0.0/8']).allowed).toEqual(['127.0.0.0/8', '10.0.0.0/8']);
    expect(() => createNetworkPolicy(['10.0.0.0/8', 'banana'])).toThrow(InvalidNetworkPolicy);
    expect(() => createNetworkPolicy(['10.0.0.0/33'])).toThrow(/at most 32/);
    expect(() => createNetworkPolicy(['10.0.0.0'])).toThrow(/CIDR/);
  });

  it('resolves names and checks every address (one bad address refuses the name)', async () => {
    const dns = fakeDns({ 'phone.lan': ['10.0.0.7'], 'evil.lan': ['10.0.0.8', '169.254.169.254'], 'local.lan': ['127.0.0.1'] });
    await expect(checkPhoneAddress('phone.lan:8080', def, dns)).resolves.toMatchObject({ host: 'phone.lan', port: 8080, ips: ['10.0.0.7'] });
    const err = await checkPhoneAddress('evil.lan', def, dns).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneAddressRefused);
    expect((err as Error).message).toMatch(/evil\.lan resolves to 169\.254\.169\.254.*link-local/);
    expect((err as PhoneAddressRefused).hint).toMatch(/PHONE_ALLOWED_NETWORKS.*127\.0\.0\.0\/8/);
    await expect(checkPhoneAddress('local.lan', def, dns)).rejects.toThrow(/local\.lan resolves to 127\.0\.0\.1/);
    await expect(checkPhoneAddress('local.lan', createNetworkPolicy(['127.0.0.0/8']), dns)).resolves.toMatchObject({ ips: ['127.0.0.1'] });
    await expect(checkPhoneAddress('nowhere.lan', def, dns)).rejects.toBeInstanceOf(PhoneUnreachable);
    await expect(checkPhoneAddress('nowhere.lan', def, dns)).rejects.toThrow(/ENOTFOUND/);
  });

  it('checks IP literals without DNS and resolves localhost to a refused address by default', async () => {
    await expect(checkPhoneAddress('127.0.0.1:8080', def)).rejects.toBeInstanceOf(PhoneAddressRefused);
    await expect(checkPhoneAddress('localhost', def)).rejects.toThrow(/localhost resolves to/);
    await expect(checkPhoneAddress('[::1]:80', createNetworkPolicy(['127.0.0.0/8']))).rejects.toThrow(/::1\/128/);
  });
});
