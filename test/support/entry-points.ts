/**
 * The CLI and the bot as the tests run them in a child process: `src/cli.ts` and `src/main.ts`, each
 * compiled once per `vitest run` (globalSetup: build-entry-points.ts) into one ES module with esbuild,
 * the compiler tsx uses. `node <bundle>` starts in about 0.5 s on a loaded 2-CPU machine where
 * `node --import tsx src/cli.ts` took 1.5 s, and the tests start a few hundred. The npm packages stay
 * outside the bundle and load from node_modules, as in production.
 */
import { join } from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where this run's compiled entry points are (build-entry-points.ts). */
    entryPointDir: string;
  }
}

const root = join(import.meta.dirname, '..', '..');
/** Inside the project, so the bundles resolve the packages from its node_modules. */
export const BUNDLE_ROOT = join(root, 'node_modules', '.cache', 'rescue-ring-test');
export const ENTRY_POINTS = { cli: join(root, 'src', 'cli.ts'), main: join(root, 'src', 'main.ts') } as const;
export type EntryPointName = keyof typeof ENTRY_POINTS;

export const bundleName = (name: EntryPointName): string => `${name}.mjs`;

/** The compiled entry point, for `spawn(process.execPath, [entryPoint('cli'), ...args])`. */
export function entryPoint(name: EntryPointName): string {
  return join(inject('entryPointDir'), bundleName(name));
}
