/** Publishing App Home for one user (on app_home_opened, and after saving or forgetting settings). */
import type { webApi } from '@slack/bolt';
import { isAppError } from '../../errors.js';
import type { Registration } from '../../store/types.js';
import { personHint } from '../blocks/errors.js';
import { homeView } from '../blocks/home.js';
import { findRegistration, type RescueHistoryPage } from '../../rescue/index.js';
import type { SlackDeps } from '../context.js';
import { trySlack } from '../slack-errors.js';
import { foundPhones } from './find-phones.js';

export async function publishHome(deps: SlackDeps, client: webApi.WebClient, teamId: string, userId: string): Promise<void> {
  let reg: Registration | undefined;
  let problem: string | undefined;
  try {
    reg = await findRegistration(deps.rescue, { teamId, userId });
  } catch (err) {
    deps.logger.warn({ err, teamId, userId }, 'registration unreadable for App Home');
    problem = isAppError(err) ? personHint(err) : 'Your registration could not be read. Register your phone again with /phone.';
  }
  let history: RescueHistoryPage | undefined;
  if (deps.history) {
    try {
      history = await deps.history({ teamId, userId }, 5);
    } catch (err) {
      deps.logger.warn({ err, teamId, userId }, 'rescue history unavailable for App Home');
    }
  }
  const found = await foundPhones(deps, client, teamId, userId);
  await trySlack(deps.logger, 'views.publish', () => client.views.publish({ user_id: userId, view: homeView(deps.rescue.settings, reg, history, problem, found) }), { teamId, userId });
}
