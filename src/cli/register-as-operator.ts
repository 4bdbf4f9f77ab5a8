/**
 * `rescue-ring phones add` and `phones import` register through the same use case as the Slack
 * settings form (registerPhone): the same checks (the ringtone on this office's list: the imported
 * ring list, else PHONE_TONES, else the built-in one) and the same audit entry, with the command line
 * as the actor. A refusal of `add` becomes a usage error naming the command-line option to fix; a
 * refusal of any row of an import names every bad row and imports nothing.
 *
 * HTTPS trust: the command line never drops a pinned certificate as a side effect. registerPhone,
 * given no TLS choice, learns the certificate again when the last phone action was refused with a
 * changed certificate (the Slack form's "I know my phone changed", src/rescue/pin.ts); here, without
 * a --tls-... option and with the address unchanged, the saved policy is passed explicitly, and
 * operators re-trust with --tls-pin. A new address is another phone, whose certificate is learned
 * again; the verbs say so.
 */
import { AppError } from '../errors.js';
import { readConfig } from '../config/index.js';
import { PhoneClient } from '../phone/index.js';
import { audit } from '../rescue/audit.js';
import { describeToneSource, effectiveTones } from '../rescue/tones.js';
import { InvalidSettings, type SettingsField } from '../rescue/errors.js';
import { checkRegistration, registerPhone, type CheckedRegistration, type RegisterInput } from '../rescue/register.js';
import { rescueDeps, type RescueDeps } from '../rescue/deps.js';
import type { RescueSettings } from '../rescue/settings.js';
import { CsvImportInvalid, parseImportCsv } from '../store/csv.js';
import { StoreRowUnreadable } from '../store/errors.js';
import type { Store } from '../store/state-types.js';
import type { Registration } from '../store/types.js';
import { CLI_ACTOR, stderrLogger, UsageError } from './io.js';

/** How the command line spells each field registerPhone may refuse. */
const OPTION: Record<SettingsField, string> = {
  address: '--address',
  username: '--username',
  password: 'password (PHONE_PASSWORD or --password-stdin)',
  tone: '--tone',
  rings: '--rings',
  interval: '--interval',
  permission: 'who may ring',
  buddies: 'rescue buddies',
  coverStory: 'cover story',
};

/** Most ringtone names printed in a refusal; `rescue-ring tones list` shows them all. */
const SHOWN_TONES = 12;

async function toneHelp(deps: RescueDeps): Promise<string> {
  const { tones, source } = await effectiveTones(deps);
  const shown = tones.slice(0, SHOWN_TONES).join(', ') + (tones.length > SHOWN_TONES ? `, and ${tones.length - SHOWN_TONES} more` : '');
  return `    This office's ringtones, from ${describeToneSource(source)}: ${shown}. "rescue-ring tones list" shows them all.`;
}

/**
 * registerPhone refused `phones add` because of the address: the class the address check refused it
 * with (PhoneAddressRefused, PhoneUnreachable: the exit code and --json "error" follow it), the
 * network policy's reason (which rule the address broke) beside --address, and the use case's advice
 * on addresses as the hint.
 */
class AddressRefusal extends AppError {
  constructor(
    readonly code: string,
    message: string,
    hint: string,
  ) {
    super(message, hint);
  }
}

/** registerPhone's refusal of `phones add`, by command-line option. */
async function refusal(deps: RescueDeps, err: InvalidSettings): Promise<Error> {
  const lines = ['The phone was not registered; nothing was saved:'];
  const address = err.reasons.address;
  for (const [field, message] of Object.entries(err.fields) as [SettingsField, string][]) {
    lines.push(`  ${OPTION[field]}: ${field === 'address' && address !== undefined ? address.message : message}`);
    if (field === 'tone') lines.push(await toneHelp(deps));
  }
  const advice = err.fields.address;
  return address !== undefined && advice !== undefined ? new AddressRefusal(address.code, lines.join('\n'), advice) : new UsageError(lines.join('\n'));
}

