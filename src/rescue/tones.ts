/**
 * The effective tone list: the ring list imported from the call manager (`rescue-ring tones import`),
 * else PHONE_TONES, else the built-in list. The crash deny list applies to every source. The settings
 * modal offers it and registerPhone checks against it.
 */
import { DENIED_TONES } from '../phone/tones.js';
import type { RescueDeps } from './deps.js';

export type ToneSource = 'imported' | 'PHONE_TONES' | 'default';

export interface EffectiveTones {
  tones: string[];
  source: ToneSource;
}

/** Reads the imported list on every call: an import by the operator takes effect without a restart. */
export async function effectiveTones(deps: Pick<RescueDeps, 'settings' | 'tones' | 'logger'>): Promise<EffectiveTones> {
  let imported: string[] | undefined;
  try {
    imported = await deps.tones?.get();
  } catch (err) {
    deps.logger.warn({ err }, 'the imported ring list could not be read; offering the configured tones');
  }
  if (imported !== undefined && imported.length > 0) return { tones: imported.filter((t) => !DENIED_TONES.includes(t)), source: 'imported' };
  return { tones: deps.settings.tones.filter((t) => !DENIED_TONES.includes(t)), source: deps.settings.tonesFrom ?? 'default' };
}

/** Words for where the list comes from (CLI, logs). */
export function describeToneSource(source: ToneSource): string {
  switch (source) {
    case 'imported':
      return 'the ring list imported from the call manager (rescue-ring tones import)';
    case 'PHONE_TONES':
      return 'the PHONE_TONES setting';
    case 'default':
      return 'the built-in list (set PHONE_TONES or import the call manager\'s ring list to change it)';
  }
}
