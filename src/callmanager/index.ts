/**
 * The call-manager module (Cisco Unified Communications Manager): who owns which desk phone (AXL) and
 * where each phone is right now (RisPort70). Knows nothing of Slack or the store, like src/phone.
 *
 * Design:
 * - SOAP by hand (soap.ts): undici, HTTP Basic, no redirects, connect + total deadlines, answers capped
 *   at 4 MiB, fast-xml-parser with entity processing off and any DOCTYPE refused (xml.ts). TLS: CA file,
 *   pinned SHA-256 fingerprint, or trust on first use (the fingerprint is reported through
 *   onCertificateTrusted for the caller to store), else the system CAs. Fingerprints are normalised with
 *   src/phone's normalizeFingerprint. Every failure is one typed AppError (errors.ts), naming the API so
 *   the hint names the missing role; the password is in no message and no log line.
 * - RisPort70 (risport.ts): selectCmDeviceExt by name, all nodes, ≤1000 names a query; newest TimeStamp
 *   wins across nodes; only Registered + IPv4 gives an address. Every query takes one from a RisBudget
 *   (budget.ts: a sliding minute, in memory by default, an interface so Postgres can back it across
 *   replicas) before it is sent, so nothing built on the client can exceed CUCM_RIS_PER_MINUTE.
 * - AXL (axl.ts): executeSQLQuery on enduser.mailid (listUser cannot filter by e-mail), devices =
 *   controlled (enduserdevicemap) ∪ owned (device.fkenduser) with typemodel names; the bulk listing pages
 *   users by SKIP/FIRST and halves pages on AXL's -1 "Query request too large".
 * - Resolver (resolver.ts): cache for addressCacheSeconds, lookups within a few ms coalesced into one
 *   query (in-flight dedup), queries at least 1 s apart (so a burst spread over a second makes two),
 *   refresh(name) when a cached address does not answer, and the last known address for
 *   staleAddressSeconds when RisPort is down or over its rate.
 * - Device names (device-name.ts): SEP + 12 hex = desk phone (capitals), CSF/BOT/TCT/TAB = softphone
 *   (shown, never rung), anything else = other.
 * The simulated call manager for tests, the demo and `rescue-ring sim` is src/sim/cucm.
 */
export * from './types.js';
export * from './errors.js';
export { classifyDevice, isDeskPhoneName, normalizeDeskPhoneName, checkDeviceName } from './device-name.js';
export { MemoryRisBudget, RIS_WINDOW_MS, type RisBudget } from './budget.js';
export { RisPortClient, RISPORT_PATH, MAX_DEVICES_PER_QUERY, type RisPortClientOptions } from './risport.js';
export { AxlClient, AXL_PATH, DEFAULT_BULK_PAGE, checkEmail } from './axl.js';
export { AddressResolver, DEFAULT_BATCH_WINDOW_MS, DEFAULT_MIN_QUERY_INTERVAL_MS, type AddressResolverOptions } from './resolver.js';
export { SoapTransport, MAX_SOAP_BYTES, DEFAULT_CONNECT_MS, DEFAULT_TOTAL_MS, type SoapTransportOptions } from './soap.js';
export { createCallManager, phoneAddressFor, type CallManager, type CallManagerDeps } from './call-manager.js';
