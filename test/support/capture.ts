/**
 * Capturing everything a process says (pino lines, child process output) and looking for secrets
 * in it, in every form a secret could leak: as typed, JSON-escaped, URL- or form-encoded,
 * XML-escaped, hex, and base64/base64url at any alignment (so a secret inside a larger base64
 * blob, such as an HTTP Basic `user:password` header, is found too).
 */
import { Writable } from 'node:stream';

/** A pino destination that keeps every line. */
export class LogCapture {
  readonly chunks: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, cb) => {
      this.chunks.push(chunk.toString('utf8'));
      cb();
    },
  });

  text(): string {
    return this.chunks.join('');
  }

  /** Parsed JSON lines (pino writes one object per line). */
  lines(): Record<string, unknown>[] {
    return this.text()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface Secret {
  name: string;
  value: string | Buffer;
}

export interface Variant {
  label: string;
  bytes: Buffer;
}

/** base64 of `bytes` as it appears when preceded by `offset` other bytes: only the characters fully determined by `bytes`. */
function base64Inside(bytes: Buffer, offset: number, url: boolean): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(url ? 'base64url' : 'base64');
  let out = '';
  for (let i = 0; i < encoded.length; i++) {
    const first = Math.floor((6 * i) / 8);
    const last = Math.floor((6 * i + 5) / 8);
    if (first >= offset && last <= offset + bytes.length - 1) out += encoded[i];
  }
  return out;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** Every encoding of a secret worth looking for. Variants shorter than 8 characters are dropped (too likely by chance). */
export function variants(secret: string | Buffer): Variant[] {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  const out: Variant[] = [];
  const add = (label: string, v: string | Buffer) => {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    if (b.length >= 8 && !out.some((o) => o.bytes.equals(b))) out.push({ label, bytes: b });
  };
  add('raw', bytes);
  if (typeof secret === 'string') {
    add('json-escaped', JSON.stringify(secret).slice(1, -1));
    add('url-encoded', encodeURIComponent(secret));
    add('form-encoded', new URLSearchParams({ x: secret }).toString().slice(2));
    add('xml-escaped', xmlEscape(secret));
  }
  add('hex', bytes.toString('hex'));
  add('HEX', bytes.toString('hex').toUpperCase());
  for (const offset of [0, 1, 2]) {
    add(`base64@${offset}`, base64Inside(bytes, offset, false));
    add(`base64url@${offset}`, base64Inside(bytes, offset, true));
  }
  return out;
}

/** Where each secret shows up in `haystack`, as "where: NAME (variant)"; empty when none does. */
export function findSecrets(where: string, haystack: string | Buffer, secrets: readonly Secret[]): string[] {
  const hay = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  const found: string[] = [];
  for (const s of secrets) {
    for (const v of variants(s.value)) {
      if (hay.includes(v.bytes)) found.push(`${where}: ${s.name} (${v.label})`);
    }
  }
  return found;
}
