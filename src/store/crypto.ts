/**
 * AES-256-GCM sealing of one credential record, bound to its owner.
 *
 * Sealed layout (bytes): version (1) | nonce (12) | tag (16) | ciphertext. The key id travels beside
 * it (its own column) and the associated data is the owner, so a row copied onto another user, or
 * any flipped byte, fails to open. A fresh random 96-bit nonce is drawn for every seal.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { UserKey } from './types.js';
import type { Keyring } from './keyring.js';
import { StoreKeyMissing, StoreRowUnreadable } from './errors.js';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

export interface Sealed {
  keyId: string;
  sealed: Buffer;
}

/** The owner as associated data; length-prefixed so no two owners share an encoding. */
export function associatedData(owner: UserKey): Buffer {
  return Buffer.from(JSON.stringify(['rescue-ring/credentials/v1', owner.teamId, owner.userId]), 'utf8');
}

export function seal(keyring: Keyring, owner: UserKey, plaintext: string): Sealed {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyring.current, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(owner));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyId: keyring.currentId, sealed: Buffer.concat([Buffer.of(VERSION), nonce, cipher.getAuthTag(), body]) };
}

/** Opens a sealed record; throws StoreKeyMissing or StoreRowUnreadable, never returns garbage. */
export function open(keyring: Keyring, owner: UserKey, { keyId, sealed }: Sealed): string {
  const key = keyring.key(keyId);
  if (key === undefined) throw new StoreKeyMissing(owner.teamId, owner.userId, keyId);
  if (sealed.length < HEADER_BYTES || sealed[0] !== VERSION) {
    throw new StoreRowUnreadable(owner.teamId, owner.userId, keyId, 'corrupt');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(owner));
    decipher.setAuthTag(sealed.subarray(1 + NONCE_BYTES, HEADER_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    // node reports "Unsupported state or unable to authenticate data"; the cause holds nothing secret,
    // but the owner and key id are what an operator needs.
    throw new StoreRowUnreadable(owner.teamId, owner.userId, keyId, 'tampered');
  }
}
