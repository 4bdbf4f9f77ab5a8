/**
 * The operator's CSV format of the directory, for `phones import` / `phones export`:
 * header `user,address,username,password,tone,rings` (any order; `user` and `address` required).
 * Only what is about the file itself is checked here: CSV syntax, the header, one row per user, cells
 * that are a user id / an address / a number / a password without control characters. Whether a row
 * may be registered (username and password present or kept, tone on the office's list, rings in range)
 * is the use case's rule (checkRegistration in src/rescue/register.ts, which knows the saved
 * registration), checked there for every row. Problems come back by line of the file (the header is
 * line 1; a record starts where its first cell does) with the user id beside it and the reason, never
 * with a password. Reading and writing are RFC 4180 through csv-parse and csv-stringify.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../errors.js';
import { parsePhoneAddress } from '../phone/address.js';
import { USER_ID_PATTERN, type RegisterInput } from '../rescue/register.js';
import type { PublicRegistration } from '../store/types.js';

export const IMPORT_COLUMNS = ['user', 'address', 'username', 'password', 'tone', 'rings'] as const;
export const EXPORT_COLUMNS = ['user', 'address', 'username', 'tone', 'rings'] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

export interface CsvProblem {
  /** The line of the file where the record starts (the header is line 1). */
  line: number;
  /** The record's user id, when its user cell is one. */
  userId?: string;
  reason: string;
}

/** How a problem is named to the operator: the line of the file, and the user beside it. */
export const describeLine = (p: { line: number; userId?: string }): string => `line ${p.line}${p.userId === undefined ? '' : ` (user ${p.userId})`}`;

/** A record of the file that reads as a registration, and the line where it starts. */
export interface ImportRow {
  line: number;
  input: RegisterInput;
}

/** The file read: the rows that read, and every problem of the others. */
export interface ParsedImport {
  rows: ImportRow[];
  problems: CsvProblem[];
}

export class CsvImportInvalid extends AppError {
  readonly code = 'CsvImportInvalid';
  constructor(
    readonly file: string,
    readonly problems: readonly CsvProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported.\n${problems.map((p) => `  ${describeLine(p)}: ${p.reason}`).join('\n')}`,
      `Fix the lines named above and import the whole file again. The header must be ${IMPORT_COLUMNS.join(',')} (user and address are required; an empty password keeps the one already saved, other empty cells take the organisation defaults).`,
    );
  }
}

/**
 * Parses and checks a whole file: the records that read as registrations (empty cells undefined) and
 * the problems of those that do not, by line. Throws CsvImportInvalid when the file as a whole cannot
 * be read (not CSV, empty, a bad header, no rows).
 */
export function parseImportCsv(text: string | Buffer, teamId: string, file = 'CSV file'): ParsedImport {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // `info: true` makes each record `{ record, info }`; the typings only describe the plain form.
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: false }) as unknown as typeof records;
  } catch (err) {
    const line = typeof (err as { lines?: unknown }).lines === 'number' ? (err as { lines: number }).lines : 1;
    const reason = (err as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted cell is never closed (a " is missing)' : 'the file is not valid CSV here';
    throw new CsvImportInvalid(file, [{ line, reason }]);
  }
  // Start line of each record (a quoted cell may span lines): one past the previous record's end.
  const rows = records.map((r, i) => ({ cells: r.record, line: i === 0 ? 1 : (records[i - 1]?.info.lines ?? 0) + 1 })).filter((r) => !(r.cells.length === 1 && r.cells[0]?.trim() === ''));
  const header = rows.shift();
  if (header === undefined) throw new CsvImportInvalid(file, [{ line: 1, reason: `the file is empty; it needs a header row ${IMPORT_COLUMNS.join(',')}` }]);
  const problems: CsvProblem[] = [];
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const index = new Map<Column, number>();
  names.forEach((name, i) => {
    if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) problems.push({ line: header.line, reason: `unknown column "${name.slice(0, 40)}" (columns are ${IMPORT_COLUMNS.join(', ')})` });
    else if (index.has(name as Column)) problems.push({ line: header.line, reason: `column "${name}" appears twice` });
    else index.set(name as Column, i);
  });
  for (const required of ['user', 'address'] as const) if (!index.has(required)) problems.push({ line: header.line, reason: `the "${required}" column is missing` });
  if (problems.length > 0) throw new CsvImportInvalid(file, problems);

  const seen = new Map<string, number>();
  const inputs: ImportRow[] = [];
  for (const { cells, line } of rows) {
    const before = problems.length;
    let userId: string | undefined;
    const bad = (reason: string) => problems.push({ line, ...(userId === undefined ? {} : { userId }), reason });
    if (cells.length !== names.length) {
      bad(`has ${cells.length} cells but the header has ${names.length}`);
      continue;
    }
    // Cells are trimmed, except the password: spaces may be part of it.
    const cell = (c: Column): string | undefined => {
      const i = index.get(c);
      const raw = i === undefined ? undefined : cells[i];
      const v = c === 'password' ? raw : raw?.trim();
      return v === undefined || v === '' ? undefined : v;
    };
    const user = cell('user');
    const address = cell('address');
    const username = cell('username');
    const password = cell('password');
    const tone = cell('tone');
    const ringsText = cell('rings');
    if (user !== undefined && USER_ID_PATTERN.test(user)) userId = user;
    if (user === undefined) bad('the user cell is empty');
    else if (userId === undefined) bad(`"${user.slice(0, 40)}" is not a Slack user id (like U012AB3CD)`);
    else if (seen.has(user)) bad(`user ${user} is already on line ${seen.get(user)}`);
    else seen.set(user, line);
    if (address === undefined) bad('the address cell is empty');
    else {
      try {
        parsePhoneAddress(address);
      } catch (err) {
        bad(err instanceof Error ? err.message : 'the address is not a phone address');
      }
    }
    if (password !== undefined && [...password].some((c) => c.charCodeAt(0) < 0x20)) bad('the password contains control characters');
    // Only that the cell is a number; its range is registerPhone's rule (checkRegistration).
    let rings: number | undefined;
    if (ringsText !== undefined) {
      rings = Number(ringsText);
      if (!/^\d+$/.test(ringsText)) bad(`rings must be a whole number, like 3; it is "${ringsText.slice(0, 20)}"`);
    }
    if (problems.length === before) inputs.push({ line, input: { teamId, userId: user ?? '', address: address ?? '', username, password, tone, rings } });
  }
  if (rows.length === 0) throw new CsvImportInvalid(file, [{ line: header.line + 1, reason: 'there are no rows after the header' }]);
  return { rows: inputs, problems };
}

/** A cell a spreadsheet would run as a formula is prefixed with ' (users choose their usernames). */
const defused = (value: string | number | undefined): string => {
  const s = value === undefined ? '' : String(value);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
};

/** The export: the import header without passwords, so a file can be edited and imported back. */
export function toExportCsv(rows: readonly (PublicRegistration & { username?: string })[]): string {
  return stringify([[...EXPORT_COLUMNS], ...rows.map((r) => [r.userId, r.address, r.username, r.tone, r.rings].map(defused))], {
    record_delimiter: 'windows',
    // csv-stringify quotes delimiters and quotes; a line break inside a cell must be quoted too.
    quoted_match: /[\r\n]/,
  });
}
