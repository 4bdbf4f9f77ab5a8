/**
 * The one PhoneDirectory implementation: validation, sealing, opening and key rotation over any
 * engine's RowStore. Engines store sealed bytes only; secrets exist in clear only in this process.
 */
import type { Keyring } from './keyring.js';
import type { RowStore, SealSwap, StoredRow } from './rows.js';
import type { GuardedInput, PhoneDirectory, PublicRegistration, Registration, RekeyReport, UserKey } from './types.js';
import { open, seal } from './crypto.js';
import { decodeRecord, encodeRecord, validateInput, type CredentialRecord } from './record.js';
import { StoreKeyInvalid, StoreRowUnreadable } from './errors.js';

/**
 * A directory over an engine, ready to use: checks that every configured key is the one this
 * storage knows under that id (throws StoreKeyInvalid otherwise) and records the current key's check.
 */
export async function openDirectory(rows: RowStore, keyring: Keyring): Promise<EncryptedDirectory> {
  const directory = new EncryptedDirectory(rows, keyring);
  try {
    await directory.verifyKeys();
  } catch (err) {
    await rows.close();
    throw err;
  }
  return directory;
}

export type Unreadable = { teamId: string; userId: string; keyId: string; reason: string };

export class EncryptedDirectory implements PhoneDirectory {
  constructor(
    private readonly rows: RowStore,
    private readonly keyring: Keyring,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get engine(): string {
    return this.rows.engine;
  }

  /** Start-up check: a key id whose key material changed would make every row under it unreadable. */
  async verifyKeys(): Promise<void> {
    const stored = await this.rows.keyChecks();
    const wrong = this.keyring.ids.filter((id) => {
      const known = stored.get(id);
      return known !== undefined && !known.equals(this.keyring.check(id) ?? Buffer.alloc(0));
    });
    if (wrong.length > 0) {
      throw new StoreKeyInvalid(
        wrong.map((id) => `the key configured as "${id}" is not the key this directory was sealed with under that id (${this.rows.engine}); restore the original "${id}" key, or give a new key a new id`),
      );
    }
    if (!stored.has(this.keyring.currentId)) {
      await this.rows.recordKeyCheck(this.keyring.currentId, this.keyring.check(this.keyring.currentId) as Buffer);
    }
  }

  async get(key: UserKey): Promise<Registration | undefined> {
    const row = await this.rows.get(key);
    return row === undefined ? undefined : this.toRegistration(row);
  }

  async put(input: GuardedInput, options: { keepSecrets?: boolean } = {}): Promise<Registration> {
    const [stored] = await this.putMany([input], options);
    return stored as Registration;
  }

  /** Stores every registration in one transaction: all or none (none when a guarded row changed since it was read). */
  async putMany(inputs: readonly GuardedInput[], options: { keepSecrets?: boolean } = {}): Promise<Registration[]> {
    inputs.forEach(validateInput);
    const now = this.now();
    const sealedRows: StoredRow[] = [];
    const records: CredentialRecord[] = [];
    for (const input of inputs) {
      const record: CredentialRecord = { address: input.address.trim(), username: input.username, password: input.password, tls: input.tls, coverStory: input.coverStory, ...(input.source !== undefined ? { source: input.source } : {}) };
      if (options.keepSecrets && (record.username === undefined || record.password === undefined || record.coverStory === undefined)) {
        const existing = await this.rows.get(input);
        const old = existing === undefined ? undefined : this.openRecordOrNothing(existing);
        record.username ??= old?.username;
        record.password ??= old?.password;
        record.coverStory ??= old?.coverStory;
      }
      records.push(record);
      const { keyId, sealed } = seal(this.keyring, input, encodeRecord(record));
      sealedRows.push({
        teamId: input.teamId,
        userId: input.userId,
        keyId,
        sealed,
        tone: input.tone ?? null,
        rings: input.rings ?? null,
        intervalSeconds: input.intervalSeconds ?? null,
        permission: input.permission ?? 'anyone',
        buddies: [...new Set(input.buddies ?? [])],
        createdAt: now,
        updatedAt: now,
      });
    }
    const guards = inputs.map((i) => i.ifUpdatedAt);
    const stored = await this.rows.upsert(sealedRows, guards.some((g) => g !== undefined) ? guards : undefined);
    return stored.map((row, i) => compose(row, records[i] as CredentialRecord));
  }

  remove(key: UserKey): Promise<boolean> {
    return this.rows.remove(key);
  }

  async list(filter?: { teamId?: string }): Promise<{ rows: PublicRegistration[]; unreadable: Unreadable[] }> {
    const rows: PublicRegistration[] = [];
    const unreadable: Unreadable[] = [];
    for (const row of await this.rows.list(filter)) {
      try {
        const { password, username, ...rest } = this.toRegistration(row);
        rows.push({ ...rest, hasOwnUsername: username !== undefined, hasOwnPassword: password !== undefined });
      } catch (err) {
        if (!(err instanceof StoreRowUnreadable)) throw err;
        unreadable.push({ teamId: err.teamId, userId: err.userId, keyId: err.keyId, reason: err.reason });
      }
    }
    return { rows, unreadable };
  }

  teams(): Promise<string[]> {
    return this.rows.teams();
  }

  count(): Promise<number> {
    return this.rows.count();
  }

  async rekey(options: { batchSize?: number; onBatch?: (done: number) => void } = {}): Promise<RekeyReport> {
    const batchSize = Math.max(1, options.batchSize ?? 500);
    const current = this.keyring.currentId;
    const report: RekeyReport = { reencrypted: 0, current: 0, failed: 0, failures: [] };
    const fail = (err: StoreRowUnreadable) => {
      report.failed += 1;
      report.failures.push({ teamId: err.teamId, userId: err.userId, keyId: err.keyId, reason: err.reason });
    };
    // Rows already under the current key are opened too, so a damaged one is reported, not counted as fine.
    for (const row of await this.rows.list()) {
      if (row.keyId !== current) continue;
      try {
        this.openRecord(row);
        report.current += 1;
      } catch (err) {
        if (!(err instanceof StoreRowUnreadable)) throw err;
        fail(err);
      }
    }
    let after: UserKey | undefined;
    for (;;) {
      const batch = await this.rows.rowsNotUnderKey(current, after, batchSize);
      if (batch.length === 0) break;
      after = batch[batch.length - 1];
      const swaps: SealSwap[] = [];
      for (const row of batch) {
        try {
          const plaintext = open(this.keyring, row, row);
          const next = seal(this.keyring, row, plaintext);
          swaps.push({ teamId: row.teamId, userId: row.userId, fromKeyId: row.keyId, fromSealed: row.sealed, keyId: next.keyId, sealed: next.sealed });
        } catch (err) {
          if (!(err instanceof StoreRowUnreadable)) throw err;
          fail(err);
        }
      }
      report.reencrypted += await this.rows.swapSeals(swaps);
      options.onBatch?.(report.reencrypted);
    }
    return report;
  }

  close(): Promise<void> {
    return this.rows.close();
  }

  private openRecord(row: StoredRow): CredentialRecord {
    if (row.damaged) throw new StoreRowUnreadable(row.teamId, row.userId, row.keyId, 'corrupt');
    const record = decodeRecord(open(this.keyring, row, row));
    if (record === undefined) throw new StoreRowUnreadable(row.teamId, row.userId, row.keyId, 'corrupt');
    return record;
  }

  /** A row that no longer opens has no secrets left to keep: re-registering replaces it. */
  private openRecordOrNothing(row: StoredRow): CredentialRecord | undefined {
    try {
      return this.openRecord(row);
    } catch (err) {
      if (err instanceof StoreRowUnreadable) return undefined;
      throw err;
    }
  }

  private toRegistration(row: StoredRow): Registration {
    return compose(row, this.openRecord(row));
  }
}

function compose(row: StoredRow, record: CredentialRecord): Registration {
  const reg: Registration = {
    teamId: row.teamId,
    userId: row.userId,
    address: record.address,
    permission: row.permission,
    buddies: row.buddies,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  if (record.username !== undefined) reg.username = record.username;
  if (record.password !== undefined) reg.password = record.password;
  if (record.tls !== undefined) reg.tls = record.tls;
  if (record.coverStory !== undefined) reg.coverStory = record.coverStory;
  if (record.source !== undefined && record.source !== 'manual') reg.source = record.source;
  if (row.tone !== null) reg.tone = row.tone;
  if (row.rings !== null) reg.rings = row.rings;
  if (row.intervalSeconds !== null) reg.intervalSeconds = row.intervalSeconds;
  return reg;
}
