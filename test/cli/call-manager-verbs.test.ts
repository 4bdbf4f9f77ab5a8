/**
 * `phones sync`, `doctor --cucm` and `status SEP...` as real processes against the Slack stand-in
 * (users.list, paged) and the simulated call manager over loopback HTTP, on a real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandin, type SlackUser } from '../../src/demo/slack-standin.js';
import { startCallManagerSim, SIM_CUCM_PASSWORD, SIM_CUCM_USERNAME, type SimCucmDevice, type SimulatedCallManager } from '../../src/sim/cucm/index.js';
import { harnessPerTest } from './harness.js';

const N = 1000;
/** Four CLI processes, each syncing 1,000 people: a deadline for a loaded machine, not a speed assertion. */
const PROCESSES = 120_000;
const BOT_TOKEN = 'xoxb-sync-test-token-1';
const SHARED_PASSWORD = 'office-SECRET-0b7';
const harness = harnessPerTest();

const mac = (i: number) => i.toString(16).toUpperCase().padStart(12, '0');

let slack: SlackStandin;
let sim: SimulatedCallManager;
beforeAll(async () => {
  const users: SlackUser[] = Array.from({ length: N }, (_, i) => ({ id: `U${String(i).padStart(6, '0')}`, name: `p${i}`, ...(i === 999 ? {} : { email: `P${i}@example.com` }) }));
  users.push({ id: 'UBOT00001', name: 'somebot', is_bot: true, email: 'p5@example.com' }, { id: 'UGONE0001', name: 'gone', deleted: true, email: 'p6@example.com' });
  slack = await SlackStandin.start({ users, botToken: BOT_TOKEN, teamId: 'T1' });
  const devices: SimCucmDevice[] = [];
  for (let i = 0; i < N - 2; i++) {
    if (i % 10 === 1) continue; // no desk phone
    devices.push({ name: `SEP${mac(i)}`, owner: `u${i}` });
    if (i % 10 === 2) devices.push({ name: `SEPF${mac(i).slice(1)}`, associated: [`u${i}`] }); // several
  }
  devices.push({ name: 'CSFU3', owner: 'u3' });
  // u0..u997 have call-manager users; Slack's p998 has no match, p999 no e-mail.
  sim = await startCallManagerSim({ users: Array.from({ length: N - 2 }, (_, i) => ({ userid: `u${i}`, mailid: `p${i}@Example.com` })), devices });
});
afterAll(async () => {
  await slack.stop();
  await sim.stop();
});

const env = () => ({
  SLACK_BOT_TOKEN: BOT_TOKEN,
  // The whole Slack part is read (readConfig(['slack'])), as the bot's own .env has it.
  SLACK_APP_TOKEN: 'xapp-1-test-app-token',
  SLACK_API_URL: slack.apiUrl,
  CUCM_URL: sim.url,
  CUCM_USERNAME: SIM_CUCM_USERNAME,
  CUCM_PASSWORD: SIM_CUCM_PASSWORD,
  PHONE_DEFAULT_USERNAME: 'office',
  PHONE_DEFAULT_PASSWORD: SHARED_PASSWORD,
});

interface SyncJson {
  ok: boolean;
  applied: boolean;
  counts: Record<string, number>;
  lines: { userId: string; outcome: string; device?: string }[];
}

