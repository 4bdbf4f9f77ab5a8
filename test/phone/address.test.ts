import { describe, expect, it } from 'vitest';
import { hostHeader, parsePhoneAddress, phoneKey } from '../../src/phone/address.js';
import { InvalidPhoneAddress } from '../../src/phone/errors.js';

describe('parsePhoneAddress', () => {
  it.each([
    ['10.1.2.3', { scheme: 'http', host: '10.1.2.3', port: 80 }],
    [' 10.1.2.3:8080 ', { scheme: 'http', host: '10.1.2.3', port: 8080 }],
    ['[fd00::5]:8443', { scheme: 'http', host: 'fd00::5', port: 8443 }],
    ['[fd00::5]', { scheme: 'http', host: 'fd00::5', port: 80 }],
    ['fd00::5', { scheme: 'http', host: 'fd00::5', port: 80 }],
    ['https://Phone-42.Example.lan', { scheme: 'https', host: 'phone-42.example.lan', port: 443 }],
    ['HTTP://10.0.0.1:81/', { scheme: 'http', host: '10.0.0.1', port: 81 }],
    ['https://[fd00::1]:444', { scheme: 'https', host: 'fd00::1', port: 444 }],
  ])('%s', (input, expected) => {
    expect(parsePhoneAddress(input)).toEqual(expected);
  });

  it.each([
    ['', /empty/],
    ['ftp://10.1.2.3', /scheme/],
    ['http://admin:pw@10.1.2.3', /username and password in their own fields/],
    ['10.1.2.3/CGI/Execute', /path/],
    ['10.1.2.3:0', /port number/],
    ['10.1.2.3:99999', /port number/],
    ['10.1.2.3:http', /port number/],
    ['10.1.2.300', /IPv4/],
    ['[fd00::5', /unclosed/],
    ['[10.1.2.3]:80', /not an IPv6/],
    ['fd00::zz', /IPv6/],
    ['bad_host!', /host name/],
    ['a b', /spaces/],
    ['-phone.lan', /host name/],
  ])('refuses %j with a specific message', (input, message) => {
    expect(() => parsePhoneAddress(input)).toThrow(InvalidPhoneAddress);
    expect(() => parsePhoneAddress(input)).toThrow(message);
  });

  it('never echoes a password typed into the address', () => {
    try {
      parsePhoneAddress('http://admin:hunter2@10.1.2.3');
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('hunter2');
      expect((err as InvalidPhoneAddress).hint).toMatch(/Settings > Network Configuration/);
    }
  });

  it('normalizes keys and Host headers', () => {
    expect(phoneKey(parsePhoneAddress('10.1.2.3'))).toBe('http://10.1.2.3:80');
    expect(phoneKey(parsePhoneAddress('http://10.1.2.3:80/'))).toBe('http://10.1.2.3:80');
    expect(phoneKey(parsePhoneAddress('[FD00::5]:81'))).toBe('http://[fd00::5]:81');
    expect(hostHeader(parsePhoneAddress('https://phone.lan'))).toBe('phone.lan');
    expect(hostHeader(parsePhoneAddress('fd00::5'))).toBe('[fd00::5]');
    expect(hostHeader(parsePhoneAddress('10.1.2.3:8080'))).toBe('10.1.2.3:8080');
  });
});
