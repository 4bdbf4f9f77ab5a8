/**
 * The call manager (CUCM) connection, optional: without CUCM_URL there is none and nothing of it is
 * checked beyond each variable's own form. With it, the account is required.
 */
import type { CallManagerOptions } from '../callmanager/types.js';
import { part } from './read.js';

/** The call-manager module owns its settings type; config only reads the environment into it. */
export type CallManagerConfig = CallManagerOptions;

export const callManagerPart = part(
  [
    'CUCM_URL',
    'CUCM_USERNAME',
    'CUCM_PASSWORD',
    'CUCM_AXL_VERSION',
    'CUCM_TLS_CA_FILE',
    'CUCM_TLS_FINGERPRINT',
    'CUCM_TLS_TRUST_ON_FIRST_USE',
    'CUCM_PHONE_PORT',
    'CUCM_PHONE_SCHEME',
    'CUCM_ADDRESS_CACHE_SECONDS',
    'CUCM_RIS_PER_MINUTE',
    'CUCM_STALE_ADDRESS_SECONDS',
  ],
  ({ values: v, given, problem }): CallManagerConfig | undefined => {
    const trust = [given('CUCM_TLS_CA_FILE') && 'CUCM_TLS_CA_FILE', given('CUCM_TLS_FINGERPRINT') && 'CUCM_TLS_FINGERPRINT', v.CUCM_TLS_TRUST_ON_FIRST_USE && 'CUCM_TLS_TRUST_ON_FIRST_USE'].filter(
      (name): name is string => name !== false,
    );
    if (trust.length > 1) problem(`${trust.join(' and ')} are both set; choose one way to trust the call manager's certificate`);
    if (!given('CUCM_URL')) return undefined;
    for (const name of ['CUCM_USERNAME', 'CUCM_PASSWORD'] as const) {
      if (!given(name)) problem(`${name} is missing: the call manager account rescue-ring signs in as is required when CUCM_URL is set (see README.md#configuration)`);
    }
    if (v.CUCM_URL === undefined) return undefined;
    return {
      url: v.CUCM_URL,
      username: v.CUCM_USERNAME ?? '',
      password: v.CUCM_PASSWORD ?? '',
      axlVersion: v.CUCM_AXL_VERSION,
      tls: {
        ...(v.CUCM_TLS_CA_FILE !== undefined ? { caFile: v.CUCM_TLS_CA_FILE } : {}),
        ...(v.CUCM_TLS_FINGERPRINT !== undefined ? { fingerprint: v.CUCM_TLS_FINGERPRINT } : {}),
        trustOnFirstUse: v.CUCM_TLS_TRUST_ON_FIRST_USE,
      },
      phonePort: v.CUCM_PHONE_PORT,
      phoneScheme: v.CUCM_PHONE_SCHEME,
      addressCacheSeconds: v.CUCM_ADDRESS_CACHE_SECONDS,
      risPerMinute: v.CUCM_RIS_PER_MINUTE,
      staleAddressSeconds: v.CUCM_STALE_ADDRESS_SECONDS,
    };
  },
);
