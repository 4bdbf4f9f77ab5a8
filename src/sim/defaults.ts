/**
 * Defaults of a simulated phone: credentials, model and the tone files it knows, with realistic lengths.
 */
import { DEFAULT_TONES, DENIED_TONES } from '../phone/tones.js';

export const SIM_DEFAULT_USERNAME = 'rescue';
export const SIM_DEFAULT_PASSWORD = 'ring-ring';
export const SIM_DEFAULT_MODEL = 'CP-8845';
export const SIM_DEFAULT_HOST = '127.0.0.1';
export const SIM_DEFAULT_CRASH_DOWN_MS = 10_000;
/** The realm a real phone sends is unknown (reference §10); this one names the product. */
export const SIM_REALM = 'Cisco IP Phone';
export const SIM_SERVER_HEADER = 'Allegro-Software-RomPager/4.34';

/** Object size limits of CGI/Execute: 40 KB on current firmware, 512 bytes on 79xx-era phones. */
export const MODERN_OBJECT_LIMIT = 40_960;
export const LEGACY_OBJECT_LIMIT = 512;

const SAMPLE_RATE = 8000;

/**
 * Tone lengths in samples (8 kHz µ-law, so bytes = samples). Stock CUCM sizes where the reference gives
 * them (Analog1, Chime, Classic1, Classic2, Piano1, Piano2, Vibe); the others are plausible 1-2 s values,
 * each a multiple of 240 samples like real ring files.
 */
const TONE_SAMPLES: Record<string, number> = {
  'AreYouThere.raw': 12_000,
  'Analog1.raw': 8160,
  'Analog2.raw': 9600,
  'Bass.raw': 12_000,
  'Chime.raw': 16_040,
  'CiscoStandard.raw': 8160,
  'CiscoSymphonic.raw': 14_400,
  'CiscoTechno.raw': 12_960,
  'Classic1.raw': 8160,
  'Classic2.raw': 16_080,
  'ClockShop.raw': 14_400,
  'Drums1.raw': 9600,
  'Drums2.raw': 12_000,
  'FilmScore.raw': 16_080,
  'HarpSynth.raw': 12_960,
  'Jamaica.raw': 14_400,
  'KotoEffect.raw': 12_000,
  'MusicBox.raw': 16_080,
  'Piano1.raw': 8160,
  'Piano2.raw': 15_360,
  'Pop.raw': 9600,
  'Pulse1.raw': 8160,
  'Sax1.raw': 12_000,
  'Sax2.raw': 12_960,
  'Vibe.raw': 16_080,
};

/** Length in ms of each default tone (the default list plus the crash-listed Piano2.raw). */
export function defaultToneLengths(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of [...DEFAULT_TONES, ...DENIED_TONES]) {
    out[name] = Math.round(((TONE_SAMPLES[name] ?? 12_000) / SAMPLE_RATE) * 1000);
  }
  return out;
}

export const DEFAULT_CRASH_TONES: readonly string[] = ['Piano2.raw'];
