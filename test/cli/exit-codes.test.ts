/**
 * Exit codes (README, "Operator command"): 2 whenever the operator's input is refused and nothing was
 * attempted or saved (usage mistakes, settings registerPhone refuses, import rows or files it refuses,
 * an address outside PHONE_ALLOWED_NETWORKS), the same through `phones add` and `phones import`;
 * 1 otherwise (the phone or the store failed, or there was nothing to act on). Real CLI processes on a real SQLite file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cliHarness, SECRET, type CliHarness } from './harness.js';

/** Each run starts a Node process (up to 1 s on a loaded machine). Not a speed assertion. */
const SLOW = 180_000;
const env = { PHONE_PASSWORD: SECRET, PHONE_ALLOWED_NETWORKS: '10.0.0.0/8' };
const HEADER = 'user,address,username,password,tone,rings';

const harnesses: CliHarness[] = [];
afterAll(() => {
  for (const h of harnesses) h.cleanup();
});

const add = (...more: string[]) => ['phones', 'add', '--team', 'T1', '--user', 'U111', '--username', 'svc', ...more];

describe('rescue-ring exit codes', { timeout: SLOW }, () => {
  it('refused input exits 2 through phones add and phones import alike; a failure exits 1', async () => {
    const h = cliHarness();
    harnesses.push(h);
    const row = (address: string, tone = '') => h.file(`${address.replace(/\W/g, '-')}-${tone}.csv`, `${HEADER}\nU111,${address},svc,${SECRET},${tone},\n`);
    const runs = {
      addTone: await h.cli(add('--address', '10.0.0.1', '--tone', 'Piano2.raw'), { env }),
      importTone: await h.cli(['phones', 'import', row('10.0.0.1', 'Piano2.raw'), '--team', 'T1'], { env }),
      addOutside: await h.cli(add('--address', '192.168.1.1'), { env }),
      importOutside: await h.cli(['phones', 'import', row('192.168.1.1'), '--team', 'T1'], { env }),
      importNotCsv: await h.cli(['phones', 'import', h.file('bad.csv', 'user,phone\nU1,x\n'), '--team', 'T1'], { env }),
      addUsage: await h.cli(add('--address', '10.0.0.1', '--rings', '99'), { env }),
    };
    for (const [name, r] of Object.entries(runs)) expect(r.code, `${name}: ${r.stderr}`).toBe(2);
    expect(runs.addTone.stderr).toContain('--tone: Piano2.raw is known to crash some phones');
    expect(runs.importTone.stderr).toContain('line 2 (user U111): tone: Piano2.raw is known to crash some phones');
    expect(runs.addOutside.stderr).toContain('192.168.1.1 is outside the allowed networks (10.0.0.0/8)');
    expect(runs.importOutside.stderr).toMatch(/line 2 \(user U111\): address: .*192\.168\.1\.1/);
    const store = await h.store();
    try {
      expect(await store.directory.count()).toBe(0);
    } finally {
      await store.close();
    }

    // Valid input that the directory cannot act on (no such registration) stays 1, like a phone or store failure.
    expect((await h.cli(add('--address', '10.0.0.1'), { env })).code).toBe(0);
    expect((await h.cli(['phones', 'remove', 'U999', '--team', 'T1'])).code).toBe(1);
  });
});
