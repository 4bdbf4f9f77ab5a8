/**
 * `rescue-ring audit`: who rang whose phone, when, and how it ended, for administrators on the
 * server. Reads the audit log of the configured store (never holds a secret). Newest first.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { openOperatorStore } from '../rescue/operator.js';
import { USER_ID_PATTERN } from '../rescue/register.js';
import type { AuditEntry } from '../store/state-types.js';
import { formatTable, output, runVerb, wholeNumber, withStore } from './io.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
const MAX_LIMIT = 10_000;

/** `30m`, `12h`, `7d`, `2w` (before now), or a date / ISO time like 2026-11-01 or 2026-11-01T09:00Z. */
export function parseSince(raw: string, now: Date = new Date()): Date {
  const rel = /^(\d{1,6})\s*([mhdw])$/i.exec(raw.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase() as keyof typeof UNIT_MS]);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw.trim())) {
    const at = new Date(raw.trim());
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new InvalidArgumentError('--since takes a duration like 30m, 12h, 7d or 2w, or a date like 2026-11-01.');
}

function parseUser(raw: string): string {
  if (!USER_ID_PATTERN.test(raw)) throw new InvalidArgumentError(`"${raw}" is not a Slack user id (like U012AB3CD; in Slack: profile > ⋮ > Copy member ID).`);
  return raw;
}

function table(entries: readonly AuditEntry[]): string {
  return formatTable([
    ['TIME (UTC)', 'TEAM', 'WHO', 'PHONE OF', 'ACTION', 'OUTCOME', 'ERROR', 'DETAIL'],
    ...entries.map((e) => [e.at.toISOString().replace(/\.\d{3}Z$/, 'Z'), e.teamId, e.actorId, e.targetId ?? '-', e.action, e.outcome, e.errorClass ?? '-', e.detail ?? '']),
  ]);
}

interface AuditOptions {
  team?: string;
  user?: string;
  since?: Date;
  limit: number;
  json?: boolean;
}

export function registerAuditVerb(program: Command): void {
  program
    .command('audit')
    .description('Show the audit log: who rang, screenshotted or registered whose phone, when, and how it ended (newest first)')
    .option('--team <id>', 'only this Slack team (workspace) id')
    .option('--user <id>', 'only entries where this user acted or was the target', parseUser)
    .option('--since <when>', 'only entries since a duration ago (30m, 12h, 7d, 2w) or a date (2026-11-01)', (raw: string) => parseSince(raw))
    .option('--limit <n>', `most entries to show (1-${MAX_LIMIT})`, wholeNumber('--limit', 1, MAX_LIMIT), 100)
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: AuditOptions) => {
        const entries = await withStore(openOperatorStore, (store) =>
          store.audit.query({
            ...(opts.team !== undefined ? { teamId: opts.team } : {}),
            ...(opts.user !== undefined ? { userId: opts.user } : {}),
            ...(opts.since !== undefined ? { since: opts.since } : {}),
            limit: opts.limit,
          }),
        );
        output(opts, { ok: true, count: entries.length, entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })) }, () =>
          entries.length === 0
            ? 'No audit entries match.'
            : `${table(entries)}\n${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, newest first${entries.length === opts.limit ? ` (limit reached; use --limit or --since to see more)` : ''}.`,
        );
      }),
    );
}
