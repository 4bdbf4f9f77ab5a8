/**
 * The kinds of value a setting may hold, as zod schemas from the variable's text (already trimmed;
 * a blank variable never reaches them) to its typed value. Each refusal says what was expected and,
 * unless the value may be secret, what it was; the variable's name is put in front by the reader.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { z } from 'zod';
import { normalizeFingerprint } from '../phone/client.js';

type Parser<T> = z.ZodType<T, z.ZodTypeDef, string>;

const refuse = (ctx: z.RefinementCtx, message: string): never => {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
};

/** Any text. */
export const text = (): Parser<string> => z.string();

/** A whole number, optionally within a range (named in the message only when both ends are set). */
export function int(range: { min?: number; max?: number } = {}): Parser<number> {
  const { min, max } = range;
  return z.string().transform((raw, ctx) => {
    const n = Number(raw);
    if (Number.isInteger(n) && (min === undefined || n >= min) && (max === undefined || n <= max)) return n;
    const between = min !== undefined && max !== undefined ? ` between ${min} and ${max}` : '';
    return refuse(ctx, `must be a whole number${between}; it is "${raw}"`);
  });
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/** true/false, also 1/0, yes/no, on/off, in any case. */
export const bool = (): Parser<boolean> =>
  z.string().transform((raw, ctx) => {
    const v = raw.toLowerCase();
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    return refuse(ctx, `must be true or false; it is "${raw}"`);
  });

/** A comma-separated list, each item trimmed, empty items dropped. */
export const list = (): Parser<string[]> =>
  z.string().transform((raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );

/** One of a fixed set of words. */
export const oneOf = <const T extends readonly string[]>(values: T): Parser<T[number]> =>
  z.string().transform((raw, ctx) => ((values as readonly string[]).includes(raw) ? (raw as T[number]) : refuse(ctx, `must be one of ${values.join(', ')}; it is "${raw}"`)));

/** Text that must start with `prefix`, else `message`; the value is never repeated (it is a secret). */
export const prefixed = (prefix: string, message: string): Parser<string> => z.string().refine((raw) => raw.startsWith(prefix), message);

/** An http:// or https:// URL. */
export const httpUrl = (example: string): Parser<string> =>
  z.string().transform((raw, ctx) => (/^https?:\/\/[^/\s]+/.test(raw) ? raw : refuse(ctx, `must be an http(s) URL such as ${example}; it is "${raw}"`)));

/** A Postgres URL; never repeated, since it may hold the database password. */
export const postgresUrl = (): Parser<string> =>
  z.string().refine((raw) => /^postgres(ql)?:\/\/[^/]/i.test(raw), 'must be a Postgres URL such as postgres://USER:PASSWORD@HOST:5432/DATABASE (or unset it to use SQLite in DATA_DIR)');

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/** The path of a readable PEM certificate file. */
export const pemFile = (): Parser<string> =>
  z.string().transform((path, ctx) => {
    let body: string;
    try {
      accessSync(path, constants.R_OK);
      body = readFileSync(path, 'utf8');
    } catch (err) {
      return refuse(ctx, `cannot be read: ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); give the path of the CA certificate, in PEM format`);
    }
    if (!body.includes(PEM_CERTIFICATE)) return refuse(ctx, `is not a PEM certificate: ${path} has no "${PEM_CERTIFICATE}" line; export the CA certificate as PEM (Base-64)`);
    return path;
  });

/** A SHA-256 certificate fingerprint as the phones' --tls-pin takes it (64 hex digits, colons allowed), as uppercase hex with colons. */
export const sha256Fingerprint = (): Parser<string> =>
  z.string().transform((raw, ctx) => {
    const hex = raw.replace(/:/g, '');
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) return refuse(ctx, `must be a SHA-256 fingerprint: 64 hexadecimal digits, colons allowed; it is "${raw}"`);
    return normalizeFingerprint(hex);
  });
