/**
 * Settings modal submission: every field goes through the registerPhone use case; field errors
 * come back inline (response_action: errors) and nothing typed is lost. On success the modal
 * turns into a summary with a Test ring button, and App Home is refreshed.
 * The submitted password is never logged, echoed or put in a view.
 */
import type { App, ViewOutput, webApi } from '@slack/bolt';
import { InvalidSettings, registerPhone, type RegisterInput } from '../../rescue/index.js';
import type { SettingsField } from '../../rescue/errors.js';
import type { Registration, RingPermission } from '../../store/types.js';
import { errorMessage, personHint } from '../blocks/errors.js';
import { savedModal } from '../blocks/settings-modal.js';
import type { SlackDeps } from '../context.js';
import { withinDeadline } from '../flows/ack.js';
import { publishHome } from '../flows/home.js';
import { INPUT, SETTINGS_BLOCKS, VIEWS } from '../ids.js';
import type { Registry } from '../registry.js';
import { DmSurface } from '../surface.js';

/** view_submission must be acked within 3 s; address checks resolve DNS, so leave a margin. */
const SUBMIT_DEADLINE_MS = 2_500;

type Values = ViewOutput['state']['values'];

export function readSettingsForm(values: Values, teamId: string, userId: string): RegisterInput {
  const field = (block: string) => values[block]?.[INPUT];
  const text = (block: string) => field(block)?.value ?? undefined;
  const num = (block: string) => {
    const raw = text(block)?.trim();
    return raw === undefined || raw === '' ? undefined : Number(raw);
  };
  const perm = field(SETTINGS_BLOCKS.permission)?.selected_option?.value;
  return {
    teamId,
    userId,
    address: text(SETTINGS_BLOCKS.address) ?? '',
    username: text(SETTINGS_BLOCKS.username),
    password: text(SETTINGS_BLOCKS.password),
    tone: field(SETTINGS_BLOCKS.tone)?.selected_option?.value ?? undefined,
    rings: num(SETTINGS_BLOCKS.rings),
    intervalSeconds: num(SETTINGS_BLOCKS.interval),
    permission: perm as RingPermission | undefined,
    buddies: field(SETTINGS_BLOCKS.buddies)?.selected_users ?? [],
    // Present in the form = a value (blank removes the saved story); absent (older form) = keep it.
    ...(values[SETTINGS_BLOCKS.coverStory] ? { coverStory: text(SETTINGS_BLOCKS.coverStory) ?? '' } : {}),
  };
}

/** Use-case field name -> block id in the modal. */
const BLOCK_FOR: Record<SettingsField, string> = SETTINGS_BLOCKS;

export function fieldErrors(err: InvalidSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(err.fields)) {
    if (message) out[BLOCK_FOR[field as SettingsField] ?? SETTINGS_BLOCKS.address] = message.slice(0, 150 * 4);
  }
  return out;
}

export function registerSettingsView(app: App, reg: Registry, deps: SlackDeps): void {
  app.view(reg.view(VIEWS.settings), async ({ ack, body, view, client }) => {
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const userId = body.user.id;
    const input = readSettingsForm(view.state.values, teamId, userId);
    const saving = registerPhone(deps.rescue, input).then(
      (saved) => ({ saved }) as const,
      (error: unknown) => ({ error }) as const,
    );
    const first = await withinDeadline(saving, SUBMIT_DEADLINE_MS);

    if (first === 'late') {
      await ack({ response_action: 'update', view: { type: 'modal', title: { type: 'plain_text', text: 'Phone settings' }, close: { type: 'plain_text', text: 'Close' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Still checking your phone address. I will send you a direct message when your settings are saved.' } }] } });
      deps.tasks.run('settings (late)', async () => finishLate(deps, client, await saving, teamId, userId));
      return;
    }
    if ('error' in first) {
      const err = first.error;
      if (err instanceof InvalidSettings) {
        deps.logger.info({ teamId, userId, fields: Object.keys(err.fields) }, 'settings refused');
        await ack({ response_action: 'errors', errors: fieldErrors(err) });
        return;
      }
      deps.logger.error({ err, teamId, userId }, 'saving settings failed');
      // Keep what was typed: show the failure on the first field instead of closing the modal.
      const hint = personHint(err);
      await ack({ response_action: 'errors', errors: { [SETTINGS_BLOCKS.address]: `Your settings were not saved: ${hint}`.slice(0, 600) } });
      return;
    }
    await ack({ response_action: 'update', view: savedModal(first.saved) });
    deps.tasks.run('home after save', () => publishHome(deps, client, teamId, userId));
  });
}

async function finishLate(deps: SlackDeps, client: webApi.WebClient, result: { saved: Registration } | { error: unknown }, teamId: string, userId: string): Promise<void> {
  const dm = new DmSurface(client, userId, deps.logger);
  if ('saved' in result) {
    await dm.show({ text: `Your phone settings are saved: rescue-ring will ring ${result.saved.address}. Try it with /phone test.` }, 'final');
    await publishHome(deps, client, teamId, userId);
    return;
  }
  const err = result.error;
  const text = err instanceof InvalidSettings ? `Your phone settings were not saved:\n${Object.values(err.fields).map((m) => `• ${m}`).join('\n')}\nRun /phone to try again.` : errorMessage(err).text;
  await dm.show({ text }, 'final');
}
