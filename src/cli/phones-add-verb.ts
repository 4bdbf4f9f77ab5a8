/**
 * `rescue-ring phones add`: registers (or updates) one user's phone through the registration use case,
 * as the Slack settings form does; options not given keep the saved values. The password comes from PHONE_PASSWORD, --password-stdin or a hidden
 * prompt, never argv, and is never printed.
 */
import type { Command } from 'commander';
import { readConfig } from '../config/index.js';
import { parsePhoneAddress } from '../phone/address.js';
import { INTERVAL_RANGE, RINGS_RANGE } from '../rescue/settings.js';
import { USER_ID_PATTERN } from '../rescue/register.js';
import { output, readSecret, runVerb, settingsFromEnv, UsageError, wholeNumber } from './io.js';
import { operatorDeps, publicView, withStore } from './directory-common.js';
import { addAsOperator, RETRUST_NOTICE } from './register-as-operator.js';
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
        const secret = await readSecret({ stdin: opts.passwordStdin, fromEnv: readConfig(['phones']).phones.password, prompt: `Phone password for ${opts.user} (empty = keep the saved one, else the organisation default): ` });
        return withStore(async (store) => {
          // The options as a patch: what is not given is kept from the saved registration (a pinned certificate too).
          const { registration: saved, updated, retrusted } = await addAsOperator(operatorDeps(store, settings), {
            teamId: opts.team,
            userId: opts.user,
            address: opts.address,
            username: opts.username,
            password: secret === '' ? undefined : secret,
            tls,
            tone: opts.tone,
            rings: opts.rings,
            intervalSeconds: opts.interval,
          });
          output(opts, { ok: true, updated, retrusted, registration: publicView(saved) }, () =>
            `${updated ? 'Updated' : 'Registered'} the phone of ${saved.userId} (team ${saved.teamId}) at ${saved.address}; ` +
            `username: ${saved.username === undefined ? 'organisation default' : 'own'}, password: ${saved.password === undefined ? 'organisation default' : 'own'}.` +
            (retrusted ? `\nNew address: its ${RETRUST_NOTICE} (pin it now with --tls-pin SHA256 if you know it).` : ''),
          );
        });
      }),
    );
}
