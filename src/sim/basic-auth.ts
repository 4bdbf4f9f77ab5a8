/**
 * HTTP Basic credentials as a phone checks them (the phone forwards them to its authentication URL;
 * the simulator compares them with its configured user).
 */
import { timingSafeEqual } from 'node:crypto';

export type AuthResult = 'none' | 'bad' | 'ok';

export function checkBasicAuth(header: string | undefined, username: string, password: string): AuthResult {
  if (header === undefined) return 'none';
  const match = /^\s*Basic(?:\s+(\S*))?\s*$/i.exec(header);
  if (!match) return 'none';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(match[1] ?? '')) return 'bad';
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'bad';
  const ok = same(decoded.slice(0, colon), username) && same(decoded.slice(colon + 1), password);
  return ok ? 'ok' : 'bad';
}

function same(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
