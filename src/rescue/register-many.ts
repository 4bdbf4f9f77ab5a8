/**
 * Registering many phones at once (the operator's `phones import`): every entry checked as
 * registerPhone checks it, then all stored in ONE transaction or none, each write guarded by the
 * update time read (so a registration saved meanwhile is not overwritten: StoreWriteConflict, nothing
 * stored), and each audited like registerPhone ("imported; new" / "imported; updated").
 */
import { AppError } from '../errors.js';
import { audit, auditError } from './audit.js';
import type { RescueDeps } from './deps.js';
import { InvalidSettings } from './errors.js';
import { checkRegistration, type CheckedRegistration, type RegisterInput } from './register.js';
import type { KeptField } from './registration-merge.js';

/** One entry registerPhone's checks refuse: its position among the patches, its user, and the use case's refusal. */
export interface EntryRefusal {
  index: number;
  userId: string;
  error: InvalidSettings;
}

/** Some entries of a registerMany cannot be stored (or the caller's reading had already refused some); nothing was stored. */
export class RegistrationsRefused extends AppError {
  // The use case's error class: what one refused registration is refused with, and what the audit names.
  readonly code = 'InvalidSettings';
  constructor(
    readonly refusals: readonly EntryRefusal[],
    readonly total: number,
  ) {
    super(
      `${refusals.length} of ${total} registrations cannot be stored; nothing was stored.`,
      'Fix the entries named and register them all again.',
    );
  }
}

export interface ManyOptions {
  /** Who did it, for the audit log ("cli" for the command line). */
  actorId: string;
  /** Fields a blank value keeps from each saved registration (registration-merge.ts). */
  keep: readonly KeptField[];
  /**
   * Lines of the caller's file that its own reading already refused (a CSV cell that is no number):
   * the patches are then only checked, nothing is stored, and the one refused audit entry (with this
   * error class) counts those lines with the refused entries.
   */
  refusedEarlier?: { lines: number; errorClass: string };
}

export interface ManyRegistered {
  /** Registrations stored. */
  registered: number;
  /** Of those, how many replaced an existing one. */
  updated: number;
  /** Users whose pinned HTTPS certificate will be learned again (a new address). */
  retrusted: string[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

async function checkEach(deps: RescueDeps, patches: readonly RegisterInput[], keep: readonly KeptField[]): Promise<(CheckedRegistration | EntryRefusal)[]> {
  return Promise.all(
    patches.map(async (patch, index) => {
      try {
        return await checkRegistration(deps, patch, keep);
      } catch (err) {
        if (!(err instanceof InvalidSettings)) throw err;
        return { index, userId: patch.userId, error: err };
      }
    }),
  );
}

/**
 * Registers every patch of `teamId` or none (see the top of this file). Throws RegistrationsRefused
 * naming every refused entry (after one refused audit entry with counts and field names, never a value).
 */
export async function registerMany(deps: RescueDeps, teamId: string, patches: readonly RegisterInput[], options: ManyOptions): Promise<ManyRegistered> {
  const facts = { teamId, actorId: options.actorId, action: 'register' } as const;
  const results = await checkEach(deps, patches, options.keep);
  const refusals = results.filter((r): r is EntryRefusal => 'error' in r);
  const earlier = options.refusedEarlier;
  if (earlier !== undefined && earlier.lines > 0) {
    await audit(deps, facts, 'refused', { errorClass: earlier.errorClass, detail: `import refused; ${plural(earlier.lines + refusals.length, 'line')} of the file invalid` });
    throw new RegistrationsRefused(refusals, patches.length + earlier.lines);
  }
  if (refusals.length > 0) {
    const fields = [...new Set(refusals.flatMap((r) => Object.keys(r.error.fields)))].sort();
    await audit(deps, facts, 'refused', { errorClass: 'InvalidSettings', detail: `import refused; ${refusals.length} of ${plural(patches.length, 'row')} invalid: ${fields.join(', ')}` });
    throw new RegistrationsRefused(refusals, patches.length);
  }
  const checked = results as CheckedRegistration[];
  try {
    await deps.directory.putMany(checked.map((c) => ({ ...c.record, ifUpdatedAt: c.readUpdatedAt })));
  } catch (err) {
    await auditError(deps, facts, err, 'import failed; nothing was stored');
    throw err;
  }
  for (const c of checked) {
    await audit(deps, { ...facts, targetId: c.record.userId }, 'ok', { detail: `imported; ${c.detail}` });
  }
  return { registered: checked.length, updated: checked.filter((c) => c.updated).length, retrusted: checked.filter((c) => c.retrusted).map((c) => c.record.userId) };
}
