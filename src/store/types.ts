/**
 * The contract of the encrypted phone directory (src/store). Every engine (SQLite, Postgres)
 * implements it and passes the same contract test suite (test/store/contract.ts).
 */
import type { TlsPolicy } from '../phone/types.js';

/** Who may ring a user's phone. */
export type RingPermission = 'anyone' | 'buddies' | 'only_me';

export interface UserKey {
  teamId: string;
  userId: string;
}

/** What a user (or an admin) registers. Secret fields are encrypted at rest, never logged. */
export interface RegistrationInput extends UserKey {
  /** `host`, `host:port` or `http(s)://host[:port]`. Secret at rest. */
  address: string;
  /** Phone username; absent = organisation default (PHONE_DEFAULT_USERNAME). Secret at rest. */
  username?: string;
  /** Phone password; absent = organisation default (PHONE_DEFAULT_PASSWORD). Secret at rest. */
  password?: string;
  tls?: TlsPolicy;
  /** Absent = organisation default. */
  tone?: string;
  rings?: number;
  intervalSeconds?: number;
  permission?: RingPermission; // default 'anyone'
  buddies?: string[]; // user ids
  /** Default cover story shown on the phone's screen after the first ring (issue 6). Sealed with the record. */
  coverStory?: string;
  /**
   * How the phone was found (issue 14): absent = typed by hand ('manual'); 'callmanager' = a desk phone
   * the call manager lists for the person, saved by its owner; 'callmanager-unconfirmed' = saved by an
   * operator (`phones sync --apply`) and not yet confirmed by its owner: colleagues cannot ring it.
   * Sealed with the record (no column, no migration).
   */
  source?: RegistrationSource;
}

/** See RegistrationInput.source. */
export type RegistrationSource = 'manual' | 'callmanager' | 'callmanager-unconfirmed';

export interface Registration extends Required<Pick<RegistrationInput, 'teamId' | 'userId' | 'address'>> {
  username?: string;
  password?: string;
  tls?: TlsPolicy;
  tone?: string;
  rings?: number;
  intervalSeconds?: number;
  permission: RingPermission;
  buddies: string[];
  coverStory?: string;
  source?: RegistrationSource;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A write that happens only if the row is still as it was read (compare-and-set on its update time):
 * `ifUpdatedAt` is the `updatedAt` read, or null when there was no row. Absent: written whatever is there.
 */
export type GuardedInput = RegistrationInput & { ifUpdatedAt?: Date | null };

/** A registration with the secrets removed: what `list`, exports and App Home see. */
export type PublicRegistration = Omit<Registration, 'password' | 'username'> & { hasOwnUsername: boolean; hasOwnPassword: boolean };

export interface RekeyReport {
  /** Rows re-encrypted under the current key in this run. */
  reencrypted: number;
  /** Rows already under the current key (and opening). */
  current: number;
  /** Rows that could not be opened (missing key, tampered); named in `failures`. */
  failed: number;
  failures: { teamId: string; userId: string; keyId: string; reason: string }[];
}

export interface PhoneDirectory {
  /** Undefined when the user has no registration. Throws StoreRowUnreadable for a row that does not open. */
  get(key: UserKey): Promise<Registration | undefined>;
  /**
   * Insert or replace. `password`/`username` (and `coverStory`) absent on update keep the stored ones only if `keepSecrets` is set
   * (a stored row that no longer opens has nothing to keep: it is simply replaced). With `ifUpdatedAt`
   * (GuardedInput) nothing is written when the row changed since it was read: StoreWriteConflict.
   */
  put(input: GuardedInput, options?: { keepSecrets?: boolean }): Promise<Registration>;
  /** Like `put` for many registrations, in ONE transaction: all are stored or none (CSV import); one conflict stores none. */
  putMany(inputs: readonly GuardedInput[], options?: { keepSecrets?: boolean }): Promise<Registration[]>;
  remove(key: UserKey): Promise<boolean>;
  /** Without secrets. Rows that do not open are reported in `unreadable`, never thrown. */
  list(filter?: { teamId?: string }): Promise<{ rows: PublicRegistration[]; unreadable: { teamId: string; userId: string; keyId: string; reason: string }[] }>;
  /** Distinct team ids present. */
  teams(): Promise<string[]>;
  count(): Promise<number>;
  /**
   * Re-encrypt every row under the current key, in batches; safe to re-run after an interruption.
   * Rows already under the current key are opened too: any row that does not open is in `failures`.
   */
  rekey(options?: { batchSize?: number; onBatch?: (done: number) => void }): Promise<RekeyReport>;
  close(): Promise<void>;
}
