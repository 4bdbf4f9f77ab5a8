/** The simulated call manager's client settings, shared by the call-manager tests and the test world. */
import type { CallManagerOptions } from '../../src/callmanager/index.js';
import { SIM_CUCM_PASSWORD, SIM_CUCM_USERNAME } from '../../src/sim/cucm/index.js';

/** The settings rescue-ring would read for the simulated call manager at `url` (the documented defaults). */
export function simOptions(url: string, overrides: Partial<CallManagerOptions> = {}): CallManagerOptions {
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
