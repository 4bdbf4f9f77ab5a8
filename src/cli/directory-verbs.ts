/**
 * `rescue-ring phones ...` and `rescue-ring keys ...`: the administrator's view of the encrypted
 * phone directory. Passwords come from PHONE_PASSWORD, --password-stdin or a hidden prompt, never
 * argv, and no verb ever prints one.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { parsePhoneAddress } from '../phone/address.js';
import { checkPhoneAddress, networkPolicyFromEnv, PhoneClient, ring } from '../phone/index.js';
import type { Phone, RingResult } from '../phone/types.js';
import { audit, audited, auditError, outcomeOf, ringDetail } from '../rescue/audit.js';
import { MissingPhoneCredentials } from '../rescue/errors.js';
import { phoneFor, ringPlanFor } from '../rescue/phone-for.js';
import { INTERVAL_RANGE, RINGS_RANGE, type PhoneDefaults } from '../rescue/settings.js';
import { openFullStore, openStore, generateKeyLine, type OpenedStore } from '../store/index.js';
import { toExportCsv, USER_ID_PATTERN } from '../store/csv.js';
import type { PhoneDirectory, PublicRegistration, Registration } from '../store/types.js';
import { CLI_ACTOR, ExitCode, formatTable, output, readSecret, runVerb, settingsFromEnv, stderrLogger, UsageError, wholeNumber, withStore as withOpenStore } from './io.js';
import { importAsOperator, registerAsOperator, RETRUST_NOTICE, savedRegistration } from './register-as-operator.js';
import { tlsPolicyFrom, withTlsOptions, type TlsOptions } from './tls-options.js';

const RINGS = RINGS_RANGE;
const INTERVAL = INTERVAL_RANGE;

class NotInDirectory extends AppError {
  readonly code = 'NotRegistered';
  constructor(userId: string, teamId: string) {
    super(`No phone is registered for user ${userId} in team ${teamId}.`, 'Check the user id with "rescue-ring phones list", or register the phone with "rescue-ring phones add".');
  }
}

/** The phone directory (not the whole store) for the length of one verb. */
const withStore = <T>(fn: (store: OpenedStore) => Promise<T>): Promise<T> => withOpenStore(openStore, fn);

/**
 * Addresses are checked against the network policy when a phone is registered, as the Slack form
 * does (src/rescue/register.ts), not only at the first ring. Throws PhoneAddressRefused / PhoneUnreachable.
 */
async function checkAllowed(address: string): Promise<void> {
  await checkPhoneAddress(address, networkPolicyFromEnv(process.env));
}

/** The team to act on: --team, or the only team in the directory. */
async function resolveTeam(store: Pick<PhoneDirectory, 'teams'>, team: string | undefined): Promise<string> {
  if (team !== undefined) return team;
  const teams = await store.teams();
  if (teams.length === 1) return teams[0] as string;
  if (teams.length === 0) throw new UsageError('The directory is empty, so there is no team to choose; add --team T.');
  throw new UsageError(`The directory holds ${teams.length} workspaces (${teams.join(', ')}); add --team with one of them.`);
}

interface AddOptions extends TlsOptions {
  team: string;
  user: string;
  address: string;
  username?: string;
  tone?: string;
  rings?: number;
  interval?: number;
  passwordStdin?: boolean;
  json?: boolean;
}

function checkUser(user: string): string {
  if (!USER_ID_PATTERN.test(user)) throw new UsageError(`"${user}" is not a Slack user id (like U012AB3CD; in Slack: profile > ⋮ > Copy member ID).`);
  return user;
}

/** A registration without its password (the username stays: admins may see it). */
function publicView(r: Registration): PublicRegistration & { username?: string } {
  const { password, ...rest } = r;
  return { ...rest, hasOwnUsername: r.username !== undefined, hasOwnPassword: password !== undefined };
}

