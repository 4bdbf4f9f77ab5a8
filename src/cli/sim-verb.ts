import type { Command } from 'commander';

/** Placeholder until the owning change lands. */
export function registerSimVerb(_program: Command): void {}
