/**
 * The keyring: every key that may have sealed a row (by id), and the current one used for new writes.
 *
 * Key lists are written `id:base64key` (comma- or newline-separated; `#` starts a comment in files).
 * Problems are reported by entry number and id, never with key material.
 */
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.js';
import { StoreKeyInvalid, StoreKeyRequired } from './errors.js';
import type { KeySettings } from './settings.js';

export const KEY_BYTES = 32;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$|^[A-Za-z0-9_-]+={0,2}$/;

export interface KeyEntry {
  id: string;
  key: Buffer;
}

export class Keyring {
  private readonly keys: ReadonlyMap<string, KeyObject>;

  constructor(
    entries: readonly KeyEntry[],
    readonly currentId: string,
  ) {
    this.keys = new Map(entries.map((e) => [e.id, createSecretKey(e.key)]));
    if (!this.keys.has(currentId)) throw new StoreKeyInvalid([`the current key id "${currentId}" is not among the keys`]);
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  /** The key for an id, or undefined when it is not configured. */
  key(id: string): KeyObject | undefined {
    return this.keys.get(id);
  }

  /** A keyed fingerprint of a key (HMAC-SHA-256 of a constant, 16 bytes): tells keys apart, reveals nothing. */
  check(id: string): Buffer | undefined {
    const key = this.keys.get(id);
    return key === undefined ? undefined : createHmac('sha256', key).update('rescue-ring/key-check/v1').digest().subarray(0, 16);
  }

  get current(): KeyObject {
    // Checked in the constructor.
    return this.keys.get(this.currentId) as KeyObject;
  }
}

/**
 * Parses a key list. `source` names where it came from in messages ("STORE_KEYS", a file path).
 * Returns every problem at once; the keys are only meaningful when `problems` is empty.
 */
export function parseKeyList(text: string, source: string): { keys: KeyEntry[]; problems: string[] } {
  const keys: KeyEntry[] = [];
  const problems: string[] = [];
  const items = text
    .split('\n')
    .flatMap((line) => line.replace(/#.*$/, '').split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
  items.forEach((item, index) => {
    const where = `${source} entry ${index + 1}`;
    const colon = item.indexOf(':');
    if (colon < 0) {
      problems.push(`${where} has no "id:" prefix; write it as id:base64key`);
      return;
    }
    const id = item.slice(0, colon).trim();
    const encoded = item.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) {
      problems.push(`${where} has an unusable id (use 1 to 32 letters, digits, "-" or "_")`);
      return;
    }
    const named = `${where} ("${id}")`;
    if (keys.some((k) => k.id === id)) {
      problems.push(`${named} repeats an id already used; each key needs its own id`);
      return;
    }
    if (!BASE64_PATTERN.test(encoded)) {
      problems.push(`${named} is not base64`);
      return;
    }
    const key = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
    if (key.length !== KEY_BYTES) {
      problems.push(`${named} is ${key.length} bytes once decoded; a key must be exactly ${KEY_BYTES} bytes`);
      return;
    }
    keys.push({ id, key });
  });
  if (items.length === 0) problems.push(`${source} holds no key`);
  return { keys, problems };
}

/** Chooses the current key: the named one, or the only one. */
export function pickCurrent(keys: readonly KeyEntry[], currentId: string | undefined, source: string): { currentId?: string; problems: string[] } {
  if (currentId !== undefined) {
    if (!KEY_ID_PATTERN.test(currentId)) return { problems: ['STORE_KEY_ID is not a usable key id (1 to 32 letters, digits, "-" or "_")'] };
    if (!keys.some((k) => k.id === currentId)) {
      return { problems: [`STORE_KEY_ID names "${currentId}", which is not among the keys in ${source} (${keys.map((k) => k.id).join(', ') || 'none'})`] };
    }
    return { currentId, problems: [] };
  }
  if (keys.length === 1) return { currentId: keys[0]?.id, problems: [] };
  if (keys.length === 0) return { problems: [] };
  return { problems: [`${source} holds ${keys.length} keys; set STORE_KEY_ID to the one new rows are sealed with`] };
}

/** A new key line `id:base64`, ids like `k20261128-3fa9`. */
export function generateKeyLine(now: Date = new Date()): { id: string; line: string } {
  const id = `k${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(2).toString('hex')}`;
  return { id, line: `${id}:${randomBytes(KEY_BYTES).toString('base64')}` };
}

/** Where a development key is generated when no key is configured. */
export function devKeyPath(dataDir: string): string {
  return join(dataDir, 'store.key');
}

/**
 * Builds the keyring from settings: STORE_KEYS, else STORE_KEY_FILE, else (outside production) the
 * development key in DATA_DIR/store.key, generated on first use. Throws StoreKeyInvalid / StoreKeyRequired.
 */
export function loadKeyring(settings: KeySettings, logger?: Logger): Keyring {
  if (settings.keys !== undefined && settings.keyFile !== undefined) {
    throw new StoreKeyInvalid(['both STORE_KEYS and STORE_KEY_FILE are set; keep one of them']);
  }
  let text: string;
  let source: string;
  if (settings.keys !== undefined) {
    text = settings.keys;
    source = 'STORE_KEYS';
  } else if (settings.keyFile !== undefined) {
    source = `STORE_KEY_FILE (${settings.keyFile})`;
    text = readKeyFile(settings.keyFile, source, logger);
  } else if (settings.production) {
    throw new StoreKeyRequired();
  } else {
    const path = devKeyPath(settings.dataDir);
    source = path;
    text = readOrCreateDevKey(path, logger);
  }
  const { keys, problems } = parseKeyList(text, source);
  const current = pickCurrent(keys, settings.keyId, source);
  problems.push(...current.problems);
  if (problems.length > 0 || current.currentId === undefined) throw new StoreKeyInvalid(problems);
  return new Keyring(keys, current.currentId);
}

function readKeyFile(path: string, source: string, logger?: Logger): string {
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o077) !== 0 && process.platform !== 'win32') {
      logger?.warn({ file: path }, `The key file ${path} can be read by other users; restrict it with: chmod 600 ${path}`);
    }
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StoreKeyInvalid([`${source} cannot be read (${code ?? 'error'}); check the path and its permissions`]);
  }
}

/**
 * Development only: reads DATA_DIR/store.key, or creates it (mode 0600). Creation is atomic (write a
 * temporary file, then hard-link it into place), so two processes starting together agree on one key.
 */
function readOrCreateDevKey(path: string, logger?: Logger): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new StoreKeyInvalid([`${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  const { line } = generateKeyLine();
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `# rescue-ring development key, generated ${new Date().toISOString()}. Losing it loses the stored passwords.\n${line}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    logger?.warn(
      { file: path },
      `No store key was configured, so a development key was generated in ${path}. In production, set STORE_KEYS and STORE_KEY_ID (make a key with: rescue-ring keys generate).`,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return readFileSync(path, 'utf8');
}
