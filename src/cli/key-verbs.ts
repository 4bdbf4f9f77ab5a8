/**
 * `rescue-ring keys ...`: the encryption keys of the phone directory (a new key line, re-encrypting
 * under the current key).
 */
import type { Command } from 'commander';
import { newStoreKey } from '../rescue/operator.js';
import { ExitCode, output, runVerb, wholeNumber } from './io.js';
import { withStore } from './directory-common.js';

export function registerKeyVerbs(program: Command): void {
  const keys = program.command('keys').description('Encryption keys of the phone directory');

  keys
    .command('generate')
    .description('Print a new key line (id:base64) and how to start using it')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: { json?: boolean }) => {
        const { id, line } = newStoreKey();
        if (!opts.json) {
          process.stderr.write(
            [
              'A new 256-bit key (printed on standard output). To start using it:',
              `  1. Add it to STORE_KEYS after the keys you have now: STORE_KEYS=<current keys>,${id}:...`,
              `  2. Set STORE_KEY_ID=${id} so new writes use it.`,
              '  3. Restart the bot, then run: rescue-ring keys rotate',
              '  4. When rotate reports no failures, remove the old key from STORE_KEYS.',
              'Keep a copy in your secrets manager: without it the stored phone passwords cannot be read.',
              '',
            ].join('\n'),
          );
        }
        output(opts, { ok: true, id, key: line }, () => line);
      }),
    );

  keys
    .command('rotate')
    .description('Re-encrypt every registration under the current key (STORE_KEY_ID); safe to run again')
    .option('--batch-size <n>', 'rows per transaction', wholeNumber('--batch-size', 1, 100_000), 500)
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: { batchSize: number; json?: boolean }) =>
        withStore(async ({ directory }) => {
          const report = await directory.rekey({
            batchSize: opts.batchSize,
            onBatch: (done) => {
              if (!opts.json) process.stderr.write(`  ${done} re-encrypted so far\n`);
            },
          });
          output(opts, { ok: report.failed === 0, ...report }, () =>
            [
              `Re-encrypted ${report.reencrypted} registration${report.reencrypted === 1 ? '' : 's'}; ${report.current} already used the current key; ${report.failed} could not be opened.`,
              ...report.failures.map((f) => `  ${f.userId} (team ${f.teamId}), key "${f.keyId}": ${f.reason}`),
              report.failed > 0
                ? 'Add the missing keys to STORE_KEYS and run this again, or ask those users to register again (rescue-ring phones add).'
                : 'Every registration now uses the current key; older keys can be removed from STORE_KEYS.',
            ].join('\n'),
          );
          return report.failed > 0 ? ExitCode.Failure : ExitCode.Ok;
        }),
      ),
    );
}
