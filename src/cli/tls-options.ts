/**
 * The HTTPS trust options of every verb that talks to a phone or registers one (ring, screenshot,
 * status, doctor, phones add): one option per TlsPolicy mode, named like the mode, declared and
 * read here only.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { parsePhoneAddress, type TlsPolicy } from '../phone/index.js';
import { parseFingerprint, UsageError } from './io.js';

/** What commander parses from the three options. */
export interface TlsOptions {
  tlsPin?: string;
  tlsCa?: string;
  tlsInsecureSkipVerify?: boolean;
  /** The old names of `phones add`, hidden from help: given, they fail saying the new name. */
  tlsFingerprint?: string | boolean;
  tlsInsecure?: boolean;
}

/** Old option names and what they are called now. */
const RENAMED = [
  { key: 'tlsFingerprint', old: '--tls-fingerprint', now: '--tls-pin', usage: '--tls-pin SHA256' },
  { key: 'tlsInsecure', old: '--tls-insecure', now: '--tls-insecure-skip-verify', usage: '--tls-insecure-skip-verify' },
] as const;

/** Adds --tls-pin, --tls-ca and --tls-insecure-skip-verify to `cmd` (and the old names, hidden, to say they were renamed). */
export function withTlsOptions(cmd: Command): Command {
  return cmd
    .option('--tls-pin <sha256>', 'HTTPS phones: accept only the certificate with this SHA-256 fingerprint')
    .option('--tls-ca <file>', 'HTTPS phones: verify the certificate against this CA (PEM file)')
    .option('--tls-insecure-skip-verify', 'HTTPS phones: accept any certificate (unsafe)')
    .addOption(new Option('--tls-fingerprint [sha256]').hideHelp())
    .addOption(new Option('--tls-insecure').hideHelp());
}

/** The scheme of `address`, or undefined when it is no address at all (that error is reported where the address is checked). */
function schemeOf(address: string): 'http' | 'https' | undefined {
  try {
    return parsePhoneAddress(address).scheme;
  } catch {
    return undefined;
  }
}

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/**
 * The --tls-ca file as an absolute path (a registration keeps it, and the bot reads it from its own
 * working directory), once it is readable and looks like a PEM certificate; a UsageError otherwise.
 */
function caFileFrom(given: string): string {
  const file = resolve(given);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--tls-ca: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}). Give the path of the CA certificate, in PEM format.`);
  }
  if (!text.includes(PEM_CERTIFICATE)) {
    throw new UsageError(`--tls-ca: ${file} is not a PEM certificate (it has no "${PEM_CERTIFICATE}" line). Export the CA certificate as PEM (Base-64) and give that file.`);
  }
  return file;
}

/**
 * The trust chosen on the command line for the phone at `address`; undefined when none was chosen
 * (trust on first use, or the registration's saved choice). Throws a UsageError for an old option
 * name, two choices at once, a fingerprint that is not one, a choice for a plain-HTTP address (where
 * it would be ignored), or a CA file that cannot be read or is not PEM.
 */
export function tlsPolicyFrom(opts: TlsOptions, address: string): TlsPolicy | undefined {
  for (const r of RENAMED) {
    if (opts[r.key] !== undefined) throw new UsageError(`${r.old} is now ${r.now}: run the command again with ${r.usage}.`);
  }
  const given = [opts.tlsPin !== undefined && '--tls-pin', opts.tlsCa !== undefined && '--tls-ca', opts.tlsInsecureSkipVerify === true && '--tls-insecure-skip-verify'].filter(
    (name): name is string => name !== false,
  );
  if (given.length === 0) return undefined;
  if (given.length > 1) throw new UsageError(`Choose one of --tls-pin, --tls-ca and --tls-insecure-skip-verify (you gave ${given.join(' and ')}).`);
  const sha256 = opts.tlsPin === undefined ? undefined : parseFingerprint(opts.tlsPin, '--tls-pin');
  if (schemeOf(address) === 'http') {
    throw new UsageError(`${given[0]} applies to HTTPS phones only: write the address as https://${address.replace(/^http:\/\//i, '')}, or leave the option out for a plain-HTTP phone.`);
  }
  if (sha256 !== undefined) return { mode: 'pin', sha256 };
  return opts.tlsCa !== undefined ? { mode: 'ca', caFile: caFileFrom(opts.tlsCa) } : { mode: 'insecure-skip-verify' };
}
