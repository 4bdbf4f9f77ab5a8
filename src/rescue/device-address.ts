/**
 * Phones registered by device name (SEP + 12 hex): their address at the moment of use comes from the
 * call manager (RisPort70 through the resolver: cached, batched, within CUCM_RIS_PER_MINUTE). The
 * address still goes through PHONE_ALLOWED_NETWORKS: the phone client checks every request.
 *
 * A phone that moved (DHCP): when an address from the cache (or a stale one) does not answer at
 * connect time, RisPort is asked once more for that device and the action runs again at the new
 * address. An address RisPort has just given is not asked again; an action that already reached the
 * phone (a ring that rang) is never repeated.
 */
import { isDeskPhoneName, normalizeDeskPhoneName, phoneAddressFor, type CallManager, type ResolvedAddress } from '../callmanager/index.js';
import { isAppError } from '../errors.js';
import { diagnose, PhoneTimeout, PhoneUnreachable } from '../phone/index.js';
import type { PhoneTarget } from '../phone/index.js';
import type { Diagnosis, DiagnosisStep } from '../phone/types.js';
import type { RescueDeps } from './deps.js';
import { CallManagerNotConnected } from './errors.js';

/** Nothing answered at the address: refused, reset, unreachable, or no connection within the deadline. */
export function didNotConnect(err: unknown): boolean {
  return err instanceof PhoneUnreachable || (err instanceof PhoneTimeout && err.phase === 'connect');
}

export interface AddressOptions {
  /** False once the action has reached the phone (a ring rang): it is not run again. Default: always may. */
  mayRetry?: () => boolean;
}

/**
 * Runs `act` with the phone at its current address: as registered for an IP address or host name; from
 * the call manager for a device name (once more at the new address when the phone moved).
 */
export async function withPhoneAddress<P extends PhoneTarget, T>(
  deps: Pick<RescueDeps, 'callManager' | 'logger'>,
  phone: P,
  act: (phone: P) => Promise<T>,
  options: AddressOptions = {},
): Promise<T> {
  if (!isDeskPhoneName(phone.address)) return act(phone);
  const { device, cm } = callManagerFor(deps, phone);
  const first = await cm.resolver.lookup(device);
  try {
    return await act(at(cm, phone, first));
  } catch (err) {
    if (!didNotConnect(err) || first.source === 'risport' || options.mayRetry?.() === false) throw err;
    const again = await moved(deps, cm, device, first);
    if (!again) throw err;
    return act(at(cm, phone, again));
  }
}

/**
 * The step-by-step diagnosis (src/phone/diagnose.ts); for a device name it starts with where the call
 * manager says the phone is, a failed first step when it cannot say (not registered, unknown, the call
 * manager unreachable...), and looks again when the address it had does not accept a connection.
 */
export async function diagnosePhone(deps: Pick<RescueDeps, 'callManager' | 'logger' | 'phones'>, phone: PhoneTarget, signal?: AbortSignal): Promise<Diagnosis> {
  if (!isDeskPhoneName(phone.address)) return diagnose(deps.phones, phone, { signal });
  let found: ResolvedAddress;
  let cm: CallManager;
  try {
    ({ cm } = callManagerFor(deps, phone));
    found = await cm.resolver.lookup(normalizeDeskPhoneName(phone.address));
  } catch (err) {
    if (!isAppError(err)) throw err;
    return { ok: false, steps: [{ name: 'call-manager', ok: false, detail: err.message, next: err.hint }] };
  }
  let diagnosis = await diagnose(deps.phones, at(cm, phone, found), { signal });
  const refused = diagnosis.steps.some((s) => s.name === 'tcp' && !s.ok);
  if (refused && found.source !== 'risport') {
    const again = await moved(deps, cm, found.name, found).catch(() => undefined);
    if (again) {
      found = again;
      diagnosis = await diagnose(deps.phones, at(cm, phone, found), { signal });
    }
  }
  return { ...diagnosis, steps: [whereItIs(found), ...diagnosis.steps] };
}

const SOURCE_WORDS: Record<ResolvedAddress['source'], string> = {
  risport: 'just asked',
  cache: 'remembered',
  stale: 'last known: the call manager cannot be asked now',
};

function whereItIs(found: ResolvedAddress): DiagnosisStep {
  return { name: 'call-manager', ok: true, detail: `${found.name} is registered at ${found.ip} (${SOURCE_WORDS[found.source]}, ${found.seenAt.toISOString()})` };
}

function callManagerFor(deps: Pick<RescueDeps, 'callManager'>, phone: PhoneTarget): { device: string; cm: CallManager } {
  const device = normalizeDeskPhoneName(phone.address);
  if (!deps.callManager) throw new CallManagerNotConnected(device);
  return { device, cm: deps.callManager };
}

function at<P extends PhoneTarget>(cm: CallManager, phone: P, found: ResolvedAddress): P {
  return { ...phone, address: phoneAddressFor(found.ip, cm.options) };
}

/** RisPort asked again for a device whose address did not answer: its new address, or undefined when it has not moved. */
async function moved(deps: Pick<RescueDeps, 'logger'>, cm: CallManager, device: string, first: ResolvedAddress): Promise<ResolvedAddress | undefined> {
  const again = await cm.resolver.refresh(device);
  if (again.ip === first.ip) return undefined;
  deps.logger.info({ device, source: again.source }, 'phone moved: its cached address did not answer; using the address the call manager gave now');
  return again;
}
