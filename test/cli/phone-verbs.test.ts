import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type PhoneSimulator, type SimPhone } from '../../src/sim/index.js';
import { runCli, type CliResult } from './harness.js';

const SECRET = 'Zebra-Secret-9431';
let sim: PhoneSimulator;
let healthy: SimPhone;
let disabled: SimPhone;

beforeAll(async () => {
  sim = await startSimulator({
    phones: [
      { name: 'healthy', password: SECRET, toneTimeScale: 0.01 },
      { name: 'disabled', password: SECRET, faults: { webAccessDisabled: true } },
    ],
  });
  [healthy, disabled] = sim.phones as [SimPhone, SimPhone];
});
afterAll(async () => {
  await sim.stop();
});

interface Run extends CliResult {
  /** -1 when the process did not exit by itself (killed after 30 s). */
  code: number;
}

/** The CLI in the directory vitest runs in (the repository root), with the real HOME. Secrets are checked by the tests that give them (noSecret). */
async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const r = await runCli(args, {
    cwd: process.cwd(),
    env: { HOME: process.env.HOME, PHONE_ALLOWED_NETWORKS: '127.0.0.0/8', PHONE_PASSWORD: SECRET, ...env },
    input: '',
    timeoutMs: 30_000,
  });
  return { ...r, code: r.code ?? -1 };
}

function noSecret(r: Run): void {
  expect(r.stdout + r.stderr).not.toContain(SECRET);
  expect(r.stdout + r.stderr).not.toContain(Buffer.from(`rescue:${SECRET}`).toString('base64'));
}