function operatorDeps(store: Store, settings: RescueSettings): RescueDeps {
  const logger = stderrLogger();
  return rescueDeps(store, { phones: new PhoneClient({ networkPolicy: readConfig(['phones']).phones.networkPolicy, logger }), settings, logger });
}

/** What the command line prints when a registration's HTTPS certificate will be learned again. */
export const RETRUST_NOTICE = 'HTTPS certificate will be learned again on the next ring';

/** The saved registration, or undefined when there is none or it no longer opens (it is then replaced, never an obstacle). */
export async function savedRegistration(store: Pick<Store, 'directory'>, key: { teamId: string; userId: string }): Promise<Registration | undefined> {
  try {
    return await store.directory.get(key);
  } catch (err) {
    if (err instanceof StoreRowUnreadable) return undefined;
    throw err;
  }
}

/**
 * `input` as the operator means it: without a TLS choice, the saved policy while the address is
 * unchanged (see the top of this file); and what the command line cannot say (the pause between
 * rings, for an import) kept from the saved registration.
 */
function asOperator(existing: Registration | undefined, input: RegisterInput): RegisterInput {
  if (existing === undefined) return input;
  const sameAddress = existing.address === input.address.trim();
  return {
    ...input,
    ...(input.tls === undefined && sameAddress ? { tls: existing.tls } : {}),
    ...(input.intervalSeconds === undefined ? { intervalSeconds: existing.intervalSeconds } : {}),
  };
}

const pinned = (r: Pick<Registration, 'tls'> | undefined): boolean => r?.tls?.mode === 'pin' && r.tls.sha256 !== undefined;

/**
 * Registers `input` in the opened store as the operator (`existing`: the saved registration, from
 * savedRegistration); throws a UsageError listing what to fix when registerPhone refuses. `retrusted`:
 * a pinned certificate will be learned again (a new address).
 */
export async function registerAsOperator(
  store: Store,
  settings: RescueSettings,
  input: RegisterInput,
  existing: Registration | undefined,
): Promise<{ saved: Registration; retrusted: boolean }> {
  const deps = operatorDeps(store, settings);
  try {
    const saved = await registerPhone(deps, asOperator(existing, input), CLI_ACTOR);
    return { saved, retrusted: pinned(existing) && saved.tls?.mode === 'pin' && saved.tls.sha256 === undefined };
  } catch (err) {
    throw err instanceof InvalidSettings ? await refusal(deps, err) : err;
  }
}

/** A row registerPhone's checks refuse: its number among the rows after the header, its user and field messages. */
interface RowRefusal {
  row: number;
  userId: string;
  fields: [SettingsField, string][];
  /** registerPhone's own address message, when the row shows the network policy's reason instead. */
  addressAdvice?: string;
}

/** Rows of a `phones import` that registerPhone's checks refuse; nothing was imported. */
class ImportRowsRefused extends AppError {
  // The use case's error class: what `phones add` and the Slack form are refused with, and what the audit names.
  readonly code = 'InvalidSettings';
  constructor(file: string, refusals: readonly RowRefusal[], advice: readonly string[]) {
    const lines = refusals.flatMap((r) => r.fields.map(([field, message]) => `  row ${r.row} (user ${r.userId}), ${field}: ${message}`));
    super(
      `${file}: ${refusals.length} row${refusals.length === 1 ? '' : 's'} cannot be registered; nothing was imported.\n${[...lines, ...advice].join('\n')}`,
      `Fix the rows named above in ${file} (row 1 is the first after the header, blank lines not counted) and run the import again.`,
    );
  }
}

