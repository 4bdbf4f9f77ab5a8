/**
 * `npm run demo` as a user runs it: a child process (tsx, as the npm script does), no TTY. The
 * scripted tour must exit 0 and show each feature; piped input must run commands and stop cleanly
 * at end of input. Nothing printed or logged may contain a password, and there are no colours.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TOUR_SECRETS } from '../../src/demo/tour.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  outDir: string;
}

function demo(args: string[], input?: string): Promise<Run> {
  const outDir = mkdtempSync(join(tmpdir(), 'rescue-ring-demo-test-'));
  dirs.push(outDir);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts', ...args, '--out', outDir], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, outDir }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

function expectNoSecrets(run: Run): void {
  const log = readFileSync(join(run.outDir, 'demo.log'), 'utf8');
  for (const secret of TOUR_SECRETS) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
    expect(log).not.toContain(secret);
  }
}

describe('npm run demo -- --script', () => {
  it('plays the whole tour, every step as expected, and exits 0', { timeout: 90_000 }, async () => {
    const run = await demo(['--script']);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const out = run.stdout;
    for (const line of [
      'How to use /rescue',
      'App Home of @you',
      'Ringing your phone... (3 rings)',
      'ring 1 of 3',
      'Your phone rang 3 times',
      "you's phone rings ♪ Classic1.raw",
      "@alice's phone rang 3 times",
      'DM from rescue-ring to @alice',
      '@you rescued you',
      'Stopped. Your phone rang once of 3.',
      'Your phone is reachable and accepts rescue-ring',
      'The phone did not accept the username and password',
      "you's phone refused a command: wrong username or password",
      'Test ring done',
      "I could not ring @alice's phone",
      'Web Access is enabled on it',
      '@alice is on a call, so I did not ring their phone',
      "alice's phone screen: Facilities: your car lights are on",
      'Tour finished: all 16 steps showed what they should.',
    ]) {
      expect(out).toContain(line);
    }
    expect(out).not.toMatch(/✗/);
    // Buttons are numbered so they can be clicked; what the tour typed is echoed with secrets masked.
    expect(out).toMatch(/\[ \d+: Stop \]/);
    expect(out).toContain('you> submit password=********');
    // Not a TTY: no colour codes.
    expect(out).not.toContain('\u001b[');
    // The screenshot DM was saved as a real PNG in --out, and its path printed.
    const pngs = readdirSync(run.outDir).filter((f) => f.endsWith('.png'));
    expect(pngs).toHaveLength(1);
    expect(out).toContain(`saved as ${join(run.outDir, pngs[0]!)}`);
    expect(readFileSync(join(run.outDir, pngs[0]!)).subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expectNoSecrets(run);
    // The temporary DATA_DIR (encrypted store) is removed on exit.
    const dataDir = /Encrypted store: (\S+)/.exec(out)?.[1];
    expect(dataDir).toBeDefined();
    expect(existsSync(dataDir!)).toBe(false);
  });
});

describe('npm run demo (typed input)', () => {
  it('runs piped commands, lets a ring in progress finish at end of input, and stops cleanly', { timeout: 60_000 }, async () => {
    const lines = ['/rescue help', 'as alice', '/rescue @you', '/rescue @bob', 'wait', 'click Send them a registration link', 'wait', 'click Register your phone', '/nope', 'click 99', 'submit rings=2', 'frobnicate'];
    const run = await demo([], lines.join('\n') + '\n');
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toContain('How to use /rescue');
    expect(out).toContain('You are now typing as @alice.');
    // `@you` typed by alice became a real mention: your phone rang, and you got the DM.
    expect(out).toContain("@you's phone rang 3 times");
    expect(out).toContain('DM from rescue-ring to @you');
    expect(out).toContain('@alice rescued you');
    // Piped lines are echoed; a button on someone else's screen cannot be pressed.
    expect(out).toContain('alice> /rescue @bob');
    expect(out).toContain('DM from rescue-ring to @bob');
    expect(out).toMatch(/Button \d+ is on @bob's screen; type "as bob" first/);
    expect(out).toContain('/nope is not a valid command');
    expect(out).toContain('There is no button "99" on screen.');
    expect(out).toContain('No form is open.');
    expect(out).toContain('I do not know "frobnicate"');
    expect(out).toMatch(/Stopped\. Screenshots and the log are in /);
    expectNoSecrets(run);
  });

  it('stops cleanly on Ctrl-C during a ring: the ring is cancelled, the store removed, exit 130', { timeout: 60_000 }, async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'rescue-ring-demo-test-'));
    dirs.push(outDir);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts', '--out', outDir], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    const ringing = new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString('utf8');
        if (stdout.includes('ring 1 of 3')) resolve();
      });
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.stdin.write('/rescue\n');
    // If the demo died before ringing, fail on its exit code instead of waiting for the timeout.
    await Promise.race([ringing, closed]);
    child.kill('SIGINT');
    const code = await closed;
    expect(code).toBe(130);
    expect(stdout).toContain('Stopping (Ctrl-C again to force)...');
    expect(stdout).not.toContain('Your phone rang 3 times');
    const dataDir = /Encrypted store: (\S+)/.exec(stdout)?.[1];
    expect(existsSync(dataDir!)).toBe(false);
  });

  it('rejects an unknown option with the usage and exit code 2', async () => {
    const run = await demo(['--bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: npm run demo');
  });
});
