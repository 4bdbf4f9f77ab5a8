/**
 * Which addresses rescue-ring may send HTTP to (SSRF guard). Users type phone addresses, so every
 * address is resolved, EVERY resolved address is checked, and the connection later goes to an
 * address that was checked (the client never resolves the name again: no DNS rebinding).
 *
 * Rules: an address must lie in one of the allowed networks (PHONE_ALLOWED_NETWORKS, default the
 * private ranges). Loopback, link-local (incl. the cloud metadata address 169.254.169.254),
 * unspecified, multicast and broadcast are refused even inside a broad allowed range (0.0.0.0/0)
 * unless an allowed entry lies entirely within that special range (e.g. 127.0.0.0/8 for the simulator).
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { InvalidNetworkPolicy, PhoneAddressRefused, PhoneUnreachable } from './errors.js';
import { parsePhoneAddress, type PhoneAddress } from './address.js';
import { abortReason } from './queue.js';

export const DEFAULT_ALLOWED_NETWORKS: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];

type Family = 'ipv4' | 'ipv6';

interface Cidr {
  text: string;
  family: Family;
  prefix: number;
  list: BlockList;
  /** IPv4 only: the network and its mask as unsigned 32-bit numbers (the per-request check, without a BlockList lookup). */
  v4?: { network: number; mask: number };
}

interface SpecialRange extends Cidr {
  label: string;
}

export interface NetworkPolicy {
  /** The allowed networks as given (normalized text). */
  readonly allowed: readonly string[];
  /** Internal: parsed entries. */
  readonly entries: readonly Cidr[];
}

function cidr(text: string): Cidr {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) throw new InvalidNetworkPolicy(`"${text}" is not a network in CIDR form (address/prefix, e.g. 10.0.0.0/8)`);
  const ip = m[1]!;
  const prefix = Number(m[2]);
  const v = isIP(ip);
  if (v === 0) throw new InvalidNetworkPolicy(`"${text}": "${ip}" is not an IP address`);
  const family: Family = v === 4 ? 'ipv4' : 'ipv6';
  if (prefix > (v === 4 ? 32 : 128)) throw new InvalidNetworkPolicy(`"${text}": the prefix must be at most ${v === 4 ? 32 : 128}`);
  const list = new BlockList();
  list.addSubnet(ip, prefix, family);
  const entry: Cidr = { text: `${ip.toLowerCase()}/${prefix}`, family, prefix, list };
  if (v === 4) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    entry.v4 = { network: (ipv4Number(ip) & mask) >>> 0, mask };
  }
  return entry;
}

/** A dotted-quad IPv4 address (as net.isIP accepts it: four decimal bytes) as an unsigned 32-bit number. */
function ipv4Number(ip: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + part;
      part = 0;
    } else part = part * 10 + (c - 48);
  }
  return n * 256 + part;
}

/** Whether `ip` (of the entry's family) lies in the entry's network: plain arithmetic for IPv4, the BlockList for IPv6. */
function contains(entry: Cidr, ip: string, ip4: number | undefined): boolean {
  if (entry.v4 !== undefined) return ip4 !== undefined && ((ip4 & entry.v4.mask) >>> 0) === entry.v4.network;
  return entry.list.check(ip, entry.family);
}

const SPECIAL: readonly SpecialRange[] = [
  ['0.0.0.0/8', 'an unspecified ("this network") address'],
  ['127.0.0.0/8', 'a loopback address (this server itself)'],
  ['169.254.0.0/16', 'a link-local address (this includes the cloud metadata service)'],
  ['224.0.0.0/4', 'a multicast address'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['::/128', 'the unspecified address'],
  ['::1/128', 'a loopback address (this server itself)'],
  ['fe80::/10', 'a link-local address'],
  ['ff00::/8', 'a multicast address'],
].map(([text, label]) => ({ ...cidr(text!), label: label! }));

/** Build a policy from CIDR strings; throws InvalidNetworkPolicy naming the bad entry. */
export function createNetworkPolicy(allowed: readonly string[] = DEFAULT_ALLOWED_NETWORKS): NetworkPolicy {
  const entries = allowed.map((a) => a.trim()).filter((a) => a !== '').map(cidr);
  return { allowed: entries.map((e) => e.text), entries };
}

/** `::ffff:10.1.2.3` → `10.1.2.3`; other addresses unchanged. */
export function normalizeIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip.toLowerCase();
}

