/**
 * Organisation-wide settings the use cases need: phone defaults, the tone list, who is an admin,
 * and the abuse limits. Read once at start-up from the environment.
 */
import type { EnvReader } from '../config/env.js';
import { DEFAULT_TONE, DEFAULT_TONES, DENIED_TONES } from '../phone/tones.js';

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

export function readRescueSettings(env: EnvReader): RescueSettings {
  const tones = env.list('PHONE_TONES', DEFAULT_TONES).filter((t) => !DENIED_TONES.includes(t));
  const tone = env.string('PHONE_DEFAULT_TONE') ?? DEFAULT_TONE;
  if (DENIED_TONES.includes(tone)) env.problem(`PHONE_DEFAULT_TONE ${tone} is on the deny list (reported to crash phones); pick another tone`);
  else if (!tones.includes(tone)) env.problem(`PHONE_DEFAULT_TONE ${tone} is not in PHONE_TONES; add it there or pick one of ${tones.slice(0, 3).join(', ')}...`);
  return {
    defaults: {
      username: env.string('PHONE_DEFAULT_USERNAME'),
      password: env.string('PHONE_DEFAULT_PASSWORD'),
      tone,
      rings: env.int('PHONE_DEFAULT_RINGS', 3, RINGS_RANGE),
      intervalSeconds: env.int('PHONE_DEFAULT_INTERVAL_SECONDS', 3, INTERVAL_RANGE),
    },
    tones,
    adminUserIds: env.list('ADMIN_USER_IDS'),
    allowTeammateRescue: env.bool('ALLOW_TEAMMATE_RESCUE', true),
    limits: {
      targetCooldownSeconds: env.int('RESCUE_TARGET_COOLDOWN_SECONDS', 120, { min: 0 }),
      targetPerHour: env.int('RESCUE_TARGET_PER_HOUR', 6, { min: 1 }),
      requesterPerMinute: env.int('RESCUE_REQUESTER_PER_MINUTE', 5, { min: 1 }),
    },
    auditRetentionDays: env.int('AUDIT_RETENTION_DAYS', 90, { min: 1, max: 36_500 }),
    callCheck: env.bool('CALL_CHECK', true),
    tonesFrom: env.string('PHONE_TONES') !== undefined ? 'PHONE_TONES' : 'default',
  };
}
