/**
 * The one rule for what a blank field keeps. A save is a patch over the saved registration: a field
 * the patch gives replaces the saved one; a blank (or absent) field keeps the saved value when the
 * surface says it keeps that field, and otherwise falls back to the organisation default. Pure: the
 * use case (register.ts) reads the saved row once and hands it here.
 */
import type { TlsPolicy } from '../phone/types.js';
import type { Registration, RegistrationInput } from '../store/types.js';

/** The fields a blank value may keep from the saved registration. */
export type KeptField = 'username' | 'password' | 'tone' | 'rings' | 'intervalSeconds' | 'permission' | 'buddies' | 'coverStory' | 'tls' | 'source';

/**
 * The Slack settings form shows every field filled in, so a blank one means "the default", except the
 * password (never shown), who may ring, the buddies and the cover story (an older form lacks them).
 * Its TLS rule: saving right after a changed-certificate refusal trusts the new certificate.
 */
export const FORM_KEEPS: readonly KeptField[] = ['password', 'permission', 'buddies', 'coverStory'];

/** The operator's command line says only what it changes: everything not given is kept, a pinned certificate included. */
export const EVERY_FIELD: readonly KeptField[] = ['username', 'password', 'tone', 'rings', 'intervalSeconds', 'permission', 'buddies', 'coverStory', 'tls', 'source'];

/**
 * A patch as the use case has cleaned it: trimmed, blank values undefined, except `coverStory`, where
 * '' removes the saved story and undefined says nothing about it.
 */
export type RegistrationPatch = RegistrationInput;

/** What the merge needs to know beyond the two registrations. */
export interface MergeFacts {
  /** The last action on this phone was refused because its certificate changed (pin.ts). */
  certificateRefused: boolean;
}

export interface Merged {
  record: RegistrationInput;
  /** A pinned certificate is dropped, to be learned again on the next ring. */
  retrusted: boolean;
}

const pinned = (tls: TlsPolicy | undefined): boolean => tls?.mode === 'pin' && tls.sha256 !== undefined;

/**
 * HTTPS trust when the patch gives none: the saved policy, except that a pinned certificate is
 * learned again at a new address (another phone), or, unless `tls` is kept, right after the phone's
 * certificate was refused (saving then is how the owner says "I know, trust the new one").
 */
function mergedTls(existing: Registration | undefined, address: string, keepPin: boolean, facts: MergeFacts): { tls: TlsPolicy | undefined; retrusted: boolean } {
  const tls = existing?.tls;
  if (existing === undefined || !pinned(tls)) return { tls, retrusted: false };
  if (existing.address !== address || (!keepPin && facts.certificateRefused)) return { tls: { mode: 'pin' }, retrusted: true };
  return { tls, retrusted: false };
}

/** The registration to store: `patch` over `existing`, blank fields kept as `keep` says (see the top of this file). */
export function mergeRegistration(existing: Registration | undefined, patch: RegistrationPatch, keep: readonly KeptField[], facts: MergeFacts): Merged {
  function field<K extends Exclude<KeptField, 'tls' | 'coverStory' | 'source'>>(name: K): Registration[K] | undefined {
    const given = patch[name];
    if (given !== undefined) return given as Registration[K];
    return keep.includes(name) ? existing?.[name] : undefined;
  }
  const coverStory = patch.coverStory === '' ? undefined : (patch.coverStory ?? (keep.includes('coverStory') ? existing?.coverStory : undefined));
  // How the phone was found describes its address: the patch's, else kept (when `source` is kept) for the same address only; absent = typed by hand.
  const source = patch.source ?? (keep.includes('source') && existing?.address === patch.address ? existing.source : undefined);
  const trust = patch.tls !== undefined ? { tls: patch.tls, retrusted: false } : mergedTls(existing, patch.address, keep.includes('tls'), facts);
  const record: RegistrationInput = {
    teamId: patch.teamId,
    userId: patch.userId,
    address: patch.address,
    username: field('username'),
    password: field('password'),
    tls: trust.tls,
    tone: field('tone'),
    rings: field('rings'),
    intervalSeconds: field('intervalSeconds'),
    permission: field('permission') ?? 'anyone',
    buddies: field('buddies') ?? [],
    ...(coverStory !== undefined ? { coverStory } : {}),
    ...(source !== undefined ? { source } : {}),
  };
  return { record, retrusted: trust.retrusted };
}
