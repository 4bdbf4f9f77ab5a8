/**
 * `rescue-ring migrate-store --from sqlite --to postgres`: moves a SQLite store (DATA_DIR) into the
 * Postgres database named by DATABASE_URL, still encrypted (no key is read), state tables included,
 * verified row for row, in one transaction, safe to run again.
 */
import type { Command } from 'commander';
import { readConfig, type Env } from '../config/index.js';
import { moveSqliteStoreToPostgres, StoreMoveImpossible, type CopyReport } from '../rescue/operator.js';
import { output, runVerb, UsageError, wholeNumber } from './io.js';

interface MigrateOptions {
  from: string;
  to: string;
  batchSize: number;
  json?: boolean;
}

export async function migrateStore(opts: MigrateOptions, env?: Env): Promise<CopyReport> {
  if (opts.from !== 'sqlite' || opts.to !== 'postgres') {
    throw new UsageError(`Copying from ${opts.from} to ${opts.to} is not supported; the one supported move is --from sqlite --to postgres.`);
  }
  const say = (line: string) => {
    if (!opts.json) process.stderr.write(`${line}\n`);
  };
  try {
    return await moveSqliteStoreToPostgres(readConfig(['store'], env).store, {
      batchSize: opts.batchSize,
      onStart: (from, to) => say(`Copying ${from} into ${to} (one transaction; rows stay sealed)...`),
      onTable: (t) => say(`  ${t.table}: ${t.source} read, ${t.added} new`),
    });
  } catch (err) {
    throw err instanceof StoreMoveImpossible ? new UsageError(err.message) : err;
  }
}

export function registerMigrateVerb(program: Command): void {
  program
    .command('migrate-store')
    .description('Copy the SQLite store (DATA_DIR) into Postgres (DATABASE_URL), still encrypted, and verify it; safe to run again')
    .requiredOption('--from <engine>', 'source engine (sqlite)')
    .requiredOption('--to <engine>', 'target engine (postgres)')
    .option('--batch-size <n>', 'rows sent to Postgres per statement', wholeNumber('--batch-size', 1, 100_000), 1_000)
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: MigrateOptions) => {
        const report = await migrateStore(opts);
        output(opts, { ok: true, ...report }, () =>
          [
            'Copied and verified (every SQLite row is in Postgres):',
            ...report.tables.map((t) => `  ${t.table.padEnd(20)} ${String(t.source).padStart(7)} in SQLite  ${String(t.added).padStart(7)} new  ${String(t.target).padStart(7)} now in Postgres`),
            'Next: set DATABASE_URL for every replica and restart them (the SQLite file is left as it was).',
          ].join('\n'),
        );
      }),
    );
}
