/** What every use case runs on. Built once by the bot, the CLI or the demo. */
import type { Logger } from '../log.js';
import type { PhoneClient } from '../phone/index.js';
import type { PhoneDirectory } from '../store/types.js';
import type { ActiveRescues } from './active.js';
import type { RescueSettings } from './settings.js';

export interface RescueDeps {
  phones: PhoneClient;
  directory: PhoneDirectory;
  settings: RescueSettings;
  active: ActiveRescues;
  logger: Logger;
}
