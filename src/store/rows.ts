/**
 * What an engine stores: rows already sealed. An engine (SQLite, Postgres) implements RowStore only;
 * sealing, validation and rotation live once, in EncryptedDirectory (directory.ts), so every engine
 * encrypts the same way and never sees a secret in clear.
 */
import type { RingPermission, UserKey } from './types.js';

export interface StoredRow extends UserKey {
  keyId: string;
  /** Sealed credential record (address, username, password, TLS choice). */
  sealed: Buffer;
  tone: string | null;
  rings: number | null;
  intervalSeconds: number | null;
  permission: RingPermission;
  buddies: string[];
  createdAt: Date;
  updatedAt: Date;
  /**
   * Set by an engine when a plain column of this row does not parse (a damaged file): the directory
   * then reports the row unreadable ('corrupt') instead of failing every read that lists it.
   */
  damaged?: true;
}

/** Replace a row's seal only if it still holds what was read (compare-and-swap). */
export interface SealSwap extends UserKey {
  fromKeyId: string;
  fromSealed: Buffer;
  keyId: string;
  sealed: Buffer;
}

export interface RowStore {
  /** Engine name for messages and tests: "sqlite", "postgres". */
  readonly engine: string;
  get(key: UserKey): Promise<StoredRow | undefined>;
  /**
   * Insert or replace every row in ONE transaction (all or nothing). An existing row keeps its
   * `createdAt`; returns the rows as stored, in input order. `guards` (by position; see
   * GuardedInput): a row is written only if its stored `updatedAt` is still the one given (null: no
   * row); otherwise nothing is written and StoreWriteConflict names every row that changed.
   */
  upsert(rows: readonly StoredRow[], guards?: readonly (Date | null | undefined)[]): Promise<StoredRow[]>;
  remove(key: UserKey): Promise<boolean>;
  /** Ordered by team id, then user id. */
  list(filter?: { teamId?: string }): Promise<StoredRow[]>;
  teams(): Promise<string[]>;
  count(filter?: { keyId?: string }): Promise<number>;
  /** Up to `limit` rows whose key id is not `keyId`, ordered by (team, user), strictly after `after`. */
  rowsNotUnderKey(keyId: string, after: UserKey | undefined, limit: number): Promise<StoredRow[]>;
  /** Applies every swap in ONE transaction; returns how many rows changed (a row written meanwhile is left alone). */
  swapSeals(swaps: readonly SealSwap[]): Promise<number>;
  /** Stored key fingerprints by key id (see Keyring.check). */
  keyChecks(): Promise<Map<string, Buffer>>;
  /** Records a key's fingerprint unless one is already stored for that id. */
  recordKeyCheck(keyId: string, check: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** The rows (of `upsert`) whose guard no longer holds, given each row's stored `updatedAt` (undefined: no row). */
export function guardConflicts(rows: readonly UserKey[], guards: readonly (Date | null | undefined)[], storedAt: (row: UserKey) => Date | undefined): UserKey[] {
  return rows.filter((row, i) => {
    const guard = guards[i];
    if (guard === undefined) return false;
    const stored = storedAt(row);
    return guard === null ? stored !== undefined : stored?.getTime() !== guard.getTime();
  }).map((r) => ({ teamId: r.teamId, userId: r.userId }));
}