/** Why an IP is refused, or undefined when it is allowed. */
export function refusalReason(ipInput: string, policy: NetworkPolicy): string | undefined {
  const ip = normalizeIp(ipInput);
  const v = isIP(ip);
  if (v === 0) return `"${ip}" is not an IP address`;
  const family: Family = v === 4 ? 'ipv4' : 'ipv6';
  const ip4 = v === 4 ? ipv4Number(ip) : undefined;
  const containing = policy.entries.filter((e) => e.family === family && contains(e, ip, ip4));
  const special = SPECIAL.find((s) => s.family === family && contains(s, ip, ip4));
  if (special) {
    const explicit = containing.some((e) => e.prefix >= special.prefix);
    if (!explicit) return `${ip} is ${special.label}, which is refused unless ${special.text} (or a part of it) is listed in PHONE_ALLOWED_NETWORKS`;
    return undefined;
  }
  if (containing.length === 0) return `${ip} is outside the allowed networks (${policy.allowed.join(', ') || 'none'})`;
  return undefined;
}

export type LookupAll = (host: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: LookupAll = (host) => dnsLookup(host, { all: true, verbatim: true });

export interface CheckedPhoneAddress extends PhoneAddress {
  /** The resolved addresses, every one allowed; connect to one of these, never to `host`. */
  ips: string[];
}

export interface CheckAddressOptions {
  /** Stops waiting for DNS (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Longest wait for DNS; beyond it the name counts as unresolvable (PhoneUnreachable). Default: no limit of our own. */
  timeoutMs?: number;
}

/**
 * Parse, resolve and check a phone address. Throws InvalidPhoneAddress, PhoneUnreachable (DNS
 * failure or no DNS answer within `timeoutMs`) or PhoneAddressRefused (with the specific reason);
 * an abort rejects with the signal's reason. Use at registration and before each request.
 */
export async function checkPhoneAddress(
  address: string | PhoneAddress,
  policy: NetworkPolicy,
  lookup: LookupAll = systemLookup,
  options: CheckAddressOptions = {},
): Promise<CheckedPhoneAddress> {
  const parsed = typeof address === 'string' ? parsePhoneAddress(address) : address;
  let ips: string[];
  if (isIP(parsed.host) !== 0) {
    return checkIpAddress(parsed, policy)!;
  } else {
    try {
      ips = [...new Set((await bounded(lookup(parsed.host), options)).map((r) => normalizeIp(r.address)))];
    } catch (err) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      throw new PhoneUnreachable(`The phone's host name ${parsed.host} could not be resolved (${dnsCode(err)})`, { cause: err });
    }
    if (ips.length === 0) throw new PhoneUnreachable(`The phone's host name ${parsed.host} has no address`);
  }
  return checked(parsed, ips, policy);
}

/**
 * checkPhoneAddress for an address whose host is an IP address, answered at once (no DNS to wait for):
 * the same result or PhoneAddressRefused. Undefined when the host is a name.
 */
export function checkIpAddress(address: PhoneAddress, policy: NetworkPolicy): CheckedPhoneAddress | undefined {
  if (isIP(address.host) === 0) return undefined;
  return checked(address, [normalizeIp(address.host)], policy);
}

function checked(parsed: PhoneAddress, ips: string[], policy: NetworkPolicy): CheckedPhoneAddress {
  for (const ip of ips) {
    const reason = refusalReason(ip, policy);
    if (reason !== undefined) {
      const via = ip === parsed.host ? '' : ` (${parsed.host} resolves to ${ip})`;
      throw new PhoneAddressRefused(`Phone address ${parsed.host} refused${via}: ${reason}`, parsed.host);
    }
  }
  return { ...parsed, ips };
}

/**
 * The lookup, given up on when the signal aborts or the time runs out. getaddrinfo itself cannot be
 * cancelled: it finishes in the background and its answer is dropped.
 */
function bounded<T>(work: Promise<T>, { signal, timeoutMs }: CheckAddressOptions): Promise<T> {
  if (signal === undefined && timeoutMs === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const settle = (fn: () => void): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => settle(() => reject(abortReason(signal!)));
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => settle(() => reject(Object.assign(new Error(`no DNS answer within ${timeoutMs} ms`), { code: 'DNS_TIMEOUT' }))), timeoutMs);
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => settle(() => resolve(v)),
      (e: unknown) => settle(() => reject(e)),
    );
  });
}

function dnsCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'DNS_TIMEOUT') return (err as Error).message;
  return typeof code === 'string' ? code : 'lookup failed';
}
