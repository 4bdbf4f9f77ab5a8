/**
 * `rescue-ring phones add` and `phones import` register through the same use cases as the Slack
 * settings form (saveRegistration, and registerMany for a file): the same checks (the ringtone on
 * this office's list: the imported ring list, else PHONE_TONES, else the built-in one), the same merge
 * with the saved registration and the same audit entries, with the command line as the actor. This
 * file only maps options and CSV records to patches, and refusals to messages naming the option or
 * the line of the file to fix.
 *
 * What is kept: `phones add` says only what it changes, so every field not given is kept
 * (EVERY_FIELD); an import keeps the saved password for an empty cell, and what the file cannot say
 * (the pause between rings, who may ring, buddies, the cover story, HTTPS trust). A pinned
 * certificate is never dropped as a side effect: operators re-trust with --tls-pin; a new address is
 * another phone, whose certificate is learned again, and the verbs say so.
 */
import { AppError } from '../errors.js';
import type { RescueDeps } from '../rescue/deps.js';
import { InvalidSettings, type SettingsField } from '../rescue/errors.js';
import { registerMany, RegistrationsRefused, type ManyRegistered } from '../rescue/register-many.js';
import { saveRegistration, type Registered, type RegisterInput } from '../rescue/register.js';
import { EVERY_FIELD, type KeptField } from '../rescue/registration-merge.js';
import { describeToneSource, effectiveTones } from '../rescue/tones.js';
import { CsvImportInvalid, describeLine, parseImportCsv, type CsvProblem } from './directory-csv.js';
import { CLI_ACTOR, UsageError } from './io.js';

/** What an import keeps from each saved registration (see the top of this file). */
const IMPORT_KEEPS: readonly KeptField[] = ['password', 'intervalSeconds', 'permission', 'buddies', 'coverStory', 'tls'];

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

/** What the command line says when no source gave a username or a password (and the office has no default). */
const NOT_GIVEN: Partial<Record<SettingsField, string>> = {
  username: 'No phone username given: add --username, or configure PHONE_DEFAULT_USERNAME for the whole office.',
  password: 'No phone password given: set PHONE_PASSWORD, pipe it with --password-stdin, or configure PHONE_DEFAULT_PASSWORD for the whole office.',
};

/** The use case's refusal of `phones add`, by command-line option. */
async function refusal(deps: RescueDeps, err: InvalidSettings, patch: RegisterInput): Promise<Error> {
  const lines = ['The phone was not registered; nothing was saved:'];
  const address = err.reasons.address;
  for (const [field, message] of Object.entries(err.fields) as [SettingsField, string][]) {
    const missing = (field === 'username' || field === 'password') && patch[field] === undefined ? NOT_GIVEN[field] : undefined;
    if (missing !== undefined) {
      lines.push(`  ${missing}`);
      continue;
    }
    lines.push(`  ${OPTION[field]}: ${field === 'address' && address !== undefined ? address.message : message}`);
    if (field === 'tone') lines.push(await toneHelp(deps));
  }
  const advice = err.fields.address;
  return address !== undefined && advice !== undefined ? new AddressRefusal(address.code, lines.join('\n'), advice) : new UsageError(lines.join('\n'));
}

/** What the command line prints when a registration's HTTPS certificate will be learned again. */
export const RETRUST_NOTICE = 'HTTPS certificate will be learned again on the next ring';

/**
 * `phones add`: saves `patch` (what the options give; undefined = keep the saved value) as the
 * operator. Throws a UsageError (or the address check's class) listing what to fix when refused.
 */
export async function addAsOperator(deps: RescueDeps, patch: RegisterInput): Promise<Registered> {
  try {
    return await saveRegistration(deps, patch, { actorId: CLI_ACTOR, keep: EVERY_FIELD });
  } catch (err) {
    throw err instanceof InvalidSettings ? await refusal(deps, err, patch) : err;
  }
}

