/** The use cases' organisation-wide settings (src/rescue/settings.ts) from the environment. */
import { DENIED_TONES } from '../phone/tones.js';
import type { RescueSettings } from '../rescue/settings.js';
import type { Env } from './env.js';
import { part, readParts } from './read.js';

export const rescuePart = part(
  [
    'PHONE_DEFAULT_USERNAME',
    'PHONE_DEFAULT_PASSWORD',
    'PHONE_TONES',
    'PHONE_DEFAULT_TONE',
    'PHONE_DEFAULT_RINGS',
    'PHONE_DEFAULT_INTERVAL_SECONDS',
    'CALL_CHECK',
    'ADMIN_USER_IDS',
    'ALLOW_TEAMMATE_RESCUE',
    'RESCUE_TARGET_COOLDOWN_SECONDS',
    'RESCUE_TARGET_PER_HOUR',
    'RESCUE_REQUESTER_PER_MINUTE',
    'AUDIT_RETENTION_DAYS',
  ],
  ({ values: v, given, problem }): RescueSettings => {
    const tones = v.PHONE_TONES.filter((t) => !DENIED_TONES.includes(t));
    const tone = v.PHONE_DEFAULT_TONE;
    if (DENIED_TONES.includes(tone)) problem(`PHONE_DEFAULT_TONE ${tone} is on the deny list (reported to crash phones); pick another tone`);
    else if (!tones.includes(tone)) problem(`PHONE_DEFAULT_TONE ${tone} is not in PHONE_TONES; add it there or pick one of ${tones.slice(0, 3).join(', ')}...`);
    return {
      defaults: {
        username: v.PHONE_DEFAULT_USERNAME,
        password: v.PHONE_DEFAULT_PASSWORD,
        tone,
        rings: v.PHONE_DEFAULT_RINGS,
        intervalSeconds: v.PHONE_DEFAULT_INTERVAL_SECONDS,
      },
      tones,
      adminUserIds: v.ADMIN_USER_IDS,
      allowTeammateRescue: v.ALLOW_TEAMMATE_RESCUE,
      limits: {
        targetCooldownSeconds: v.RESCUE_TARGET_COOLDOWN_SECONDS,
        targetPerHour: v.RESCUE_TARGET_PER_HOUR,
        requesterPerMinute: v.RESCUE_REQUESTER_PER_MINUTE,
      },
      auditRetentionDays: v.AUDIT_RETENTION_DAYS,
      callCheck: v.CALL_CHECK,
      tonesFrom: given('PHONE_TONES') ? 'PHONE_TONES' : 'default',
    };
  },
);

/** Reads and checks the use cases' settings alone (tests, tools); throws ConfigError naming every problem. */
export function rescueSettingsFromEnv(env: Env = process.env): RescueSettings {
  return readParts({ rescue: rescuePart }, env).rescue;
}
