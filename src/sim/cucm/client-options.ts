/** What rescue-ring reads to use a simulated call manager: its account and the documented defaults. */
import type { CallManagerOptions } from '../../callmanager/types.js';
import { SIM_CUCM_PASSWORD, SIM_CUCM_USERNAME } from './server.js';

/** The settings (CUCM_*) for the simulated call manager at `url`, each at its documented default unless overridden. */
export function simCallManagerOptions(url: string, overrides: Partial<CallManagerOptions> = {}): CallManagerOptions {
  return {
    url,
    username: SIM_CUCM_USERNAME,
    password: SIM_CUCM_PASSWORD,
    axlVersion: '12.5',
    tls: { trustOnFirstUse: false },
    phonePort: 80,
    phoneScheme: 'http',
    addressCacheSeconds: 300,
    risPerMinute: 10,
    staleAddressSeconds: 86_400,
    ...overrides,
  };
}