/** Checks one row as registerPhone would: what to store, or what is wrong with it. */
async function checkRow(deps: RescueDeps, input: RegisterInput, row: number): Promise<CheckedRegistration | RowRefusal> {
  try {
    return await checkRegistration(deps, input);
  } catch (err) {
    if (!(err instanceof InvalidSettings)) throw err;
    const fields = Object.entries(err.fields) as [SettingsField, string][];
    // The network policy's own reason for a refused address, as the use case reports it (the form
    // gets a general hint instead), so the operator sees which rule each row broke.
    const general = err.fields.address;
    const reason = err.reasons.address?.message;
    if (general === undefined || reason === undefined) return { row, userId: input.userId, fields };
    return { row, userId: input.userId, fields: fields.map(([f, m]) => [f, f === 'address' ? reason : m]), addressAdvice: general };
  }
}

/** What a refused import adds under the rows, once each: the office's tone list, and registerPhone's advice on addresses. */
async function importAdvice(deps: RescueDeps, refusals: readonly RowRefusal[]): Promise<string[]> {
  const tone = refusals.some((r) => r.fields.some(([f]) => f === 'tone'));
  const address = new Set(refusals.flatMap((r) => (r.addressAdvice === undefined ? [] : [`    ${r.addressAdvice}`])));
  return [...(tone ? [await toneHelp(deps)] : []), ...address];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The one audit entry of a refused import (nothing was stored): registerPhone's action, the command
 * line as the actor, no single target, and counts and field names only, never a value.
 */
async function auditRefusedImport(deps: RescueDeps, teamId: string, errorClass: string, detail: string): Promise<void> {
  await audit(deps, { teamId, actorId: CLI_ACTOR, action: 'register' }, 'refused', { errorClass, detail: `import refused; ${detail}` });
}

/**
 * Imports the CSV `text` (the contents of `file`) into `teamId` as the operator: the file is parsed
 * (parseImportCsv), every row is checked as registerPhone checks it, then all are stored in one
 * transaction and each gets registerPhone's audit entry (detail "imported; new" / "imported;
 * updated"), with the command line as the actor; what the file does not say (HTTPS trust at an
 * unchanged address, the pause between rings) is kept. A file that is not a valid directory CSV
 * (CsvImportInvalid) or has rows registerPhone refuses (ImportRowsRefused, naming every bad row)
 * stores nothing and leaves one refused audit entry with the count of bad lines or rows.
 */
export async function importAsOperator(
  store: Store,
  settings: RescueSettings,
  text: string | Buffer,
  teamId: string,
  file: string,
): Promise<{ imported: number; updated: number; retrusted: string[] }> {
  const deps = operatorDeps(store, settings);
  let inputs: RegisterInput[];
  try {
    inputs = parseImportCsv(text, teamId, file);
  } catch (err) {
    if (err instanceof CsvImportInvalid) await auditRefusedImport(deps, teamId, err.code, `${plural(new Set(err.problems.map((p) => p.line)).size, 'line')} of the file invalid`);
    throw err;
  }
  const results = await Promise.all(inputs.map(async (input, i) => checkRow(deps, asOperator(await savedRegistration(store, input), input), i + 1)));
  const refusals = results.filter((r): r is RowRefusal => 'fields' in r);
  if (refusals.length > 0) {
    const fields = [...new Set(refusals.flatMap((r) => r.fields.map(([f]) => f)))].sort();
    await auditRefusedImport(deps, teamId, 'InvalidSettings', `${refusals.length} of ${plural(inputs.length, 'row')} invalid: ${fields.join(', ')}`);
    throw new ImportRowsRefused(file, refusals, await importAdvice(deps, refusals));
  }
  const checked = results as CheckedRegistration[];
  await store.directory.putMany(checked.map((c) => c.record));
  for (const c of checked) {
    await audit(deps, { teamId: c.record.teamId, actorId: CLI_ACTOR, targetId: c.record.userId, action: 'register' }, 'ok', { detail: `imported; ${c.detail}` });
  }
  return { imported: checked.length, updated: checked.filter((c) => c.updated).length, retrusted: checked.filter((c) => c.retrusted).map((c) => c.record.userId) };
}
