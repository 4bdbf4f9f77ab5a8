/**
 * HTTPS trust on first use. A registration whose TLS policy is `{mode:'pin'}` without a fingerprint
 * (or an https address with no policy, which the phone client treats the same way) trusts the first
 * certificate it sees; after the first successful phone action that certificate's SHA-256 is stored
 * in the registration, and the phone client refuses any other one from then on (PhoneCertificateChanged).
 *
 * Re-trusting (the owner knows the phone was replaced): saving the settings again right after a
 * refusal, or with a new address, clears the fingerprint (register.ts); administrators can pin the
 * new certificate with `rescue-ring phones add ... --tls-pin`.
 */
import { parsePhoneAddress, PhoneCertificateChanged } from '../phone/index.js';
import type { AuditAction } from '../store/state-types.js';
import type { Registration } from '../store/types.js';
import type { RescueDeps } from './deps.js';
import { CertificateChanged } from './errors.js';

/** True when `reg` is an HTTPS phone whose certificate is still to be learned. */
export function awaitsPin(reg: Pick<Registration, 'address' | 'tls'>): boolean {
  let scheme: string;
  try {
    scheme = parsePhoneAddress(reg.address).scheme;
  } catch {
    return false;
  }
  return scheme === 'https' && (reg.tls === undefined || (reg.tls.mode === 'pin' && reg.tls.sha256 === undefined));
}

/**
 * Stores the fingerprint the phone presented, when the registration was waiting for one. Re-reads
 * the registration first so settings saved meanwhile are kept, and pins only if it still names the
 * same address and still waits. Never throws: a failure to store is logged and tried again next time.
 * True when the fingerprint was stored (for surfaces that say so, like `rescue-ring phones test`).
 */
export async function rememberCertificate(deps: Pick<RescueDeps, 'directory' | 'logger'>, used: Registration, certificateSha256: string | undefined): Promise<boolean> {
  if (certificateSha256 === undefined || !awaitsPin(used)) return false;
  const key = { teamId: used.teamId, userId: used.userId };
  try {
    const current = await deps.directory.get(key);
    if (!current || current.address !== used.address || !awaitsPin(current)) return false;
    await deps.directory.put({ ...current, tls: { mode: 'pin', sha256: certificateSha256 }, ifUpdatedAt: current.updatedAt }, { keepSecrets: true });
    deps.logger.info({ ...key, certificateSha256 }, 'HTTPS phone certificate pinned on first use');
    return true;
  } catch (err) {
    deps.logger.warn({ err, ...key }, 'could not store the phone certificate fingerprint; will try again on the next use');
    return false;
  }
}

/** The phone module's refusal, reworded for whoever asked (the owner, or a colleague). */
export function explainCertificate(err: unknown, ownerId: string, requesterId: string): unknown {
  return err instanceof PhoneCertificateChanged ? new CertificateChanged({ userId: ownerId, self: ownerId === requesterId }, { cause: err }) : err;
}

const PHONE_ACTIONS: ReadonlySet<AuditAction> = new Set(['rescue', 'test_ring', 'scheduled_rescue', 'screenshot', 'status']);

/**
 * True when the last action on this phone was refused because its certificate changed: saving the
 * settings right after that message is how the owner says "I know, trust the new one" (the hint says
 * so; registration-merge.ts). Only asked for a pinned registration; an unreadable audit log keeps the pin.
 */
export async function certificateRefusedLast(deps: Pick<RescueDeps, 'audit' | 'logger'>, existing: Registration): Promise<boolean> {
  if (existing.tls?.mode !== 'pin' || existing.tls.sha256 === undefined) return false;
  try {
    const recent = await deps.audit.query({ teamId: existing.teamId, userId: existing.userId, limit: 50 });
    const last = recent.find((e) => e.targetId === existing.userId && PHONE_ACTIONS.has(e.action) && e.outcome !== 'refused');
    return last?.errorClass === 'PhoneCertificateChanged';
  } catch (err) {
    deps.logger.warn({ err, teamId: existing.teamId, userId: existing.userId }, 'audit log unreadable; keeping the pinned certificate');
    return false;
  }
}
