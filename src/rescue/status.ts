/** `/phone status`: the step-by-step diagnosis of the caller's phone (model, firmware, each check). Audited. */
import type { Diagnosis } from '../phone/types.js';
import type { UserKey } from '../store/types.js';
import { audit, auditError } from './audit.js';
import type { RescueDeps } from './deps.js';
import { diagnosePhone } from './device-address.js';
import { requireRegistration } from './lookup.js';
import { phoneFor } from './phone-for.js';
import { rememberCertificate } from './pin.js';

export async function phoneStatus(deps: RescueDeps, key: UserKey, signal?: AbortSignal): Promise<Diagnosis> {
  const facts = { teamId: key.teamId, actorId: key.userId, targetId: key.userId, action: 'status' as const };
  let diagnosis: Diagnosis;
  let reg;
  try {
    reg = await requireRegistration(deps, key);
    diagnosis = await diagnosePhone(deps, phoneFor(reg, deps.settings.defaults), signal);
  } catch (err) {
    await auditError(deps, facts, err);
    throw err;
  }
  // A diagnosis reports failures as steps, not errors: the first failed step is the outcome.
  const failed = diagnosis.steps.find((s) => !s.ok);
  if (diagnosis.ok) await rememberCertificate(deps, reg, diagnosis.status?.certificateSha256);
  await audit(deps, facts, failed ? 'failed' : 'ok', failed ? { detail: `step ${failed.name} failed` } : {});
  return diagnosis;
}
