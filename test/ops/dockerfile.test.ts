/**
 * The image cannot be built on this machine (no Docker engine), so what it would do is read from the
 * Dockerfile as the builder reads it (test/support/dockerfile.ts), not from its literal text: which
 * user the bot runs as, where node_modules comes from and how it was installed, that the data
 * directory is a volume the bot may write, what its health check does (run here against a live
 * /healthz), how it starts, and that no secret is baked in.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDockerfile, shellWords, type Stage } from '../support/dockerfile.js';
import { botNodeFlags, startCommand } from '../support/start-command.js';

const text = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const { stages } = parseDockerfile(text);
const runtime = stages.at(-1)!;
const stageNamed = (name: string | undefined): Stage | undefined => stages.find((s) => s.name === name);

/** A user name or id that is root: `root`, `0`, `root:...`, `0:...`. */
const isRoot = (user: string | undefined) => user === undefined || /^(root|0)(:.*)?$/.test(user);

/** Installs that leave devDependencies out, whether by flag or by pruning afterwards. */
const productionInstall = (runs: string[]): boolean => {
  const cmds = runs.flatMap((r) => r.split(/&&|;|\n/).map((c) => c.trim()));
  const installAt = cmds.findIndex((c) => /^npm (ci|install)\b/.test(c));
  if (installAt < 0) return false;
  if (/--omit[= ]dev|--production|--only[= ]prod/.test(cmds[installAt]!)) return true;
  return cmds.slice(installAt + 1).some((c) => /^npm prune\b.*(--omit[= ]dev|--production)/.test(c));
};

describe('Dockerfile', () => {
  it('runs on Node 22 slim, built in a separate stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.image).toMatch(/^node:22(\.\d+)*-[a-z]+-slim$/);
    for (const s of stages) expect(s.image, `stage ${s.name}`).toMatch(/^node:22/);
  });

  it('runs the bot as a user other than root', () => {
    expect(isRoot(runtime.user), `effective USER of the final stage: ${runtime.user ?? '(none: root)'}`).toBe(false);
    // The user is set before the start command, so CMD and HEALTHCHECK run as it too.
    const userAt = runtime.instructions.findLastIndex((i) => i.keyword === 'USER');
    const cmdAt = runtime.instructions.findLastIndex((i) => i.keyword === 'CMD');
    expect(userAt).toBeLessThan(cmdAt);
  });

  it('ships production dependencies only, installed in a build stage (no compiler in the image)', () => {
    const modules = runtime.copies.filter((c) => c.sources.some((s) => /(^|\/)node_modules\/?$/.test(s)));
    const installedHere = productionInstall(runtime.runs);
    expect(modules.length > 0 || installedHere, 'node_modules comes from a stage or is installed in the final one').toBe(true);
    for (const c of modules) {
      const from = stageNamed(c.from);
      expect(from, `COPY --from=${c.from}`).toBeDefined();
      expect(productionInstall(from!.runs), `stage ${c.from} installs and omits devDependencies`).toBe(true);
      expect(isRoot(c.chown), 'node_modules is copied for the non-root user').toBe(false);
    }
    if (!installedHere) expect(runtime.runs.join('\n')).not.toMatch(/npm (ci|install|rebuild)|apt-get install|g\+\+|make/);
    expect(runtime.env.NODE_ENV).toBe('production');
  });

  it('keeps DATA_DIR on a volume the bot user owns', () => {
    const dataDir = runtime.env.DATA_DIR;
    expect(dataDir).toBeDefined();
    expect(runtime.volumes).toContain(dataDir);
    const user = runtime.user!.split(':')[0]!;
    const owned = runtime.runs.some((r) => new RegExp(`chown\\s+(-R\\s+)?${user}(:\\S+)?\\s+${dataDir}(\\s|$)`).test(r));
    expect(owned, `a RUN gives ${dataDir} to ${user}`).toBe(true);
  });

  it('starts the bot exactly as `npm start` does', () => {
    expect(runtime.cmd).toEqual(startCommand());
    expect(startCommand()).toEqual(['node', ...botNodeFlags(), 'dist/main.js']);
  });

  it('bakes in no secret', () => {
    const baked = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG').map((i) => i.args));
    expect(baked.join(' ')).not.toMatch(/TOKEN|SECRET|PASSWORD|STORE_KEYS|DATABASE_URL|xox[abp]-|xapp-/i);
    for (const s of stages) for (const c of s.copies) expect(c.sources.filter((src) => /(^|\/)\.env/.test(src)), `COPY in stage ${s.name}`).toEqual([]);
    expect(readFileSync(new URL('../../.dockerignore', import.meta.url), 'utf8')).toMatch(/^\.env$/m);
  });

  describe('HEALTHCHECK, run against a /healthz', () => {
    let server: Server | undefined;
    afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    /** Serves /healthz with `status` (anything else 404) on a free loopback port. */
    const healthz = async (status: number): Promise<number> => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/healthz' ? status : 404;
        res.end();
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };

    /** The check's command, run as the image would run it (the env of the final stage, overridden by `env`). */
    const probe = (env: Record<string, string>): Promise<number | null> => {
      const check = runtime.healthcheck!;
      const words = check.command.trim().startsWith('[') ? (JSON.parse(check.command) as string[]) : shellWords(check.command);
      expect(words[0]).toBe('node'); // the image has node and no curl or wget
      const child = spawn(process.execPath, words.slice(1), { env: { PATH: process.env.PATH ?? '', ...runtime.env, ...env }, stdio: 'ignore', timeout: 15_000 });
      return new Promise((resolve) => child.on('close', resolve));
    };

    it('is declared with a timeout, an interval and retries', () => {
      expect(runtime.healthcheck).toBeDefined();
      expect(Object.keys(runtime.healthcheck!.options)).toEqual(expect.arrayContaining(['interval', 'timeout', 'retries']));
    });

    it('passes when /healthz answers 200 on PORT (HTTP mode) or on HEALTH_PORT (Socket Mode)', async () => {
      const port = await healthz(200);
      // Nothing listens on the other port: the check must still find the one that answers.
      expect(await probe({ PORT: String(port), HEALTH_PORT: '1' })).toBe(0);
      expect(await probe({ PORT: '1', HEALTH_PORT: String(port) })).toBe(0);
    });

    it('fails when /healthz answers 503, and when nothing listens', async () => {
      const port = await healthz(503);
      expect(await probe({ PORT: String(port), HEALTH_PORT: String(port) })).not.toBe(0);
      expect(await probe({ PORT: '1', HEALTH_PORT: '1' })).not.toBe(0);
    });
  });
});