describe('rescue-ring doctor', () => {
  it('gives three different, correct diagnoses: web access disabled, wrong password, healthy', async () => {
    const [off, wrong, ok] = await Promise.all([
      cli(['doctor', disabled.address, '--user', 'rescue']),
      cli(['doctor', healthy.address, '--user', 'rescue'], { PHONE_PASSWORD: 'not-the-password' }),
      cli(['doctor', healthy.address, '--user', 'rescue']),
    ]);
    expect(off.code).toBe(1);
    expect(off.stdout).toMatch(/FAIL {2}tcp .*connection refused/);
    expect(off.stdout).toMatch(/next: .*Web Access.*Settings > Security Configuration/);
    expect(off.stdout).not.toMatch(/FAIL {2}auth/);

    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/PASS {2}tcp/);
    expect(wrong.stdout).toMatch(/FAIL {2}auth .*CiscoIPPhoneError 4/);
    expect(wrong.stdout).toMatch(/Controlled Devices/);
    expect(wrong.stdout + wrong.stderr).not.toContain('not-the-password');

    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toMatch(/FAIL/);
    expect(ok.stdout).toMatch(/PASS {2}auth/);
    expect(ok.stdout).toMatch(/Everything checked out/);
    for (const r of [off, wrong, ok]) noSecret(r);
  });

  it('--json prints the diagnosis for scripts', async () => {
    const r = await cli(['doctor', healthy.address, '--user', 'rescue', '--json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { ok: boolean; steps: { name: string }[] };
    expect(d.ok).toBe(true);
    expect(d.steps.map((s) => s.name)).toEqual(['address', 'dns', 'tcp', 'http', 'device-info', 'auth']);
  });
});

describe('rescue-ring ring / screenshot / status', () => {
  it('rings with the options given, password from the environment only', async () => {
    healthy.clearRequests();
    const r = await cli(['ring', healthy.url, '--user', 'rescue', '--tone', 'Chime.raw', '--rings', '2', '--interval', '0', '--priority', '1', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, completed: 2, requested: 2, aborted: false });
    const executes = healthy.requests.filter((q) => q.path === '/CGI/Execute');
    expect(executes.map((q) => q.items)).toEqual([[{ url: 'Play:Chime.raw', priority: 1 }], [{ url: 'Play:Chime.raw', priority: 1 }]]);
    // Each ring is preceded by the call check.
    expect(healthy.requests.map((q) => q.path.split('?')[0])).toEqual(['/StreamingStatisticsX', '/CGI/Execute', '/StreamingStatisticsX', '/CGI/Execute']);
    noSecret(r);
  });

  it('--no-call-check rings without asking whether the phone is on a call', async () => {
    healthy.clearRequests();
    const r = await cli(['ring', healthy.address, '--user', 'rescue', '--rings', '1', '--no-call-check', '--json']);
    expect(r.code).toBe(0);
    expect(healthy.requests.map((q) => q.path)).toEqual(['/CGI/Execute']);
  });

  it('a phone on a call is not rung: exit 1 with the reason', async () => {
    healthy.clearRequests();
    healthy.setOnCall(true);
    try {
      const r = await cli(['ring', healthy.address, '--user', 'rescue', '--rings', '1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/on a call/);
      expect(healthy.requests.filter((q) => q.path === '/CGI/Execute')).toHaveLength(0);
    } finally {
      healthy.setOnCall(false);
    }
  });

  it('a wrong password is a phone error (exit 1) with the hint, and the password is never printed', async () => {
    const r = await cli(['ring', healthy.address, '--user', 'rescue', '--rings', '1'], { PHONE_PASSWORD: 'Wrong-Pass-777' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the username and password/);
    expect(r.stderr).toMatch(/Controlled Devices/);
    expect(r.stdout + r.stderr).not.toContain('Wrong-Pass-777');
  });

  it('saves a screenshot as PNG and reports status', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rr-cli-')), 'screen.png');
    const [shot, st] = await Promise.all([
      cli(['screenshot', healthy.address, '--user', 'rescue', '-o', file]),
      cli(['status', healthy.address, '--json'], { PHONE_PASSWORD: undefined }),
    ]);
    expect(shot.code).toBe(0);
    expect(shot.stdout).toMatch(/Saved a \d+x\d+ PNG/);
    expect(readFileSync(file).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ ok: true, model: 'CP-8845', inCall: false });
    noSecret(shot);
  });

  it('usage errors exit 2: bad --rings, bad --priority, no password, no user', async () => {
    const runs = await Promise.all([
      cli(['ring', healthy.address, '--user', 'rescue', '--rings', '0']),
      cli(['ring', healthy.address, '--user', 'rescue', '--priority', '3']),
      cli(['ring', healthy.address, '--user', 'rescue'], { PHONE_PASSWORD: undefined }),
      cli(['ring', healthy.address]),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(runs[0]!.stderr).toMatch(/--rings must be a whole number from 1 to 20/);
    expect(runs[2]!.stderr).toMatch(/PHONE_PASSWORD/);
    expect(runs[3]!.stderr).toMatch(/--user/);
  });

  it('with --json, usage errors are JSON on stdout too (commander\'s own and ours), exit 2', async () => {
    const [rings, pin] = await Promise.all([
      cli(['ring', healthy.address, '--user', 'rescue', '--rings', '0', '--json']),
      cli(['status', healthy.address, '--tls-pin', 'not-a-fingerprint', '--json']),
    ]);
    expect(rings.code).toBe(2);
    expect(JSON.parse(rings.stdout)).toMatchObject({ ok: false, error: 'Usage', message: expect.stringMatching(/--rings must be a whole number from 1 to 20/) as unknown });
    expect(pin.code).toBe(2);
    expect(JSON.parse(pin.stdout)).toMatchObject({ ok: false, error: 'Usage', message: expect.stringMatching(/--tls-pin must be a SHA-256 fingerprint/) as unknown });
  });

  it('a screenshot that cannot be saved is a named error with a hint, not an unexpected one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rr-cli-')), 'missing-folder', 'screen.png');
    const r = await cli(['screenshot', healthy.address, '--user', 'rescue', '-o', file, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: 'CannotWriteFile', message: `Cannot write ${file} (ENOENT)`, hint: expect.stringMatching(/folder exists/) as unknown });
    noSecret(r);
  });

  it('loopback is refused unless PHONE_ALLOWED_NETWORKS lists it, and the hint says how', async () => {
    healthy.clearRequests();
    const r = await cli(['status', healthy.address], { PHONE_ALLOWED_NETWORKS: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/loopback/);
    expect(r.stderr).toMatch(/PHONE_ALLOWED_NETWORKS.*127\.0\.0\.0\/8/);
    expect(healthy.requests).toHaveLength(0);
  });

  it('an invalid address is a clear error', async () => {
    const r = await cli(['status', 'http://admin:pw@10.0.0.1', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: 'InvalidPhoneAddress' });
  });
});