/** A line of a `phones import` that cannot be registered, with each reason. */
interface LineRefusal {
  line: number;
  userId?: string;
  reasons: string[];
  /** The use case's advice on addresses, when the line shows the network policy's reason instead. */
  addressAdvice?: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Lines of a `phones import` that cannot be registered, named by line of the file and user; nothing was imported. */
class ImportRefused extends AppError {
  constructor(
    readonly code: 'CsvImportInvalid' | 'InvalidSettings',
    file: string,
    refusals: readonly LineRefusal[],
    advice: readonly string[],
  ) {
    const lines = refusals.flatMap((r) => r.reasons.map((reason) => `  ${describeLine(r)}: ${reason}`));
    super(
      `${file}: ${plural(refusals.length, 'line')} cannot be imported; nothing was imported.\n${[...lines, ...advice].join('\n')}`,
      `Fix the lines named above in ${file} (line 1 is the header) and import the whole file again.`,
    );
  }
}

/** The use case's refusal of one record, as reasons beside its line: the network policy's own reason for an address. */
function lineRefusal(line: number, userId: string, err: InvalidSettings): LineRefusal {
  const general = err.fields.address;
  const reason = err.reasons.address?.message;
  const reasons = (Object.entries(err.fields) as [SettingsField, string][]).map(([f, m]) => `${f}: ${f === 'address' && reason !== undefined ? reason : m}`);
  return { line, userId, reasons, ...(general !== undefined && reason !== undefined ? { addressAdvice: general } : {}) };
}

/**
 * Imports the CSV `text` (the contents of `file`) into `teamId` as the operator through registerMany:
 * all records or none. Every bad line is named in one run, by line of the file with the user beside
 * it: those the file format refuses (CsvImportInvalid) and those the use case refuses (InvalidSettings).
 */
export async function importAsOperator(deps: RescueDeps, text: string | Buffer, teamId: string, file: string): Promise<ManyRegistered> {
  let parsed;
  try {
    parsed = parseImportCsv(text, teamId, file);
  } catch (err) {
    if (err instanceof CsvImportInvalid) {
      // The file as a whole cannot be read: registerMany's one refused audit entry, nothing checked.
      await registerMany(deps, teamId, [], { actorId: CLI_ACTOR, keep: IMPORT_KEEPS, refusedEarlier: { lines: new Set(err.problems.map((p) => p.line)).size, errorClass: err.code } }).catch(() => undefined);
    }
    throw err;
  }
  const { rows, problems } = parsed;
  const badLines = new Set(problems.map((p) => p.line)).size;
  try {
    return await registerMany(
      deps,
      teamId,
      rows.map((r) => r.input),
      { actorId: CLI_ACTOR, keep: IMPORT_KEEPS, ...(badLines > 0 ? { refusedEarlier: { lines: badLines, errorClass: 'CsvImportInvalid' } } : {}) },
    );
  } catch (err) {
    if (!(err instanceof RegistrationsRefused)) throw err;
    const refused = [...byLine(problems), ...err.refusals.map((r) => lineRefusal(rows[r.index]?.line ?? 0, r.userId, r.error))].sort((a, b) => a.line - b.line);
    throw new ImportRefused(badLines > 0 ? 'CsvImportInvalid' : 'InvalidSettings', file, refused, await importAdvice(deps, err));
  }
}

/** The file format's problems, one entry per line. */
function byLine(problems: readonly CsvProblem[]): LineRefusal[] {
  const lines = new Map<number, LineRefusal>();
  for (const p of problems) {
    const entry = lines.get(p.line) ?? { line: p.line, ...(p.userId === undefined ? {} : { userId: p.userId }), reasons: [] };
    entry.reasons.push(p.reason);
    lines.set(p.line, entry);
  }
  return [...lines.values()];
}

/** What a refused import adds under the lines, once each: the office's tone list, and the use case's advice on addresses. */
async function importAdvice(deps: RescueDeps, err: RegistrationsRefused): Promise<string[]> {
  const tone = err.refusals.some((r) => r.error.fields.tone !== undefined);
  const address = new Set(err.refusals.flatMap((r) => (r.error.fields.address !== undefined && r.error.reasons.address !== undefined ? [`    ${r.error.fields.address}`] : [])));
  return [...(tone ? [await toneHelp(deps)] : []), ...address];
}
