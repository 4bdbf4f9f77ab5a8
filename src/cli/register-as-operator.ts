/**
 * `rescue-ring phones add` registers through the same use case as the Slack settings form
 * (registerPhone): the same checks (the ringtone on this office's list: the imported ring list, else
 * PHONE_TONES, else the built-in one) and the same audit entry, with the command line as the actor.
 * A refusal becomes a usage error naming the command-line option to fix.
 */
import { networkPolicyFromEnv, PhoneClient } from '../phone/index.js';
import { describeToneSource, effectiveTones } from '../rescue/tones.js';
import { InvalidSettings, type SettingsField } from '../rescue/errors.js';
import { registerPhone, type RegisterInput } from '../rescue/register.js';
import { rescueDeps, type RescueDeps } from '../rescue/deps.js';
import type { RescueSettings } from '../rescue/settings.js';
import type { Store } from '../store/state-types.js';
import type { Registration } from '../store/types.js';
import { CLI_ACTOR, stderrLogger, UsageError } from './io.js';

/** How the command line spells each field registerPhone may refuse. */
const OPTION: Record<SettingsField, string> = {
  address: '--address',
  username: '--username',
  password: 'password (PHONE_PASSWORD or --password-stdin)',
  tone: '--tone',
  rings: '--rings',
  interval: '--interval',
  permission: 'who may ring',
  buddies: 'rescue buddies',
  coverStory: 'cover story',
};

/** Most ringtone names printed in a refusal; `rescue-ring tones list` shows them all. */
const SHOWN_TONES = 12;

async function toneHelp(deps: RescueDeps): Promise<string> {
  const { tones, source } = await effectiveTones(deps);
  const shown = tones.slice(0, SHOWN_TONES).join(', ') + (tones.length > SHOWN_TONES ? `, and ${tones.length - SHOWN_TONES} more` : '');
  return `    This office's ringtones, from ${describeToneSource(source)}: ${shown}. "rescue-ring tones list" shows them all.`;
}

async function refusal(deps: RescueDeps, err: InvalidSettings): Promise<UsageError> {
  const lines = ['The phone was not registered; nothing was saved:'];
  for (const [field, message] of Object.entries(err.fields) as [SettingsField, string][]) {
    lines.push(`  ${OPTION[field]}: ${message}`);
    if (field === 'tone') lines.push(await toneHelp(deps));
  }
  return new UsageError(lines.join('\n'));
}

/** Registers `input` in the opened store as the operator; throws a UsageError listing what to fix when registerPhone refuses. */
export async function registerAsOperator(store: Store, settings: RescueSettings, input: RegisterInput): Promise<Registration> {
  const logger = stderrLogger();
  const deps = rescueDeps(store, { phones: new PhoneClient({ networkPolicy: networkPolicyFromEnv(process.env), logger }), settings, logger });
  try {
    return await registerPhone(deps, input, CLI_ACTOR);
  } catch (err) {
    throw err instanceof InvalidSettings ? await refusal(deps, err) : err;
  }
}