/** `phones test` on a registration with no username or password of its own, and no office default. */
function noCredentials(reg: Registration, defaults: PhoneDefaults): UsageError {
  return new UsageError(
    `The registration of ${reg.userId} has no phone ${(reg.username ?? defaults.username) === undefined ? 'username' : 'password'} and the office has no default. ` +
      'Add it with "rescue-ring phones add" (--username, password from PHONE_PASSWORD), or set PHONE_DEFAULT_USERNAME and PHONE_DEFAULT_PASSWORD.',
  );
}

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

  const add = phones
    .command('add')
    .description('Register (or update) a user\'s phone, checked like the Slack settings form (address allowed by PHONE_ALLOWED_NETWORKS, ringtone on the office\'s list) and audited. Password: PHONE_PASSWORD, --password-stdin, or a prompt; never on the command line.')
    .requiredOption('--team <id>', 'Slack team (workspace) id, like T012AB3CD')
    .requiredOption('--user <id>', 'Slack user id, like U012AB3CD')
    .requiredOption('--address <address>', 'phone address: host, host:port or https://host')
    .option('--username <name>', 'phone username (default: PHONE_DEFAULT_USERNAME)')
    .option('--tone <file>', 'ringtone file name, one of "rescue-ring tones list"')
    .option('--rings <n>', `rings per rescue (${RINGS.min}-${RINGS.max})`, wholeNumber('--rings', RINGS.min, RINGS.max))
    .option('--interval <seconds>', `seconds between rings (${INTERVAL.min}-${INTERVAL.max})`, wholeNumber('--interval', INTERVAL.min, INTERVAL.max))
    .option('--password-stdin', 'read the phone password from the first line of standard input');
  withTlsOptions(add)
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: AddOptions) => {
        checkUser(opts.user);
        parsePhoneAddress(opts.address);
        const tls = tlsPolicyFrom(opts, opts.address);
        await checkAllowed(opts.address);
        const settings = settingsFromEnv();
        const secret = await readSecret({ stdin: opts.passwordStdin, envName: 'PHONE_PASSWORD', prompt: `Phone password for ${opts.user} (empty = organisation default): ` });
        const password = secret === '' ? undefined : secret;
        return withOpenStore(openFullStore, async (store) => {
          // A registration that no longer opens (lost key, damaged row) is replaced, never an obstacle.
          const existing = await savedRegistration(store, { teamId: opts.team, userId: opts.user });
          if (password === undefined && existing?.password === undefined && settings.defaults.password === undefined) {
            throw new UsageError('No phone password given: set PHONE_PASSWORD, pipe it with --password-stdin, or configure PHONE_DEFAULT_PASSWORD for the whole office.');
          }
          const username = opts.username ?? existing?.username;
          if (username === undefined && settings.defaults.username === undefined) {
            throw new UsageError('No phone username given: add --username, or configure PHONE_DEFAULT_USERNAME for the whole office.');
          }
          // What is not given is kept (the password too: registerPhone keeps it when none is given). Without a
          // --tls-... choice the saved trust is kept, and a new address's certificate is learned again.
          const { saved, retrusted } = await registerAsOperator(store, settings, {
            teamId: opts.team,
            userId: opts.user,
            address: opts.address,
            username,
            password,
            tls,
            tone: opts.tone ?? existing?.tone,
            rings: opts.rings ?? existing?.rings,
            intervalSeconds: opts.interval ?? existing?.intervalSeconds,
          }, existing);
          output(opts, { ok: true, updated: existing !== undefined, retrusted, registration: publicView(saved) }, () =>
            `${existing ? 'Updated' : 'Registered'} the phone of ${saved.userId} (team ${saved.teamId}) at ${saved.address}; ` +
            `username: ${saved.username === undefined ? 'organisation default' : 'own'}, password: ${saved.password === undefined ? 'organisation default' : 'own'}.` +
            (retrusted ? `\nNew address: its ${RETRUST_NOTICE} (pin it now with --tls-pin SHA256 if you know it).` : ''),
          );
        });
      }),
    );

  phones
    .command('list')
    .description('List registered phones (never a password or username)')
    .option('--team <id>', 'only this team')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: { team?: string; json?: boolean }) =>
        withStore(async (store) => {
          const { rows, unreadable } = await store.list(opts.team === undefined ? {} : { teamId: opts.team });
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
        withStore(async (store) => {
          const teamId = await resolveTeam(store, opts.team);
          const reg = await store.get({ teamId, userId: user });
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
        withOpenStore(openFullStore, async (store) => {
          const teamId = await resolveTeam(store.directory, opts.team);
          // Audited like /phone forget, with the command line as the actor.
          await audited(
            { audit: store.audit, logger: stderrLogger() },
            { teamId, actorId: CLI_ACTOR, targetId: user, action: 'forget' },
            async () => {
              if (!(await store.directory.remove({ teamId, userId: user }))) throw new NotInDirectory(user, teamId);
            },
            () => 'registration deleted',
          );
          output(opts, { ok: true, removed: { teamId, userId: user } }, () => `Removed the phone of ${user} (team ${teamId}).`);
        }),
      ),
    );

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
        return withOpenStore(openFullStore, async (store) => {
          const teamId = await resolveTeam(store.directory, opts.team);
          const { imported, updated, retrusted } = await importAsOperator(store, settings, text, teamId, file);
          output(opts, { ok: true, teamId, imported, added: imported - updated, updated, retrusted }, () =>
            [
              `Imported ${imported} phone${imported === 1 ? '' : 's'} into team ${teamId} (${imported - updated} new, ${updated} updated).`,
              ...retrusted.map((u) => `${u}: new address; its ${RETRUST_NOTICE} (pin it with "rescue-ring phones add ... --tls-pin SHA256" if you know it).`),
            ].join('\n'),
          );
        });
      }),
    );

  phones
    .command('export')
    .description('Print the directory as CSV (user,address,username,tone,rings); never passwords')
    .option('--team <id>', 'team id (needed when the directory holds several workspaces)')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: { team?: string; json?: boolean }) =>
        withStore(async (store) => {
          const teamId = await resolveTeam(store, opts.team);
          const { rows, unreadable } = await store.list({ teamId });
          const full: (PublicRegistration & { username?: string })[] = [];
          for (const r of rows) {
            const reg = await store.get(r);
            if (reg !== undefined) full.push(publicView(reg));
          }
          if (opts.json) output(opts, { ok: true, teamId, rows: full, unreadable }, () => '');
          else process.stdout.write(toExportCsv(full));
          for (const u of unreadable) process.stderr.write(`Warning: skipped ${u.userId} (team ${u.teamId}): key "${u.keyId}", ${u.reason}.\n`);
          return unreadable.length > 0 ? ExitCode.Failure : ExitCode.Ok;
        }),
      ),
    );

  phones
    .command('test')
    .description("Ring a user's phone once with their settings, to check the registration")
    .argument('<user>', 'Slack user id')
    .option('--team <id>', 'team id (needed when the directory holds several workspaces)')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (user: string, opts: { team?: string; json?: boolean }) => {
        const settings = settingsFromEnv();
        const networkPolicy = networkPolicyFromEnv(process.env);
        const logger = stderrLogger();
        return withOpenStore(openFullStore, async (store) => {
          const teamId = await resolveTeam(store.directory, opts.team);
          // Audited like the Slack test ring (/phone test, startRescue with test: true), with the command line as the actor.
          const trail = { audit: store.audit, logger };
          const facts = { teamId, actorId: CLI_ACTOR, targetId: user, action: 'test_ring' } as const;
          let reg: Registration | undefined;
          let phone: Phone;
          try {
            reg = await store.directory.get({ teamId, userId: user });
            if (reg === undefined) throw new NotInDirectory(user, teamId);
            phone = phoneFor(reg, settings.defaults, CLI_ACTOR);
          } catch (err) {
            await auditError(trail, facts, err);
            throw err instanceof MissingPhoneCredentials && reg !== undefined ? noCredentials(reg, settings.defaults) : err;
          }
          const plan = ringPlanFor(reg, settings.defaults);
          let result: RingResult;
          try {
            result = await ring(new PhoneClient({ networkPolicy, logger }), phone, { tone: plan.tone, rings: 1 });
          } catch (err) {
            const { outcome, errorClass } = outcomeOf(err);
            await audit(trail, facts, outcome, { errorClass, detail: ringDetail(0, 1) });
            throw err;
          }
          await audit(trail, facts, result.aborted ? 'stopped' : 'ok', { detail: ringDetail(result.completed, result.requested) });
          // Trust on first use: remember the certificate an HTTPS phone presented the first time.
          const unpinned = reg.tls === undefined || (reg.tls.mode === 'pin' && reg.tls.sha256 === undefined);
          const firstSeen = unpinned && parsePhoneAddress(reg.address).scheme === 'https' ? result.certificateSha256 : undefined;
          if (firstSeen !== undefined) {
            await store.directory.put({ ...reg, tls: { mode: 'pin', sha256: firstSeen } }, { keepSecrets: true });
          }
          output(opts, { ok: result.completed === 1, teamId, userId: user, tone: plan.tone, ...result, ...(firstSeen ? { pinned: firstSeen } : {}) }, () =>
            [
              result.completed === 1 ? `Rang the phone of ${user} (team ${teamId}) once with ${plan.tone}: the registration works.` : `The phone of ${user} did not confirm the ring.`,
              ...(firstSeen ? [`Its HTTPS certificate is now pinned (SHA-256 ${firstSeen}); a different certificate will be refused.`] : []),
            ].join('\n'),
          );
          return result.completed === 1 ? ExitCode.Ok : ExitCode.Failure;
        });
      }),
    );

  const keys = program.command('keys').description('Encryption keys of the phone directory');

  keys
    .command('generate')
    .description('Print a new key line (id:base64) and how to start using it')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: { json?: boolean }) => {
        const { id, line } = generateKeyLine();
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
        withStore(async (store) => {
          const report = await store.rekey({
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
