import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { basic, call, execute, executeXml } from './helpers.js';
import type { SimPhone } from '../../src/sim/index.js';
import { spawnCli } from '../cli/harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function startCli(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawnCli(args, { cwd: root, env: { ...process.env, PHONE_PASSWORD: '', ...env } });
}

function collect(child: ChildProcessWithoutNullStreams): { out: () => string; err: () => string; exit: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out: () => out, err: () => err, exit };
}

async function until(read: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; got: ${read()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return read();
}

/** Just enough of a SimPhone for the request helpers. */
function target(url: string, password: string): SimPhone {
  return { url, username: 'rescue', password } as unknown as SimPhone;
}

describe('rescue-ring sim', () => {
  it('runs phones with the password from the environment, never printing it, and stops on SIGTERM', async () => {
    const child = startCli(['sim', '--phones', '2', '--json', '--tone-scale', '0'], { PHONE_PASSWORD: 's3cret-from-env' });
    const io = collect(child);
    try {
      const text = await until(io.out, /\n}\n/);
      const data = JSON.parse(text) as { phones: { name: string; url: string; address: string }[] };
      expect(data.phones.map((p) => p.name)).toEqual(['phone1', 'phone2']);
      expect(text).not.toContain('s3cret-from-env');
      const [first] = data.phones;
      if (!first) throw new Error('no phone');
      const ok = await execute(target(first.url, 's3cret-from-env'), executeXml('Play:Classic1.raw'));
      expect(ok.text).toContain('Status="0"');
      const wrong = await execute(target(first.url, 'ring-ring'), executeXml('Play:Classic1.raw'));
      expect(wrong.text).toContain('Number="4"');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await io.exit).toBe(0);
  });

  it('prints how to try it, with the default password when none is set, and applies faults', async () => {
    const child = startCli(['sim', '--fault', 'http500', '--user', 'ops']);
    const io = collect(child);
    try {
      const text = await until(io.out, /Ctrl\+C/);
      expect(text).toMatch(/password "ring-ring" \(the simulator default\)/);
      const address = /ring (127\.0\.0\.1:\d+) --user ops/.exec(text)?.[1];
      expect(address).toBeDefined();
      expect(text).toContain(`PHONE_PASSWORD=ring-ring PHONE_ALLOWED_NETWORKS=127.0.0.0/8 npx rescue-ring ring ${address}`);
      // Every suggested command works as pasted (loopback must be listed for each).
      expect(text).toContain(`PHONE_PASSWORD=ring-ring PHONE_ALLOWED_NETWORKS=127.0.0.0/8 npx rescue-ring screenshot ${address} -o screen.png --user ops`);
      expect(text).toContain(`  PHONE_ALLOWED_NETWORKS=127.0.0.0/8 npx rescue-ring status ${address}\n`);
      const res = await call(`http://${address}/CGI/Execute`, { method: 'POST', headers: { authorization: basic('ops', 'ring-ring') } });
      expect(res.status).toBe(500);
    } finally {
      child.kill('SIGINT');
    }
    expect(await io.exit).toBe(0);
  });

  it('--cucm: a simulated call manager lists the phones (own loopback address, one port); ring, doctor and status take a device name', async () => {
    const child = startCli(['sim', '--cucm', '--phones', '2', '--json', '--tone-scale', '0'], { PHONE_PASSWORD: 's3cret-from-env' });
    const io = collect(child);
    try {
      const data = JSON.parse(await until(io.out, /\n}\n/)) as { phones: { address: string; device: string }[]; callManager: { url: string; username: string; phonePort: number } };
      expect(data.phones.map((p) => p.address)).toEqual([`127.0.1.1:${data.callManager.phonePort}`, `127.0.1.2:${data.callManager.phonePort}`]);
      const [first] = data.phones;
      if (!first) throw new Error('no phone');
      expect(first.device).toMatch(/^SEP[0-9A-F]{12}$/);
      const env = {
        PHONE_PASSWORD: 's3cret-from-env',
        PHONE_ALLOWED_NETWORKS: '127.0.0.0/8',
        CUCM_URL: data.callManager.url,
        CUCM_USERNAME: data.callManager.username,
        CUCM_PASSWORD: 'sim-cucm-secret',
        CUCM_PHONE_PORT: String(data.callManager.phonePort),
        // status SEP... says whose registration it is: an empty directory of this test's own.
        DATA_DIR: mkdtempSync(join(tmpdir(), 'rescue-ring-sim-cucm-')),
      };
      const run = async (args: string[]) => {
        const c = collect(startCli(args, env));
        return { code: await c.exit, out: c.out(), err: c.err() };
      };
      const rang = await run(['ring', first.device.toLowerCase(), '--rings', '1', '--user', 'rescue']);
      expect(rang.code, rang.err).toBe(0);
      expect(rang.out).toContain('Rang');
      const doctor = await run(['doctor', first.device, '--user', 'rescue']);
      expect(doctor.code, doctor.err).toBe(0);
      expect(doctor.out).toMatch(new RegExp(`PASS  call-manager ${first.device} is registered at 127\\.0\\.1\\.1`));
      const status = await run(['status', first.device]);
      expect(status.out).toContain(`Address:      http://127.0.1.1:${data.callManager.phonePort}`);
      for (const r of [rang, doctor, status]) expect(r.out + r.err).not.toContain('s3cret-from-env');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await io.exit).toBe(0);
  });

  it('rejects an unknown fault as a usage error (exit 2) without starting anything', async () => {
    const io = collect(startCli(['sim', '--fault', 'explode']));
    expect(await io.exit).toBe(2);
    expect(io.err()).toMatch(/Unknown fault "explode"/);
    expect(io.out()).toBe('');
  });
});

