/**
 * The columns of `phone_registrations`, described once for every engine: which StoredRow field each
 * column holds, in the one order SELECT lists, INSERT lists and parameters use. An engine adds only how
 * its driver stores the fields it cannot take as they are (a codec per field: SQLite keeps buddies as
 * JSON text and times as epoch milliseconds; Postgres has text[] and timestamptz). Anything an engine
 * keys by `RegistrationColumn` must name every column, so a new column cannot be forgotten by one engine.
 */
import type { StoredRow } from './rows.js';

export const REGISTRATION_COLUMNS = [
  { column: 'team_id', field: 'teamId', onConflict: 'keep' },
  { column: 'user_id', field: 'userId', onConflict: 'keep' },
  { column: 'key_id', field: 'keyId', onConflict: 'replace' },
  { column: 'sealed', field: 'sealed', onConflict: 'replace' },
  { column: 'tone', field: 'tone', onConflict: 'replace' },
  { column: 'rings', field: 'rings', onConflict: 'replace' },
  { column: 'interval_seconds', field: 'intervalSeconds', onConflict: 'replace' },
  { column: 'permission', field: 'permission', onConflict: 'replace' },
  { column: 'buddies', field: 'buddies', onConflict: 'replace' },
  // A row written again keeps the time it was first stored.
  { column: 'created_at', field: 'createdAt', onConflict: 'keep' },
  { column: 'updated_at', field: 'updatedAt', onConflict: 'replace' },
] as const satisfies readonly { column: string; field: keyof StoredRow; onConflict: 'keep' | 'replace' }[];

type Entry = (typeof REGISTRATION_COLUMNS)[number];
export type RegistrationColumn = Entry['column'];
export type RegistrationField = Entry['field'];

/** "team_id, user_id, ...": every column, in order. */
export const REGISTRATION_COLUMN_LIST = REGISTRATION_COLUMNS.map((c) => c.column).join(', ');

/** The SET list of an upsert (`key_id = excluded.key_id, ...`): every column a rewrite replaces. */
export const REGISTRATION_UPSERT_SET = REGISTRATION_COLUMNS.filter((c) => c.onConflict === 'replace')
  .map((c) => `${c.column} = excluded.${c.column}`)
  .join(', ');

/** How one engine stores one field. `read` returns undefined for a stored value that does not parse. */
export interface FieldCodec<F extends RegistrationField> {
  write(value: StoredRow[F]): unknown;
  read(stored: unknown): StoredRow[F] | undefined;
  /** What the field holds when `read` failed; the row is then marked damaged. */
  whenDamaged: StoredRow[F];
}

/** An engine's codecs; a field without one is stored and read as it is. */
export type RegistrationCodecs = { [F in RegistrationField]?: FieldCodec<F> };

/** A row as a driver returns it: one property per column. */
export type StoredColumns = Record<RegistrationColumn, unknown>;

/** A row's values in column order (INSERT parameters). */
export function registrationValues(row: StoredRow, codecs: RegistrationCodecs): unknown[] {
  return REGISTRATION_COLUMNS.map(({ field }) => {
    const codec = codecs[field] as FieldCodec<typeof field> | undefined;
    return codec ? codec.write(row[field]) : row[field];
  });
}

/** A row the driver read, as a StoredRow; a column its codec cannot read marks the row damaged. */
export function registrationFrom(stored: StoredColumns, codecs: RegistrationCodecs): StoredRow {
  const row: Record<string, unknown> = {};
  let damaged = false;
  for (const { column, field } of REGISTRATION_COLUMNS) {
    const codec = codecs[field] as FieldCodec<typeof field> | undefined;
    if (codec === undefined) {
      row[field] = stored[column];
      continue;
    }
    const value = codec.read(stored[column]);
    damaged ||= value === undefined;
    row[field] = value ?? codec.whenDamaged;
  }
  if (damaged) row.damaged = true;
  // Every field was set above from its column; the values are what the engine's schema stores for it.
  return row as unknown as StoredRow;
}

/** A stored buddies value that is a list of user ids, else undefined (damaged). */
export function buddyList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((b) => typeof b === 'string') ? value : undefined;
}
