/**
 * Store.health() on SQLite. An open connection keeps working on its file descriptor after the file
 * is deleted, moved, replaced or made unreadable, writing into a file nobody will open again; so the
 * path is checked (still there, still a regular file, not emptied, still the file this connection
 * opened, still readable and writable by this process) besides a read of the schema version on the
 * connection. (That read may come from SQLite's page cache: damage to the file's contents shows only
 * once the connection reads those pages again.)
 * Only stat/access: opening the file from Node and closing it would drop SQLite's POSIX locks on it.
 */
import { constants, statSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { Database } from 'better-sqlite3';
import type { StoreHealth } from './state-types.js';

const errCode = (err: unknown): string => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown error';
};

const notOk = (reason: string): StoreHealth => ({ ok: false, reason });

/** The health check of the store on `db` (open and migrated); call it when the store opens, so it knows which file it opened. */
export function sqliteHealth(db: Database): () => Promise<StoreHealth> {
  const file = db.name;
  const onDisk = !db.memory;
  const opened = onDisk ? statSync(file, { throwIfNoEntry: false }) : undefined;
  const version = db.prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return async () => {
    if (!db.open) return notOk('the store is closed');
    if (onDisk) {
      const now = await stat(file).catch((err: unknown) => errCode(err));
      if (now === 'ENOENT' || now === 'ENOTDIR') return notOk(`the SQLite file ${file} is gone`);
      if (typeof now === 'string') return notOk(`the SQLite file ${file} cannot be checked (${now})`);
      if (!now.isFile()) return notOk(`the SQLite file ${file} is not a regular file any more`);
      // As at start-up (StoreDatabaseEmpty): a 0-byte database file is one whose contents were lost.
      if (now.size === 0) return notOk(`the SQLite file ${file} is empty (0 bytes): its contents were lost`);
      if (opened && (now.ino !== opened.ino || now.dev !== opened.dev)) {
        return notOk(`the SQLite file ${file} was replaced by another file since rescue-ring opened it; restart rescue-ring to use it`);
      }
      const denied = await access(file, constants.R_OK | constants.W_OK).then(
        () => undefined,
        (err: unknown) => errCode(err),
      );
      if (denied !== undefined) return notOk(`the SQLite file ${file} is not readable and writable by this process (${denied})`);
    }
    if (!db.open) return notOk('the store is closed');
    try {
      version.get();
    } catch (err) {
      return notOk(`the SQLite file ${file} cannot be read: ${errCode(err)}`);
    }
    return { ok: true };
  };
}
