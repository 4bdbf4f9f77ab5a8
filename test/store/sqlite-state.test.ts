import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStateContract } from './state-contract.js';
import { makeKey } from './contract.js';
import { Keyring } from '../../src/store/keyring.js';
import { openFullStore } from '../../src/store/index.js';
import { sqlitePath } from '../../src/store/sqlite.js';
import { openSqliteStore } from '../../src/store/sqlite-state.js';

const keyring = new Keyring([makeKey('k1')], 'k1');

describeStateContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-state-'));
  return {
    open: () => openSqliteStore(sqlitePath(dir), keyring),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('openFullStore (SQLite)', () => {
  it('opens directory and state on one connection; close closes it once, and twice is harmless', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-state-'));
    try {
      const store = await openFullStore({ dataDir: dir, production: false }, { keyring });
      expect(store.engine).toBe('sqlite');
      await store.directory.put({ teamId: 'T1', userId: 'U1', address: 'phone-1' });
      await store.tones.set(['Chime.raw']);
      await store.close();
      await store.close();
      await expect(store.tones.get()).rejects.toThrow(/not open/);
      const again = await openFullStore({ dataDir: dir, production: false }, { keyring });
      expect(await again.directory.count()).toBe(1);
      expect(await again.tones.get()).toEqual(['Chime.raw']);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
