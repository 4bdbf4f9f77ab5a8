/**
 * The simulated call manager (AXL + RisPort70) for tests, the demo and `rescue-ring sim --cucm`.
 * See types.ts for the options and README.md (src/sim) for where it guesses.
 */
import { SimulatedCallManager } from './server.js';
import type { SimCucmOptions } from './types.js';

export { simCallManagerOptions } from './client-options.js';
export { SimulatedCallManager, SIM_CUCM_USERNAME, SIM_CUCM_PASSWORD, SIM_CUCM_AXL_PATH, SIM_CUCM_RIS_PATH } from './server.js';
export type { SimCucmAccount, SimCucmDevice, SimCucmFaults, SimCucmOptions, SimCucmRequest, SimCucmUser, SimDeviceStatus } from './types.js';

export function startCallManagerSim(options: SimCucmOptions = {}): Promise<SimulatedCallManager> {
  return SimulatedCallManager.start(options);
}
