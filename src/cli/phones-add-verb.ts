/**
 * `rescue-ring phones add`: registers (or updates) one user's phone through registerPhone, as the
 * Slack settings form does. The password comes from PHONE_PASSWORD, --password-stdin or a hidden
 * prompt, never argv, and is never printed.
 */
import type { Command } from 'commander';
import { readConfig } from '../config/index.js';
import { parsePhoneAddress } from '../phone/address.js';
import { INTERVAL_RANGE, RINGS_RANGE } from '../rescue/settings.js';
import { openFullStore } from '../store/index.js';
import { USER_ID_PATTERN } from '../store/csv.js';
import { output, readSecret, runVerb, settingsFromEnv, UsageError, wholeNumber, withStore as withOpenStore } from './io.js';
import { publicView } from './directory-common.js';
import { registerAsOperator, RETRUST_NOTICE, savedRegistration } from './register-as-operator.js';
import { tlsPolicyFrom, withTlsOptions, type TlsOptions } from './tls-options.js';

const RINGS = RINGS_RANGE;
const INTERVAL = INTERVAL_RANGE;

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

export function registerPhonesAdd(phones: Command): void {
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
        const settings = settingsFromEnv();
        const secret = await readSecret({ stdin: opts.passwordStdin, fromEnv: readConfig(['phones']).phones.password, prompt: `Phone password for ${opts.user} (empty = organisation default): ` });
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
}
