/** What every Slack listener runs on: the use cases' deps plus Slack-side helpers. */
import type { Logger } from '../log.js';
import type { RescueDeps } from '../rescue/index.js';
import type { UserKey } from '../store/types.js';
import type { BackgroundTasks } from './tasks.js';

export interface RescueHistoryEntry {
  at: Date;
  requesterId: string;
  targetId: string;
  /** `ok`, `stopped`, or the error class of a failed rescue. */
  outcome: string;
  rings: number;
}

export interface RescueHistoryPage {
  /** Rescues this user started for others (or themselves). */
  given: RescueHistoryEntry[];
  /** Rescues of this user's phone by others. */
  received: RescueHistoryEntry[];
}

/**
 * Seam for App Home's "Recent rescues": the lead adds an implementation (audit log) later.
 * Without it the section says "No rescues yet".
 */
export type RescueHistory = (key: UserKey, limit: number) => Promise<RescueHistoryPage>;

export interface SlackDeps {
  rescue: RescueDeps;
  logger: Logger;
  /** Work that continues after the ack (rings, uploads, follow-up posts); awaited on shutdown. */
  tasks: BackgroundTasks;
  history?: RescueHistory;
}
