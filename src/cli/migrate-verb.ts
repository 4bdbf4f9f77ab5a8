/**
 * `rescue-ring migrate-store --from sqlite --to postgres`: moves a SQLite store (DATA_DIR) into the
 * Postgres database named by DATABASE_URL, still encrypted (no key is read), state tables included,
 * verified row for row, in one transaction, safe to run again.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { readConfig, type Env } from '../config/index.js';
import { openSqliteDatabase, sqlitePath } from '../store/sqlite.js';
import { describeDatabaseUrl, migratePg, PgDatabase } from '../store/postgres/index.js';
import { copySqliteToPostgres, type CopyReport } from '../store/postgres/copy-from-sqlite.js';
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
  const config = readConfig(['store'], env).store;
  if (config.databaseUrl === undefined) throw new UsageError('DATABASE_URL is not set: set it to the Postgres database to copy into (postgres://USER:PASSWORD@HOST:5432/DB).');
  if (!/^postgres(ql)?:\/\//i.test(config.databaseUrl)) throw new UsageError('DATABASE_URL must start with postgres:// or postgresql://.');
  const file = sqlitePath(config.dataDir);
  if (!existsSync(file)) throw new UsageError(`There is no SQLite store at ${file}. Set DATA_DIR to the folder that holds rescue-ring.db.`);

  const sqlite = openSqliteDatabase(file);
  const target = new PgDatabase(config.databaseUrl, { poolMax: 2 });
  try {
    await migratePg(target);
    if (!opts.json) process.stderr.write(`Copying ${file} into ${describeDatabaseUrl(config.databaseUrl)} (one transaction; rows stay sealed)...\n`);
    return await copySqliteToPostgres(sqlite, target, {
      batchSize: opts.batchSize,
      onTable: (t) => {
        if (!opts.json) process.stderr.write(`  ${t.table}: ${t.source} read, ${t.added} new\n`);
      },
    });
  } finally {
    sqlite.close();
    await target.close();
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
