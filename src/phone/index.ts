/** The phone-command module's public API. Knows nothing of Slack or storage. */
export * from './types.js';
export * from './errors.js';
export { DEFAULT_TONE, DEFAULT_TONES, DENIED_TONES, TONE_NAME_PATTERN } from './tones.js';
export { parsePhoneAddress, phoneKey, hostHeader, type PhoneAddress, type PhoneScheme } from './address.js';
export {
  DEFAULT_ALLOWED_NETWORKS,
  createNetworkPolicy,
  checkPhoneAddress,
  refusalReason,
  type NetworkPolicy,
  type CheckedPhoneAddress,
  type LookupAll,
} from './network-policy.js';
export {
  buildExecute,
  buildText,
  escapeXml,
  formBody,
  playUri,
  validateTone,
  LEGACY_OBJECT_LIMIT,
  MODERN_OBJECT_LIMIT,
  type PhoneText,
  type ToneRules,
} from './xml.js';
export { parseReply, interpretExecuteReply, type ParsedReply, type RawReply } from './parse.js';
export {
  PhoneClient,
  normalizeFingerprint,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RESPONSE_TIMEOUT_MS,
  type PhoneClientOptions,
  type PhoneOperation,
  type PhoneRequestObservation,
  type PhoneTarget,
  type PhoneReply,
  type RequestOptions,
  type GetOptions,
} from './client.js';
export { ring, DEFAULT_RINGS, DEFAULT_INTERVAL_MS, DEFAULT_RING_PRIORITY, MAX_RINGS, realPause, type RingExtraOptions, type RingPause } from './ring.js';
export { screenshot } from './screenshot.js';
export { status, parseDeviceInformation, type DeviceInformation } from './status.js';
export { diagnose } from './diagnose.js';
export {
  PhoneInCall,
  inCallNotice,
  CallCheckMemory,
  callCheckMemoryFor,
  checkCall,
  CALL_CHECK_PATH,
  DEFAULT_CALL_CHECK_TIMEOUT_MS,
  type CallState,
  type CallCheckMemoryOptions,
  type CheckCallOptions,
} from './call-check.js';
export {
  validateCoverStory,
  coverStoryXml,
  pushCoverStory,
  InvalidCoverStory,
  MAX_COVER_TITLE_CHARS,
  MAX_COVER_TEXT_CHARS,
  COVER_STORY_TIMEOUT_MS,
  type CoverStoryRules,
  type CoverStoryPush,
} from './cover-story.js';
export {
  parseRingList,
  InvalidRingList,
  MAX_RING_LIST_ENTRIES,
  MAX_RING_NAME_CHARS,
  type RingList,
  type RingListTone,
  type RingListProblem,
} from './ring-list.js';
