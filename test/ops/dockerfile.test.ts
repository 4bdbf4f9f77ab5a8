/**
 * The image cannot be built on this machine (no Docker engine), so its shape is checked here:
 * multi-stage, Node 22 slim, production dependencies only, non-root, a data volume, a health check,
 * and no secret baked in.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { botNodeFlags, startCommand } from '../support/start-command.js';

const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = instructions.filter((l) => /^FROM\s/i.test(l));
const runtimeStart = instructions.findIndex((l) => /^FROM\s.*\sAS runtime$/i.test(l));
const runtime = instructions.slice(runtimeStart);

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage on Node 22 slim', () => {
    expect(stages).toHaveLength(2);
    expect(instructions).toContain('ARG NODE_VERSION=22');
    for (const stage of stages) expect(stage).toMatch(/^FROM node:\$\{NODE_VERSION\}-bookworm-slim AS (build|runtime)$/);
  });

  it('builds the native module in the build stage only and ships production dependencies', () => {
    const build = instructions.slice(0, runtimeStart).join('\n');
    expect(build).toMatch(/npm rebuild better-sqlite3/);
    expect(build).toMatch(/npm prune --omit=dev/);
    expect(runtime.join('\n')).not.toMatch(/npm (ci|install|rebuild)/);
    expect(runtime.join('\n')).toMatch(/COPY --from=build .*node_modules/);
  });

  it('runs as a non-root user with DATA_DIR as a volume', () => {
    const users = runtime.filter((l) => /^USER\s/.test(l));
    expect(users).toEqual(['USER node']);
    expect(runtime).toContain('VOLUME ["/data"]');
    expect(runtime.join('\n')).toMatch(/DATA_DIR=\/data/);
  });

  it('declares a HEALTHCHECK against /healthz and starts the bot exactly as `npm start` does', () => {
    const health = runtime.find((l) => l.startsWith('HEALTHCHECK'));
    expect(health).toMatch(/\/healthz/);
    const cmd = /^CMD (\[.*\])$/.exec(runtime.at(-1) ?? '');
    expect(cmd, 'the last instruction is CMD in exec form').not.toBeNull();
    expect(JSON.parse(cmd![1]!)).toEqual(startCommand());
    expect(startCommand()).toEqual(['node', ...botNodeFlags(), 'dist/main.js']);
  });

  it('bakes in no secret', () => {
    const envAndArgs = instructions.filter((l) => /^(ENV|ARG)\s/.test(l)).join(' ');
    expect(envAndArgs).not.toMatch(/TOKEN|SECRET|PASSWORD|STORE_KEYS|DATABASE_URL|xox[abp]-|xapp-/i);
    expect(dockerfile).not.toMatch(/COPY\s+\.env/);
    expect(readFileSync(new URL('../../.dockerignore', import.meta.url), 'utf8')).toMatch(/^\.env$/m);
  });
});
