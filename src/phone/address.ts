/**
 * Phone addresses as people type them: `host`, `host:port`, `[v6]`, `[v6]:port`, a bare IPv6
 * address, or `http(s)://host[:port][/]`. Nothing else (no path, no user:password@, no query).
 */
import { isIP } from 'node:net';
import { InvalidPhoneAddress } from './errors.js';

export type PhoneScheme = 'http' | 'https';

export interface PhoneAddress {
  scheme: PhoneScheme;
  /** Host name (lower-case) or IP address, IPv6 without brackets. */
  host: string;
  port: number;
}

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function parsePhoneAddress(input: string): PhoneAddress {
  const raw = input.trim();
  if (raw === '') throw new InvalidPhoneAddress('The phone address is empty');
  if (raw.length > 300) throw new InvalidPhoneAddress('The phone address is too long');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  if (/[\s\u0000-\u001f\u007f]/.test(raw)) throw new InvalidPhoneAddress('The phone address contains spaces or control characters');

  let scheme: PhoneScheme = 'http';
  let rest = raw;
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  if (schemeMatch) {
    const s = schemeMatch[1]!.toLowerCase();
    if (s !== 'http' && s !== 'https') {
      throw new InvalidPhoneAddress(`"${s}://" is not a phone address scheme: use http:// or https://`);
    }
    scheme = s;
    rest = raw.slice(schemeMatch[0].length);
    if (rest.endsWith('/')) rest = rest.slice(0, -1);
  }
  if (rest.includes('@')) throw new InvalidPhoneAddress('Put the username and password in their own fields, not in the phone address');
  if (/[/?#]/.test(rest)) throw new InvalidPhoneAddress('The phone address must not contain a path: give only the host and, if needed, a port');

  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
    if (!m) throw new InvalidPhoneAddress(`"${clip(raw)}" has an unclosed "[": write IPv6 addresses as [fd00::5] or [fd00::5]:8080`);
    host = m[1]!;
    portText = m[2];
    if (isIP(host) !== 6) throw new InvalidPhoneAddress(`"${clip(host)}" inside [] is not an IPv6 address`);
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    if (isIP(rest) !== 6) throw new InvalidPhoneAddress(`"${clip(raw)}" is not a valid IPv6 address; add a port as [address]:port`);
    host = rest;
  } else {
    const i = rest.indexOf(':');
    host = i === -1 ? rest : rest.slice(0, i);
    portText = i === -1 ? undefined : rest.slice(i + 1);
  }

  host = host.toLowerCase();
  if (host === '') throw new InvalidPhoneAddress('The phone address has no host');
  if (isIP(host) === 0) validateHostName(host, raw);

  let port = scheme === 'https' ? 443 : 80;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new InvalidPhoneAddress(`"${clip(portText)}" is not a port number (1 to 65535)`);
    }
    port = Number(portText);
  }
  return { scheme, host, port };
}

function validateHostName(host: string, raw: string): void {
  if (/^[\d.]+$/.test(host)) throw new InvalidPhoneAddress(`"${clip(raw)}" is not a valid IPv4 address`);
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 253 || !name.split('.').every((l) => HOST_LABEL.test(l))) {
    throw new InvalidPhoneAddress(`"${clip(raw)}" is not a valid host name`);
  }
}

/** `host` or `[v6]` as it appears in a URL authority. */
export function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** The normalized address, e.g. `http://10.1.2.3:80`: one key per phone (queues, logs). */
export function phoneKey(a: PhoneAddress): string {
  return `${a.scheme}://${hostForUrl(a.host)}:${a.port}`;
}

/** The `Host` header value: port omitted when it is the scheme's default. */
export function hostHeader(a: PhoneAddress): string {
  const def = a.scheme === 'https' ? 443 : 80;
  return a.port === def ? hostForUrl(a.host) : `${hostForUrl(a.host)}:${a.port}`;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
