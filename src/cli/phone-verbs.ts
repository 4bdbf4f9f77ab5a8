import type { Command } from 'commander';

/** Placeholder until the owning change lands. */
export function registerPhoneVerbs(_program: Command): void {}
