/** The use cases. Slack, the CLI and the demo all call these; none of them talks to a phone directly. */
export { ActiveRescues } from './active.js';
export { assertMayRing, isAdmin } from './consent.js';
export { rescueDeps, type RescueDeps } from './deps.js';
export { audit, auditError, outcomeOf } from './audit.js';
export { recentRescues, type RescueHistoryEntry, type RescueHistoryPage } from './history.js';
export { startHousekeeping } from './housekeeping.js';
export { formatWait, rulesFor, takeRescueSlot } from './limits.js';
export { awaitsPin, rememberCertificate } from './pin.js';
export * from './errors.js';
export { forgetPhone } from './forget.js';
export { findRegistration, requireRegistration } from './lookup.js';
export { phoneFor, ringPlanFor } from './phone-for.js';
export { registerPhone, type RegisterInput } from './register.js';
export { startRescue, stopMyRescues, stopRescue, type RescueHandle, type RescueOutcome, type RescueRequest } from './rescue.js';
export { takeScreenshot } from './screenshot.js';
export { readRescueSettings, INTERVAL_RANGE, RINGS_RANGE, type RescueSettings, type PhoneDefaults, type RescueLimits } from './settings.js';
export { phoneStatus } from './status.js';
