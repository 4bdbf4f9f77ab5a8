/**
 * `rescue-ring phones ...` and `rescue-ring keys ...`: the administrator's view of the encrypted
 * phone directory. Passwords come from PHONE_PASSWORD, --password-stdin or a hidden prompt, never
 * argv, and no verb ever prints one. `phones add`, `phones import`, `phones test` and `keys` live in
 * their own files; list, show, remove and export (reading or deleting what is there) are here.
 */
import type { Command } from 'commander';
import { parsePhoneAddress } from '../phone/address.js';
import { forgetPhone } from '../rescue/forget.js';
import type { PublicRegistration, Registration } from '../store/types.js';
import { toExportCsv } from './directory-csv.js';
import { CLI_ACTOR, ExitCode, formatTable, output, runVerb, settingsFromEnv } from './io.js';
import { NotInDirectory, operatorDeps, publicView, resolveTeam, withStore } from './directory-common.js';
import { registerKeyVerbs } from './key-verbs.js';
import { registerPhonesAdd } from './phones-add-verb.js';
import { registerCallManagerVerbs } from './call-manager-verbs.js';
import { registerPhonesImport } from './phones-import-verb.js';
import { registerPhonesTest } from './phones-test-verb.js';

function describeTls(reg: Registration): string {
  if (parsePhoneAddress(reg.address).scheme !== 'https') return '(plain HTTP)';
  switch (reg.tls?.mode) {
    case undefined:
      return 'trust on first use (not pinned yet)';
    case 'pin':
      return reg.tls.sha256 === undefined ? 'trust on first use (not pinned yet)' : `pinned certificate SHA-256 ${reg.tls.sha256}`;
    case 'ca':
      return `verified against CA ${reg.tls.caFile}`;
    case 'insecure-skip-verify':
      return 'any certificate accepted (insecure)';
  }
}

const orDefault = (v: unknown) => (v === undefined ? 'default' : String(v));

export function registerDirectoryVerbs(program: Command): void {
  const phones = program.command('phones').description('The encrypted phone directory: who has which desk phone');

  registerPhonesAdd(phones);
  registerCallManagerVerbs(phones);

  phones
    .command('list')
    .description('List registered phones (never a password or username)')
    .option('--team <id>', 'only this team')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: { team?: string; json?: boolean }) =>
        withStore(async ({ directory }) => {
          const { rows, unreadable } = await directory.list(opts.team === undefined ? {} : { teamId: opts.team });
          output(opts, { ok: true, rows, unreadable }, () => {
            if (rows.length === 0 && unreadable.length === 0) return 'No phones are registered yet. Add one with: rescue-ring phones add';
            const lines = [
              ['TEAM', 'USER', 'ADDRESS', 'TONE', 'RINGS', 'INTERVAL', 'WHO MAY RING', 'CREDENTIALS', 'UPDATED'],
              ...rows.map((r) => [
                r.teamId,
                r.userId,
                r.address,
                orDefault(r.tone),
                orDefault(r.rings),
                r.intervalSeconds === undefined ? 'default' : `${r.intervalSeconds}s`,
                r.permission,
                r.hasOwnUsername || r.hasOwnPassword ? 'own' : 'organisation default',
                r.updatedAt.toISOString().slice(0, 16).replace('T', ' '),
              ]),
            ];
            const bad = unreadable.map((u) => `Cannot open the registration of ${u.userId} (team ${u.teamId}), key "${u.keyId}": ${u.reason}.`);
            return [formatTable(lines), `${rows.length} phone${rows.length === 1 ? '' : 's'}.`, ...bad].join('\n');
          });
          return unreadable.length > 0 ? ExitCode.Failure : ExitCode.Ok;
        }),
      ),
    );

  phones
    .command('show')
    .description('Show one registration (never the password)')
    .argument('<user>', 'Slack user id')
    .option('--team <id>', 'team id (needed when the directory holds several workspaces)')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (user: string, opts: { team?: string; json?: boolean }) =>
        withStore(async ({ directory }) => {
          const teamId = await resolveTeam(directory, opts.team);
          const reg = await directory.get({ teamId, userId: user });
          if (reg === undefined) throw new NotInDirectory(user, teamId);
          const view = publicView(reg);
          output(opts, { ok: true, registration: view }, () =>
            formatTable([
              ['User', `${reg.userId} (team ${reg.teamId})`],
              ['Address', reg.address],
              ['Username', reg.username ?? '(organisation default)'],
              ['Password', reg.password === undefined ? '(organisation default)' : '(set, not shown)'],
              ['HTTPS trust', describeTls(reg)],
              ['Tone', orDefault(reg.tone)],
              ['Rings', orDefault(reg.rings)],
              ['Interval', reg.intervalSeconds === undefined ? 'default' : `${reg.intervalSeconds}s`],
              ['Who may ring', reg.permission],
              ['Buddies', reg.buddies.join(', ') || '(none)'],
              ['Registered', reg.createdAt.toISOString()],
              ['Updated', reg.updatedAt.toISOString()],
            ]),
          );
        }),
      ),
    );

  phones
    .command('remove')
    .description('Remove a registration (its credentials are deleted)')
    .argument('<user>', 'Slack user id')
    .option('--team <id>', 'team id (needed when the directory holds several workspaces)')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (user: string, opts: { team?: string; json?: boolean }) =>
        withStore(async (store) => {
          const teamId = await resolveTeam(store.directory, opts.team);
          // The use case of /phone forget (audited), with the command line as the actor.
          if (!(await forgetPhone(operatorDeps(store, settingsFromEnv()), { teamId, userId: user }, CLI_ACTOR))) throw new NotInDirectory(user, teamId);
          output(opts, { ok: true, removed: { teamId, userId: user } }, () => `Removed the phone of ${user} (team ${teamId}).`);
        }),
      ),
    );

  registerPhonesImport(phones);

  phones
    .command('export')
    .description('Print the directory as CSV (user,address,username,tone,rings); never passwords')
    .option('--team <id>', 'team id (needed when the directory holds several workspaces)')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: { team?: string; json?: boolean }) =>
        withStore(async ({ directory }) => {
          const teamId = await resolveTeam(directory, opts.team);
          const { rows, unreadable } = await directory.list({ teamId });
          const full: (PublicRegistration & { username?: string })[] = [];
          for (const r of rows) {
            const reg = await directory.get(r);
            if (reg !== undefined) full.push(publicView(reg));
          }
          if (opts.json) output(opts, { ok: true, teamId, rows: full, unreadable }, () => '');
          else process.stdout.write(toExportCsv(full));
          for (const u of unreadable) process.stderr.write(`Warning: skipped ${u.userId} (team ${u.teamId}): key "${u.keyId}", ${u.reason}.\n`);
          return unreadable.length > 0 ? ExitCode.Failure : ExitCode.Ok;
        }),
      ),
    );

  registerPhonesTest(phones);
  registerKeyVerbs(program);
}
