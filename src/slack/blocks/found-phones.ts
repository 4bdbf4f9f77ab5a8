/**
 * The desk phones the call manager lists for the person, in /phone and App Home: model, description,
 * registered or not, and a button to register each desk phone (softphones are shown, never offered).
 * At most MAX_SHOWN devices, so a view stays far inside Slack's 100 blocks.
 */
import type { FoundPhones, OwnPhoneNote } from '../../rescue/index.js';
import { ACTIONS } from '../ids.js';
import { button, context, esc, section, type Block } from './kit.js';

export const MAX_SHOWN = 8;

export interface FoundPhonesView {
  /** The office has a shared phone account: one click registers. Without: the form asks for the password. */
  oneClick: boolean;
  /** The address registered now (a device name when found this way). */
  current?: string;
}

export function foundPhonesBlocks(found: FoundPhones, view: FoundPhonesView): Block[] {
  if (!found.found) {
    const blocks: Block[] = [context(`:mag: ${esc(found.message)} Enter your phone below instead.`)];
    const soft = found.devices.filter((d) => !d.offered);
    if (soft.length > 0) blocks.push(context(`The call manager lists only softphones for you (${soft.slice(0, MAX_SHOWN).map((d) => esc(d.name)).join(', ')}): rescue-ring rings desk phones only.`));
    return blocks;
  }
  const blocks: Block[] = [section(found.deskPhones.length === 1 ? '*Your desk phone in the call manager*' : '*Your desk phones in the call manager*')];
  found.deskPhones.slice(0, MAX_SHOWN).forEach((d) => {
    const state = d.registered === undefined ? '' : d.registered ? ' · :large_green_circle: registered' : ' · :red_circle: not registered (is it plugged in?)';
    const line = `*${esc(d.name)}* · ${esc(d.model || 'unknown model')}${d.description ? ` · ${esc(d.description)}` : ''}${state}`;
    const isCurrent = view.current !== undefined && view.current.toUpperCase() === d.name;
    if (isCurrent) blocks.push(section(`${line}\n:white_check_mark: rescue-ring rings this phone.`));
    else if (view.oneClick) blocks.push(section(line, button('Use this phone', ACTIONS.registerFoundPhone, { value: d.name, style: 'primary' })));
    else blocks.push(section(`${line}\nTo use it, put \`${esc(d.name)}\` in *Phone address* below with your phone password.`));
  });
  if (found.deskPhones.length > MAX_SHOWN) blocks.push(context(`…and ${found.deskPhones.length - MAX_SHOWN} more; type the device name below to use another.`));
  const soft = found.devices.filter((d) => !d.offered);
  if (soft.length > 0) blocks.push(context(`Also listed, not rung by rescue-ring (softphones and other devices): ${soft.slice(0, MAX_SHOWN).map((d) => esc(d.name)).join(', ')}`));
  return blocks;
}

/** The line added to the reply of a person's own /rescue when their phone was registered or confirmed for them. */
export function ownPhoneNoteText(note: OwnPhoneNote): string | undefined {
  if (note.kind === 'registered') {
    return `I registered your desk phone *${esc(note.device)}* (${esc(note.model || 'desk phone')}) from the call manager, so this rescue rings it. To change it, use /phone.`;
  }
  if (note.kind === 'confirmed') return `Your desk phone *${esc(note.device)}* from the call manager is now confirmed: colleagues can rescue you too. To change it, use /phone.`;
  return undefined;
}
