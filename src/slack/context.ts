/** What every Slack listener runs on: the use cases' deps plus Slack-side helpers. */
import type { Logger } from '../log.js';
import type { RescueDeps, RescueHistoryPage } from '../rescue/index.js';
import type { UserKey } from '../store/types.js';
import type { BackgroundTasks } from './tasks.js';

/** App Home's "Recent rescues" (main.ts passes `recentRescues` from src/rescue/history.ts). Without it the section says "No rescues yet". */
export type RescueHistory = (key: UserKey, limit: number) => Promise<RescueHistoryPage>;

export interface SlackDeps {
  rescue: RescueDeps;
  logger: Logger;
  /** Work that continues after the ack (rings, uploads, follow-up posts); awaited on shutdown. */
  tasks: BackgroundTasks;
  history?: RescueHistory;
}
