/** `/phone-screenshot`: a PNG of the caller's own phone screen. */
import { screenshot } from '../phone/index.js';
import type { Screenshot } from '../phone/types.js';
import type { UserKey } from '../store/types.js';
import type { RescueDeps } from './deps.js';
import { requireRegistration } from './lookup.js';
import { phoneFor } from './phone-for.js';

export async function takeScreenshot(deps: RescueDeps, key: UserKey, signal?: AbortSignal): Promise<Screenshot> {
  const reg = await requireRegistration(deps, key);
  return screenshot(deps.phones, phoneFor(reg, deps.settings.defaults), { signal });
}
