/** Wires one call manager: one transport (same host for both APIs), the AXL and RisPort clients, the budget and the resolver. */
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { AxlClient } from './axl.js';
import { MemoryRisBudget, type RisBudget } from './budget.js';
import { AddressResolver } from './resolver.js';
import { RisPortClient } from './risport.js';
import { SoapTransport } from './soap.js';
import type { CallManagerOptions, CallManagerTimeouts } from './types.js';

export interface CallManagerDeps {
  clock?: () => Date;
  logger?: Logger;
  timeouts?: CallManagerTimeouts;
  /** Default: in memory, options.risPerMinute a sliding minute. Postgres-backed across replicas later. */
  budget?: RisBudget;
  /** Called once with the fingerprint trusted on first use (store it, then pass it as tls.fingerprint). */
  onCertificateTrusted?: (sha256: string) => void;
  /** Resolver batching window; default 5 ms. */
  batchWindowMs?: number;
  /** Least real time between two RisPort queries of the resolver; default 1 s. */
  minQueryIntervalMs?: number;
}

export interface CallManager {
  readonly options: Omit<CallManagerOptions, 'password'>;
  readonly axl: AxlClient;
  readonly risport: RisPortClient;
  readonly resolver: AddressResolver;
  /** The fingerprint the call manager presented last (HTTPS). */
  certificateSha256(): string | undefined;
  close(): Promise<void>;
}

export function createCallManager(options: CallManagerOptions, deps: CallManagerDeps = {}): CallManager {
  const logger = deps.logger ?? silentLogger();
  const transport = new SoapTransport({
    url: options.url,
    username: options.username,
    password: options.password,
    tls: options.tls,
    logger,
    ...(deps.timeouts ? { timeouts: deps.timeouts } : {}),
    ...(deps.onCertificateTrusted ? { onCertificateTrusted: deps.onCertificateTrusted } : {}),
  });
  const budget = deps.budget ?? new MemoryRisBudget(options.risPerMinute);
  const risport = new RisPortClient(transport, { budget, ...(deps.clock ? { clock: deps.clock } : {}) });
  const axl = new AxlClient(transport, options.axlVersion);
  const resolver = new AddressResolver(risport, {
    addressCacheSeconds: options.addressCacheSeconds,
    staleAddressSeconds: options.staleAddressSeconds,
    logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.batchWindowMs !== undefined ? { batchWindowMs: deps.batchWindowMs } : {}),
    ...(deps.minQueryIntervalMs !== undefined ? { minQueryIntervalMs: deps.minQueryIntervalMs } : {}),
  });
  const { password: _password, ...shown } = options;
  return {
    options: shown,
    axl,
    risport,
    resolver,
    certificateSha256: () => transport.certificateSha256,
    close: () => transport.close(),
  };
}

/** The phone address rescue-ring uses for a device at `ip`: CUCM_PHONE_SCHEME://ip:CUCM_PHONE_PORT. */
export function phoneAddressFor(ip: string, options: Pick<CallManagerOptions, 'phonePort' | 'phoneScheme'>): string {
  return `${options.phoneScheme}://${ip}:${options.phonePort}`;
}
