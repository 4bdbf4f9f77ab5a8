/** The App Home tab: registration state (address only, never credentials), actions, recent rescues. */
import type { types } from '@slack/bolt';
import type { FoundPhones, RescueHistoryEntry, RescueHistoryPage, RescueSettings } from '../../rescue/index.js';
import type { Registration } from '../../store/types.js';
import { ACTIONS } from '../ids.js';
import { foundPhonesBlocks } from './found-phones.js';
import { forgetButton } from './messages.js';
import { actions, button, context, divider, esc, header, section, type Block } from './kit.js';

const PERMISSION_TEXT = { anyone: 'anyone in the workspace', buddies: 'your rescue buddies', only_me: 'only you' } as const;

/** `found`: the desk phones the call manager lists for the person (absent without a call manager). */
export function homeView(settings: RescueSettings, reg: Registration | undefined, history: RescueHistoryPage | undefined, problem?: string, found?: FoundPhones): types.HomeView {
  const blocks: Block[] = [header('rescue-ring'), section('Stuck in a conversation? `/rescue` rings your desk phone so you have a reason to leave. `/rescue @colleague` saves a colleague.')];
  blocks.push(divider(), header('Your phone'));
  if (problem) blocks.push(section(`:warning: ${problem}`));
  if (reg) {
    const d = settings.defaults;
    blocks.push(
      section(
        [
          `*Address:* ${esc(reg.address)}`,
          `*Ringtone:* ${esc((reg.tone ?? d.tone).replace(/\.raw$/, ''))}`,
          `*Rings:* ${reg.rings ?? d.rings}, ${reg.intervalSeconds ?? d.intervalSeconds} s apart`,
          `*Who may ring it:* ${PERMISSION_TEXT[reg.permission]}${reg.permission === 'buddies' ? ` (${reg.buddies.map((b) => `<@${b}>`).join(', ') || 'nobody picked yet'})` : ''}`,
        ].join('\n'),
      ),
      actions(
        'home_actions',
        button('Settings', ACTIONS.openSettings),
        button('Test ring', ACTIONS.testRing, { style: 'primary' }),
        button('Screenshot', ACTIONS.screenshot),
        forgetButton(),
      ),
    );
  } else if (!problem) {
    blocks.push(section('You have not registered a desk phone yet.'), actions('home_actions', button('Register your phone', ACTIONS.openSettings, { style: 'primary' })));
  }
  if (found) blocks.push(...foundPhonesBlocks(found, { oneClick: settings.defaults.username !== undefined && settings.defaults.password !== undefined, ...(reg ? { current: reg.address } : {}) }));
  blocks.push(divider(), header('Recent rescues'));
  const given = history?.given ?? [];
  const received = history?.received ?? [];
  if (given.length === 0 && received.length === 0) blocks.push(context('No rescues yet.'));
  else {
    if (given.length > 0) blocks.push(section(`*You rescued*\n${given.map((e) => line(e, e.targetId)).join('\n')}`));
    if (received.length > 0) blocks.push(section(`*You were rescued by*\n${received.map((e) => line(e, e.requesterId)).join('\n')}`));
  }
  return { type: 'home', blocks };
}

function line(e: RescueHistoryEntry, who: string): string {
  const when = `<!date^${Math.floor(e.at.getTime() / 1000)}^{date_short_pretty} {time}|${e.at.toISOString()}>`;
  const outcome = e.outcome === 'ok' ? `${e.rings} ring${e.rings === 1 ? '' : 's'}` : e.outcome === 'stopped' ? 'stopped' : `failed (${esc(e.outcome)})`;
  return `• <@${who}>, ${when}: ${outcome}`;
}
