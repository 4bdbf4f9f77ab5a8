/**
 * Organisation-wide settings the use cases need: phone defaults, the tone list, who is an admin,
 * and the abuse limits. src/config reads them from the environment once, at start-up.
 */

export interface PhoneDefaults {
  /** Service account shared by the office's phones (PHONE_DEFAULT_USERNAME / _PASSWORD). */
  username?: string;
  password?: string;
  tone: string;
  rings: number;
  intervalSeconds: number;
}

/**
 * Abuse limits (see limits.ts for which request counts toward which):
 * RESCUE_TARGET_COOLDOWN_SECONDS (0 = off), RESCUE_TARGET_PER_HOUR, RESCUE_REQUESTER_PER_MINUTE.
 */
export interface RescueLimits {
  /** Minimum seconds between two rescues of the same target; 0 turns the cooldown off. */
  targetCooldownSeconds: number;
  /** Most rescues of one target per hour. */
  targetPerHour: number;
  /** Most rescues one requester may start per minute. */
  requesterPerMinute: number;
}

export interface RescueSettings {
  defaults: PhoneDefaults;
  /** Tones offered in settings; never contains a denied tone. */
  tones: string[];
  adminUserIds: string[];
  allowTeammateRescue: boolean;
  limits: RescueLimits;
  /** Audit entries older than this many days are pruned by the housekeeping job (AUDIT_RETENTION_DAYS). */
  auditRetentionDays: number;
  /**
   * CALL_CHECK (default true): before each Play, ask the phone whether it is in a call and do not ring
   * if it is. Turn off only for a deployment whose phones answer the check wrongly.
   */
  callCheck?: boolean;
  /** Where `tones` came from: PHONE_TONES, or the built-in list. An imported ring list overrides both (see tones.ts). */
  tonesFrom?: 'PHONE_TONES' | 'default';
}

export const RINGS_RANGE = { min: 1, max: 10 } as const;
export const INTERVAL_RANGE = { min: 1, max: 30 } as const;
