/**
 * Errors of the encrypted phone directory. Messages name owners (team/user), key ids and files,
 * never key material, passwords, usernames or addresses.
 */
import { AppError } from '../errors.js';

/** Why a stored row could not be opened. */
export type UnreadableReason =
  /** The row was sealed with a key id that is not in the keyring. */
  | 'key-missing'
  /** The authentication tag did not check: the row was altered, moved to another owner, or sealed with a different key under the same id. */
  | 'tampered'
  /** The sealed bytes are not in a format this version understands, or the opened record is malformed. */
  | 'corrupt';

/** A row that does not open. Never crashes the process; the caller reports the owner and key id. */
export class StoreRowUnreadable extends AppError {
  readonly code: string = 'StoreRowUnreadable';
  constructor(
    readonly teamId: string,
    readonly userId: string,
    readonly keyId: string,
    readonly reason: UnreadableReason,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `The phone registration of user ${userId} (team ${teamId}), sealed with key "${keyId}", cannot be opened: ${describeReason(reason)}.`,
      hint ??
        (reason === 'tampered'
          ? 'The stored data was changed outside rescue-ring or the key with this id is not the one it was sealed with. Ask the user to register their phone again (or an admin: rescue-ring phones add), or restore the key that sealed it.'
          : 'The stored data is damaged. Ask the user to register their phone again, or an admin to run: rescue-ring phones add.'),
      options,
    );
  }
}

/** A row sealed with a key id that is not configured. */
export class StoreKeyMissing extends StoreRowUnreadable {
  override readonly code: string = 'StoreKeyMissing';
  constructor(teamId: string, userId: string, keyId: string) {
    super(
      teamId,
      userId,
      keyId,
      'key-missing',
      `Add the key "${keyId}" back to STORE_KEYS (or STORE_KEY_FILE) and restart, then run "rescue-ring keys rotate" so every row moves to the current key. If that key is lost, the user has to register their phone again.`,
    );
  }
}

function describeReason(reason: UnreadableReason): string {
  switch (reason) {
    case 'key-missing':
      return 'that key is not configured';
    case 'tampered':
      return 'it does not authenticate (altered, moved to another user, or a different key under the same id)';
    case 'corrupt':
      return 'its stored format is damaged';
  }
}

/** Keys are malformed or inconsistent: the process refuses to start. */
export class StoreKeyInvalid extends AppError {
  readonly code = 'StoreKeyInvalid';
  constructor(readonly problems: readonly string[]) {
    super(
      `The store keys are not usable:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      'Fix the key settings named above (STORE_KEYS as "id:base64key,...", STORE_KEY_ID, or STORE_KEY_FILE). Make a new key with: rescue-ring keys generate.',
    );
  }
}

/** Production without a key: never invent one where the data must survive. */
export class StoreKeyRequired extends AppError {
  readonly code = 'StoreKeyRequired';
  constructor() {
    super(
      'No store key is configured and NODE_ENV is production, so rescue-ring will not start.',
      'Make a key with "rescue-ring keys generate", put it in STORE_KEYS (or a file named by STORE_KEY_FILE), set STORE_KEY_ID to its id, and start again. Keep a copy in your secrets manager: without it the stored phone passwords cannot be read.',
    );
  }
}

/** Input the directory refuses to store (empty ids, rings out of range...). */
export class StoreInputInvalid extends AppError {
  readonly code = 'StoreInputInvalid';
  constructor(message: string, hint: string) {
    super(message, hint);
  }
}

/** The database was migrated by a newer rescue-ring than this one. */
export class StoreSchemaTooNew extends AppError {
  readonly code = 'StoreSchemaTooNew';
  constructor(where: string, found: number, known: number) {
    super(
      `The database ${where} is at schema version ${found}, but this rescue-ring knows versions up to ${known}.`,
      'A newer rescue-ring has used this database. Run that newer version (or newer) here too; do not downgrade.',
    );
  }
}

/** The configured engine cannot be used. */
export class StoreUnavailable extends AppError {
  readonly code = 'StoreUnavailable';
}

/**
 * A compare-and-set write found a row changed (or added, or removed) since it was read: another
 * administrator or process saved it meanwhile. Nothing was written.
 */
export class StoreWriteConflict extends AppError {
  readonly code = 'StoreWriteConflict';
  constructor(readonly owners: readonly { teamId: string; userId: string }[]) {
    super(
      `The phone registration${owners.length === 1 ? '' : 's'} of ${owners.map((o) => `${o.userId} (team ${o.teamId})`).join(', ')} changed while ${owners.length === 1 ? 'it was' : 'they were'} being saved; nothing was saved.`,
      'Someone else saved the same registration at the same moment. Look at it again and save once more.',
    );
  }
}

/**
 * The database file exists but holds 0 bytes: its contents were lost (a failed copy or restore, a
 * full disk, a truncation). A new store is never created empty (see openSqliteDatabase), so this is
 * never a fresh start: taking it as one would run with no phones.
 */
export class StoreDatabaseEmpty extends AppError {
  readonly code = 'StoreDatabaseEmpty';
  constructor(readonly file: string) {
    super(
      `The database file ${file} is empty (0 bytes): the phone directory it held is gone, so rescue-ring will not start with no phones.`,
      `Restore ${file} from your backup and start again. Or, to start afresh with an empty directory (every user registers their phone again), delete the empty file and start again.`,
    );
  }
}
