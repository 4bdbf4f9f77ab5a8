/**
 * Device names as the call manager spells them. Desk phones are "SEP" + the 12-hex-digit MAC (the only
 * ones rescue-ring rings); Jabber softphones (CSF desktop, BOT Android, TCT iPhone, TAB tablet) are shown
 * but never rung; anything else (ATA, conference units, CTI ports) is "other".
 */
import { InvalidDeviceName } from './errors.js';
import type { DeviceKind } from './types.js';

const DESK_PHONE = /^SEP[0-9A-F]{12}$/;
const SOFTPHONE_PREFIXES = ['CSF', 'BOT', 'TCT', 'TAB'] as const;
/** What RisPort may be asked about: device names are at most 50 characters of letters, digits, . _ -. */
const ANY_DEVICE = /^[A-Za-z0-9._-]{1,50}$/;

/** True for "SEP001122AABBCC" in any case (surrounding blanks ignored). */
export function isDeskPhoneName(name: string): boolean {
  return DESK_PHONE.test(name.trim().toUpperCase());
}

/** A desk-phone name in capitals; throws InvalidDeviceName for anything else. */
export function normalizeDeskPhoneName(name: string): string {
  const upper = name.trim().toUpperCase();
  if (!DESK_PHONE.test(upper)) {
    const shown = JSON.stringify(name.length > 30 ? `${name.slice(0, 27)}...` : name);
    throw new InvalidDeviceName(`${shown} is not a desk phone's device name (SEP and 12 hexadecimal digits)`);
  }
  return upper;
}

/** desk-phone, softphone or other; SEP names in any case count as desk phones. */
export function classifyDevice(name: string): DeviceKind {
  const upper = name.trim().toUpperCase();
  if (DESK_PHONE.test(upper)) return 'desk-phone';
  if (SOFTPHONE_PREFIXES.some((p) => upper.startsWith(p)) && upper.length > 3) return 'softphone';
  return 'other';
}

/** SEP names in capitals, others as given; throws InvalidDeviceName for names RisPort cannot hold (so none reach a query). */
export function checkDeviceName(name: string): string {
  const trimmed = name.trim();
  if (!ANY_DEVICE.test(trimmed)) throw new InvalidDeviceName(`${JSON.stringify(trimmed.slice(0, 30))} is not a device name`);
  return classifyDevice(trimmed) === 'desk-phone' ? trimmed.toUpperCase() : trimmed;
}
