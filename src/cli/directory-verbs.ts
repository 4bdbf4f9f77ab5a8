import type { Command } from 'commander';

/** Placeholder until the owning change lands. */
export function registerDirectoryVerbs(_program: Command): void {}
