/**
 * `rescue-ring phones import`: registers every record of a CSV file through registerMany, all or none
 * (importAsOperator).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { output, runVerb, settingsFromEnv, UsageError } from './io.js';
import { operatorDeps, resolveTeam, withStore } from './directory-common.js';
import { importAsOperator, RETRUST_NOTICE } from './register-as-operator.js';

export function registerPhonesImport(phones: Command): void {
  phones
    .command('import')
    .description('Import registrations from CSV (header user,address,username,password,tone,rings), each checked like the Slack settings form (address allowed, ringtone on the office\'s list) and audited; all rows or none')
    .argument('<file>', 'CSV file')
    .option('--team <id>', 'team id (needed unless the directory holds exactly one workspace)')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (file: string, opts: { team?: string; json?: boolean }) => {
        let text: Buffer;
        try {
          text = await readFile(file);
        } catch (err) {
          throw new UsageError(`Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
        }
        const settings = settingsFromEnv();
        return withStore(async (store) => {
          const teamId = await resolveTeam(store.directory, opts.team);
          const { registered: imported, updated, retrusted } = await importAsOperator(operatorDeps(store, settings), text, teamId, file);
          output(opts, { ok: true, teamId, imported, added: imported - updated, updated, retrusted }, () =>
            [
              `Imported ${imported} phone${imported === 1 ? '' : 's'} into team ${teamId} (${imported - updated} new, ${updated} updated).`,
              ...retrusted.map((u) => `${u}: new address; its ${RETRUST_NOTICE} (pin it with "rescue-ring phones add ... --tls-pin SHA256" if you know it).`),
            ].join('\n'),
          );
        });
      }),
    );
}
