#!/usr/bin/env node
/**
 * `rescue-ring`: the operator command. Each group of verbs lives in src/cli/*.ts and registers itself here.
 */
import 'dotenv/config';
import { Command, CommanderError } from 'commander';
import { argvHasPasswordOption, argvWantsJson, ExitCode, PASSWORD_OPTION_REFUSED, reportError, UsageError } from './cli/io.js';
import { registerPhoneVerbs } from './cli/phone-verbs.js';
import { registerSimVerb } from './cli/sim-verb.js';
import { registerDirectoryVerbs } from './cli/directory-verbs.js';
import { registerAuditVerb } from './cli/audit-verb.js';
import { registerMigrateVerb } from './cli/migrate-verb.js';
import { registerToneVerbs } from './cli/tone-verbs.js';

export function buildCli(): Command {
  const program = new Command('rescue-ring')
    .description('Ring Cisco desk phones from Slack: operator tools')
    .showHelpAfterError()
    .exitOverride();
  registerPhoneVerbs(program);
  registerSimVerb(program);
  registerDirectoryVerbs(program);
  registerAuditVerb(program);
  registerMigrateVerb(program);
  registerToneVerbs(program);
  return program;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // Before commander sees it: commander would echo an unknown `--password=SECRET` whole.
  if (argvHasPasswordOption(args)) {
    process.exitCode = reportError(new UsageError(PASSWORD_OPTION_REFUSED), { json: argvWantsJson(args) });
    return;
  }
  try {
    await buildCli().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
      // Commander has told people on stderr; scripts that asked for --json get it on stdout too.
      if (err.exitCode !== 0 && argvWantsJson(process.argv.slice(2))) reportError(new UsageError(err.message.replace(/^error: /, '')), { json: true });
      return;
    }
    throw err;
  }
}

await main();