describe('rescue-ring sim options', async () => {
  const { phoneOptionsFrom } = await import('../../src/cli/sim-verb.js');
  const base = { phones: '3', host: '127.0.0.1', user: 'rescue', passwordEnv: 'PHONE_PASSWORD', fault: [], format: 'bmp', toneScale: '1' };

  it('--port P gives consecutive ports from P', () => {
    expect(phoneOptionsFrom({ ...base, port: '18000' }, {}).map((p) => p.port)).toEqual([18000, 18001, 18002]);
    expect(phoneOptionsFrom(base, {}).map((p) => p.port)).toEqual([0, 0, 0]);
  });

  it('reads the password from the named variable, else the simulator default', () => {
    expect(phoneOptionsFrom({ ...base, passwordEnv: 'SIM_PW' }, { SIM_PW: 'x' })[0]?.password).toBe('x');
    expect(phoneOptionsFrom(base, { PHONE_PASSWORD: '' })[0]?.password).toBe('ring-ring');
  });

  it('parses faults, including slow=MS', () => {
    const [p] = phoneOptionsFrom({ ...base, fault: ['slow=300', 'web-access-disabled', 'garbage'] }, {});
    expect(p?.faults).toEqual({ slowMs: 300, webAccessDisabled: true, garbage: true });
  });

  it('refuses bad values with usage errors', () => {
    expect(() => phoneOptionsFrom({ ...base, phones: '0' }, {})).toThrow(/--phones/);
    // Whole numbers as digits only: Number() would take these.
    for (const phones of ['1e1', '0x10', ' 2', '']) expect(() => phoneOptionsFrom({ ...base, phones }, {})).toThrow(/--phones must be a whole number/);
    expect(() => phoneOptionsFrom({ ...base, fault: ['slow='] }, {})).toThrow(/slow=MS/);
    expect(() => phoneOptionsFrom({ ...base, port: '65535' }, {})).toThrow(/65535/);
    expect(() => phoneOptionsFrom({ ...base, format: 'gif' }, {})).toThrow(/--format/);
    expect(() => phoneOptionsFrom({ ...base, fault: ['slow=soon'] }, {})).toThrow(/slow=MS/);
    expect(() => phoneOptionsFrom({ ...base, toneScale: '-1' }, {})).toThrow(/--tone-scale/);
  });
});
