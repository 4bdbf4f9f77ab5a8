/** What every use case runs on. Built once by the bot, the CLI or the demo (see `rescueDeps`). */
import type { CallManager } from '../callmanager/index.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/index.js';
import type { PhoneClient, RingPause } from '../phone/index.js';
import type { AuditLog, RateLimiter, ScheduleStore, Store, ToneList } from '../store/state-types.js';
import type { PhoneDirectory } from '../store/types.js';
import { ActiveRescues } from './active.js';
import type { RescueSettings } from './settings.js';

export interface RescueDeps {
  phones: PhoneClient;
  directory: PhoneDirectory;
  settings: RescueSettings;
  active: ActiveRescues;
  logger: Logger;
  /** Who did what to whose phone (never a secret); see audit.ts. */
  audit: AuditLog;
  /** Cooldowns and rate limits, atomic across processes and replicas; see limits.ts. */
  limits: RateLimiter;
  /** The time the limits and the audit log use; tests pass a controlled clock. Default: the system clock. */
  clock?: () => Date;
  /** The wait between a ring's rings; default a real timer (src/phone/ring.ts). Tests pass one on their own clock. */
  ringPause?: RingPause;
  /** Scheduled rescues (schedule.ts, scheduler.ts); absent where nothing is scheduled (CLI tools). */
  schedules?: ScheduleStore;
  /** The ring list imported with `rescue-ring tones import` (tones.ts); absent = the configured list. */
  tones?: ToneList;
  /** The call manager (CUCM), when CUCM_URL is set: finds people's desk phones (find-phones.ts) and where a phone registered by device name is (device-address.ts). */
  callManager?: CallManager;
  /** Prometheus metrics (src/metrics): rescues by kind and outcome, scheduled rescues. Absent: nothing counted. */
  metrics?: Metrics;
}

export function now(deps: Pick<RescueDeps, 'clock'>): Date {
  return deps.clock ? deps.clock() : new Date();
}

/** The one way to build the deps from an opened store (`openFullStore`). */
export function rescueDeps(store: Pick<Store, 'directory' | 'audit' | 'limits'> & Partial<Pick<Store, 'schedules' | 'tones'>>, parts: { phones: PhoneClient; settings: RescueSettings; logger: Logger; clock?: () => Date; ringPause?: RingPause; callManager?: CallManager; metrics?: Metrics }): RescueDeps {
  return {
    phones: parts.phones,
    directory: store.directory,
    settings: parts.settings,
    active: new ActiveRescues(),
    logger: parts.logger,
    audit: store.audit,
    limits: store.limits,
    ...(parts.clock ? { clock: parts.clock } : {}),
    ...(parts.ringPause ? { ringPause: parts.ringPause } : {}),
    ...(store.schedules ? { schedules: store.schedules } : {}),
    ...(store.tones ? { tones: store.tones } : {}),
    ...(parts.callManager ? { callManager: parts.callManager } : {}),
    ...(parts.metrics ? { metrics: parts.metrics } : {}),
  };
}
