/**
 * What the simulated phone's screen shows: the result of the last action (idle, a tone playing, a pushed
 * text object, a call).
 */
import type { SimDisplay } from './types.js';
import type { PhoneIdentity } from './info-pages.js';

export type Screen =
  | { kind: 'idle' }
  | { kind: 'playing'; tone: string }
  | { kind: 'object'; title: string; prompt: string; text: string }
  | { kind: 'call'; remote: string };

function hhmm(now: Date): string {
  return `${String(now.getHours()).padStart(2, '0')}:${String(now.getMinutes()).padStart(2, '0')}`;
}

export function displayFor(screen: Screen, id: PhoneIdentity, now: Date = new Date()): SimDisplay {
  switch (screen.kind) {
    case 'idle':
      return { title: `${id.model}  ${hhmm(now)}`, lines: [`Line ${id.dn}`, id.hostName, 'Idle'] };
    case 'playing':
      return { title: `${id.model}  ${hhmm(now)}`, lines: [`Playing ${screen.tone}`] };
    case 'object': {
      const lines = screen.text.split(/\r?\n/);
      if (screen.prompt !== '') lines.push(screen.prompt);
      return { title: screen.title, lines };
    }
    case 'call':
      return { title: `${id.model}  ${hhmm(now)}`, lines: ['On a call', `Connected ${screen.remote}`] };
  }
}
