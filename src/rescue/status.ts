/** `/phone status`: the step-by-step diagnosis of the caller's phone (model, firmware, each check). */
import { diagnose } from '../phone/index.js';
import type { Diagnosis } from '../phone/types.js';
import type { UserKey } from '../store/types.js';
import type { RescueDeps } from './deps.js';
import { requireRegistration } from './lookup.js';
import { phoneFor } from './phone-for.js';

export async function phoneStatus(deps: RescueDeps, key: UserKey, signal?: AbortSignal): Promise<Diagnosis> {
  const reg = await requireRegistration(deps, key);
  const phone = phoneFor(reg, deps.settings.defaults);
  return diagnose(deps.phones, phone, { signal });
}
