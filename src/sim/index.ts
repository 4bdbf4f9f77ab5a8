/**
 * The Cisco phone simulator: `startPhone` for one phone, `startSimulator` for several in one process.
 * See src/sim/types.ts for the options and the programmatic API (faults, request log, display).
 */
export { startPhone, startSimulator } from './simulator.js';
export type {
  PhoneSimulator, ReceivedRequest, ScreenshotFormat, SimDisplay, SimFaults, SimPhone, SimPhoneOptions,
} from './types.js';
