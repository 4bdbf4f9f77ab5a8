/** The simulated call manager's client settings, for the call-manager tests and the test world. */
export { simCallManagerOptions as simOptions } from '../../src/sim/cucm/index.js';
