/** vitest globalSetup: compiles the CLI and the bot once per run for the child-process tests (entry-points.ts). */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { BUNDLE_ROOT, ENTRY_POINTS, bundleName, type EntryPointName } from './entry-points.js';

export default async function setup(project: TestProject): Promise<() => void> {
  mkdirSync(BUNDLE_ROOT, { recursive: true });
  // A directory per run: two runs at once never read each other's half-written bundle.
  const dir = mkdtempSync(join(BUNDLE_ROOT, 'run-'));
  // One build with code splitting: a module the code imports on demand (the Postgres engine, Slack's
  // Web API client in `phones sync`) stays a chunk loaded on demand, as in production, instead of being
  // inlined with its packages imported at start by every CLI process.
  const entryPoints = Object.fromEntries((Object.keys(ENTRY_POINTS) as EntryPointName[]).map((name) => [bundleName(name).replace(/\.mjs$/, ''), ENTRY_POINTS[name]]));
  await build({ entryPoints, outdir: dir, outExtension: { '.js': '.mjs' }, splitting: true, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  project.provide('entryPointDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
