/**
 * Cooldowns and rate limits, checked before any phone is rung. The counting is the store's
 * `RateLimiter.take` (sliding windows, atomic across processes and replicas): either every rule
 * allows one more hit and all are recorded, or nothing is recorded and the refusing rule is named.
 *
 * Which request counts toward which limit (settings.ts names the env variables):
 *
 * | request                                  | requester / minute | target cooldown | target / hour |
 * |------------------------------------------|:------------------:|:---------------:|:-------------:|
 * | rescue of a colleague (admins included)  |         ✓          |        ✓        |       ✓       |
 * | rescue of your own phone                 |         ✓          |        ✓        |       –       |
 * | test ring of your own phone              |         ✓          |        –        |       –       |
 * | an admin's test ring of someone's phone  |         ✓          |        –        |       ✓       |
 * | anyone else's test ring of someone else  |   (counted as a rescue of a colleague)             |
 *
 * Why: the per-minute cap stops runaway scripts and button mashing from everyone. The cooldown keeps
 * one phone from ringing twice within a couple of minutes, so your own rescue also starts it (a
 * colleague cannot ring you again right after) and obeys it. The hourly cap protects a target from
 * colleagues, so your own rescues neither count toward it nor are blocked by it: being pranked six
 * times never stops you from rescuing yourself. A test ring is one ring, asked for while setting up:
 * your own is exempt from the cooldown; an admin testing someone's phone (support) is exempt from the
 * cooldown but still bounded per hour, so admin rights are no prank licence.
 */
import type { RateRule } from '../store/state-types.js';
import { isAdmin } from './consent.js';
import type { RescueDeps } from './deps.js';
import { now } from './deps.js';
import { AlreadyRung, RateLimited, type RateLimit } from './errors.js';
import type { RescueLimits } from './settings.js';

export interface LimitedRequest {
  teamId: string;
  requesterId: string;
  targetId: string;
  test: boolean;
  /** The requester is on ADMIN_USER_IDS. */
  admin: boolean;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

const bucket = {
  cooldown: (r: LimitedRequest) => `target:${r.teamId}:${r.targetId}:cooldown`,
  hour: (r: LimitedRequest) => `target:${r.teamId}:${r.targetId}:hour`,
  minute: (r: LimitedRequest) => `requester:${r.teamId}:${r.requesterId}:minute`,
};

/** The rules one request is checked against, target rules first (their message is the more useful one). */
export function rulesFor(limits: RescueLimits, r: LimitedRequest): RateRule[] {
  const self = r.requesterId === r.targetId;
  const adminTest = r.test && r.admin && !self;
  const cooldown = !(r.test && self) && !adminTest && limits.targetCooldownSeconds > 0;
  const hourly = !self;
  const rules: RateRule[] = [];
  if (cooldown) rules.push({ bucket: bucket.cooldown(r), windowMs: limits.targetCooldownSeconds * 1000, max: 1 });
  if (hourly) rules.push({ bucket: bucket.hour(r), windowMs: HOUR_MS, max: limits.targetPerHour });
  rules.push({ bucket: bucket.minute(r), windowMs: MINUTE_MS, max: limits.requesterPerMinute });
  return rules;
}

/** "40 s", "12 min", "1 h 5 min": always rounded up, so "again in" is never too early. */
export function formatWait(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.ceil(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
}

/** The refusal, worded for the requester. */
export function rateLimited(limits: RescueLimits, r: LimitedRequest, limit: RateLimit, retryAfterMs: number): RateLimited {
  const wait = formatWait(retryAfterMs);
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const self = r.requesterId === r.targetId;
  const them = `<@${r.targetId}>`;
  switch (limit) {
    case 'target_cooldown': {
      const window = formatWait(limits.targetCooldownSeconds * 1000);
      return new RateLimited(
        seconds,
        self ? `Your phone rang less than ${window} ago. You can ring it again in ${wait}.` : `${them}’s phone rang less than ${window} ago. You can rescue ${them} again in ${wait}.`,
        limit,
      );
    }
    case 'target_hour':
      return new RateLimited(
        seconds,
        `${them}’s phone has been rung ${limits.targetPerHour} time${limits.targetPerHour === 1 ? '' : 's'} in the last hour, the most allowed. You can rescue ${them} again in ${wait}.`,
        limit,
      );
    case 'requester_minute':
      return new RateLimited(
        seconds,
        `You have started ${limits.requesterPerMinute} rescue${limits.requesterPerMinute === 1 ? '' : 's'} in the last minute; wait ${wait}.`,
        limit,
      );
  }
}

function limitOf(bucketName: string): RateLimit {
  if (bucketName.endsWith(':cooldown')) return 'target_cooldown';
  if (bucketName.endsWith(':hour')) return 'target_hour';
  return 'requester_minute';
}

/**
 * Takes one slot in every limit that applies, or throws RateLimited naming when to try again.
 * Called by startRescue after the consent checks and before anything is sent to the phone.
 */
export async function takeRescueSlot(deps: Pick<RescueDeps, 'limits' | 'settings' | 'clock'>, req: Omit<LimitedRequest, 'admin'>): Promise<void> {
  const r: LimitedRequest = { ...req, admin: isAdmin(deps.settings, req.requesterId) };
  const decision = await deps.limits.take(rulesFor(deps.settings.limits, r), now(deps));
  if (!decision.ok) throw rateLimited(deps.settings.limits, r, limitOf(decision.bucket), decision.retryAfterMs);
}

/** How long an at-most-once id is remembered: far longer than a scheduler claim lease (30 s). */
const ONCE_WINDOW_MS = 60 * 60_000;

/**
 * Claims the one ring allowed under `once` (a scheduled rescue's id), atomically across processes
 * and replicas; throws AlreadyRung when it was claimed before. Called right before the first Play,
 * so a runner killed after ringing cannot make another runner ring again, and one killed before
 * ringing leaves the claim to the runner that takes over.
 */
export async function claimOnce(deps: Pick<RescueDeps, 'limits' | 'clock'>, teamId: string, once: string): Promise<void> {
  const decision = await deps.limits.take([{ bucket: `once:${teamId}:${once}`, windowMs: ONCE_WINDOW_MS, max: 1 }], now(deps));
  if (!decision.ok) throw new AlreadyRung(once);
}
