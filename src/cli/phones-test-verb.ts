/**
 * `rescue-ring phones test`: rings a user's phone once with their settings, audited like the Slack
 * test ring, and pins an HTTPS certificate on first use (rememberCertificate, as the use cases do).
 */
import type { Command } from 'commander';
import { ring } from '../phone/index.js';
import type { Phone, RingResult } from '../phone/types.js';
import { audit, auditError, outcomeOf, ringDetail } from '../rescue/audit.js';
import { withPhoneAddress } from '../rescue/device-address.js';
import { MissingPhoneCredentials } from '../rescue/errors.js';
import { phoneFor, ringPlanFor } from '../rescue/phone-for.js';
import { rememberCertificate } from '../rescue/pin.js';
import type { PhoneDefaults } from '../rescue/settings.js';
import type { Registration } from '../store/types.js';
import { CLI_ACTOR, ExitCode, output, runVerb, settingsFromEnv, stderrLogger, UsageError } from './io.js';
import { NotInDirectory, operatorDeps, resolveTeam, withStore } from './directory-common.js';

/** `phones test` on a registration with no username or password of its own, and no office default. */
function noCredentials(reg: Registration, defaults: PhoneDefaults): UsageError {
  return new UsageError(
    `The registration of ${reg.userId} has no phone ${(reg.username ?? defaults.username) === undefined ? 'username' : 'password'} and the office has no default. ` +
      'Add it with "rescue-ring phones add" (--username, password from PHONE_PASSWORD), or set PHONE_DEFAULT_USERNAME and PHONE_DEFAULT_PASSWORD.',
  );
}

export function registerPhonesTest(phones: Command): void {
  phones
    .command('test')
    .description("Ring a user's phone once with their settings, to check the registration")
    .argument('<user>', 'Slack user id')
    .option('--team <id>', 'team id (needed when the directory holds several workspaces)')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (user: string, opts: { team?: string; json?: boolean }) => {
        const settings = settingsFromEnv();
        const logger = stderrLogger();
        return withStore(async (store) => {
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
            // A phone registered by device name is found in the call manager first (CUCM_*).
            const deps = operatorDeps(store, settings);
            try {
              result = await withPhoneAddress(deps, phone, (at) => ring(deps.phones, at, { tone: plan.tone, rings: 1 }));
            } finally {
              await deps.callManager?.close();
            }
          } catch (err) {
            const { outcome, errorClass } = outcomeOf(err);
            await audit(trail, facts, outcome, { errorClass, detail: ringDetail(0, 1) });
            throw err;
          }
          await audit(trail, facts, result.aborted ? 'stopped' : 'ok', { detail: ringDetail(result.completed, result.requested) });
          // Trust on first use: remember the certificate an HTTPS phone presented the first time, as every use case does.
          const firstSeen = (await rememberCertificate({ directory: store.directory, logger }, reg, result.certificateSha256)) ? result.certificateSha256 : undefined;
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
}