describe('phones sync on a workspace of 1,000 people', () => {
  it('dry run: person by person with counts, nothing saved, bots and deactivated people skipped, few AXL queries', async () => {
    const h = harness();
    const axlBefore = sim.requests.filter((r) => r.api === 'AXL').length;
    const r = await h.cli(['phones', 'sync', '--json'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as SyncJson;
    expect(out.lines).toHaveLength(N);
    expect(out.lines.some((l) => l.userId === 'UBOT00001' || l.userId === 'UGONE0001')).toBe(false);
    expect(out.counts).toMatchObject({ new: 798, 'no-desk-phone': 100, 'several-desk-phones': 100, 'no-call-manager-user': 1, 'no-email': 1 });
    expect(out.applied).toBe(false);
    expect(sim.requests.filter((r2) => r2.api === 'AXL').length - axlBefore).toBeLessThanOrEqual(4);
    const human = await h.cli(['phones', 'sync'], { env: env() });
    expect(human.stdout).toMatch(/U000000\s+SEP000000000000\s+new/);
    expect(human.stdout).toContain('1000 people: new 798');
    expect(human.stdout).toContain('Dry run: nothing saved. Run again with --apply to save 798.');
    const store = await h.store();
    expect(await store.directory.count()).toBe(0);
    await store.close();
  });

  it('--apply saves in one transaction with one audit entry; hand-made phones kept unless --replace; a second run changes nothing', async () => {
    const h = harness();
    const store = await h.store();
    await store.directory.put({ teamId: 'T1', userId: 'U000000', address: '127.0.0.9', password: 'x' });
    await store.close();
    const applied = await h.cli(['phones', 'sync', '--apply', '--json'], { env: env() });
    expect(applied.code).toBe(0);
    const out = JSON.parse(applied.stdout) as SyncJson;
    expect(out.counts).toMatchObject({ new: 797, 'kept-manual': 1 });
    const audit = await h.cli(['audit', '--json', '--limit', '100'], { env: env() });
    const entries = JSON.parse(audit.stdout) as { entries?: { detail?: string }[] } | { detail?: string }[];
    const list = Array.isArray(entries) ? entries : (entries.entries ?? []);
    expect(list.filter((e) => e.detail?.startsWith('phones sync'))).toHaveLength(1);
    const again = JSON.parse((await h.cli(['phones', 'sync', '--apply', '--json'], { env: env() })).stdout) as SyncJson;
    expect(again.counts).toMatchObject({ new: 0, unchanged: 797, 'kept-manual': 1 });
    expect(again.applied).toBe(false);
    const replaced = JSON.parse((await h.cli(['phones', 'sync', '--apply', '--replace', '--json'], { env: env() })).stdout) as SyncJson;
    expect(replaced.counts).toMatchObject({ replaced: 1 });
    const s2 = await h.store();
    expect(await s2.directory.get({ teamId: 'T1', userId: 'U000000' })).toMatchObject({ address: 'SEP000000000000', source: 'callmanager-unconfirmed' });
    expect(await s2.directory.count()).toBe(798);
    await s2.close();
  }, PROCESSES);

  it('exit codes for cron: 2 without the settings, 1 when Slack refuses the token', async () => {
    const h = harness();
    const missing = await h.cli(['phones', 'sync'], { env: { ...env(), CUCM_URL: undefined } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('CUCM_URL');
    const refused = await h.cli(['phones', 'sync', '--json'], { env: { ...env(), SLACK_BOT_TOKEN: 'xoxb-wrong' } });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('invalid_auth');
  });
});

describe('doctor --cucm', () => {
  it('passes every step on a healthy call manager', async () => {
    const r = await harness().cli(['doctor', '--cucm'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok\s+dns.*\n.*ok\s+connect.*\n.*ok\s+axl.*\n.*ok\s+risport/s);
    expect(r.stdout + r.stderr).not.toContain(SIM_CUCM_PASSWORD);
  });

  it('fails at 401 naming the credentials, at a missing role naming it, and when unreachable naming the port', async () => {
    const h = harness();
    const wrong = await h.cli(['doctor', '--cucm', '--json'], { env: { ...env(), CUCM_PASSWORD: 'wrong-SECRET-pw' } });
    expect(wrong.code).toBe(1);
    const steps = (JSON.parse(wrong.stdout) as { steps: { step: string; ok: boolean; next?: string }[] }).steps;
    expect(steps.at(-1)).toMatchObject({ step: 'axl', ok: false });
    expect(steps.at(-1)?.next).toContain('CUCM_PASSWORD');
    expect(wrong.stdout + wrong.stderr).not.toContain('wrong-SECRET-pw');

    const noRis = await startCallManagerSim({ accounts: [{ username: 'axl-only', password: 'axl-only-pw', ris: false }] });
    try {
      const role = await h.cli(['doctor', '--cucm'], { env: { ...env(), CUCM_URL: noRis.url, CUCM_USERNAME: 'axl-only', CUCM_PASSWORD: 'axl-only-pw' } });
      expect(role.code).toBe(1);
      expect(role.stdout).toMatch(/ok\s+axl/);
      expect(role.stdout).toMatch(/FAIL risport.*Standard RealtimeAndTraceCollection/s);
    } finally {
      await noRis.stop();
    }

    const down = await startCallManagerSim();
    const url = down.url;
    await down.stop();
    const unreachable = await h.cli(['doctor', '--cucm'], { env: { ...env(), CUCM_URL: url } });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/FAIL connect.*Next: Check the port in CUCM_URL/s);
  });
});

describe('status SEP...', () => {
  it('shows the registration, the address and whose registration it is', async () => {
    const h = harness();
    sim.addDevice({ name: 'SEP0000000000AB', owner: 'u0', ip: '127.0.0.44' });
    const store = await h.store();
    await store.directory.put({ teamId: 'T1', userId: 'U000042', address: 'SEP0000000000AB', source: 'callmanager' });
    await store.close();
    const r = await h.cli(['status', 'sep0000000000ab'], { env: { ...env(), CUCM_PHONE_PORT: '8080' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Registered on');
    expect(r.stdout).toContain('http://127.0.0.44:8080');
    expect(r.stdout).toContain('U000042 (team T1, found in the call manager)');
  });
});
