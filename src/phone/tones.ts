/**
 * Ringtone names. Names are case-sensitive file names on the call manager's TFTP server and differ
 * per deployment, so the list is configuration; this is the default from the original article.
 */

/** The article's list (Settings > Ring Type on a stock CUCM). */
export const DEFAULT_TONES: readonly string[] = [
  'AreYouThere', 'Analog1', 'Analog2', 'Bass', 'Chime', 'CiscoStandard', 'CiscoSymphonic', 'CiscoTechno',
  'Classic1', 'Classic2', 'ClockShop', 'Drums1', 'Drums2', 'FilmScore', 'HarpSynth', 'Jamaica', 'KotoEffect',
  'MusicBox', 'Piano1', 'Pop', 'Pulse1', 'Sax1', 'Sax2', 'Vibe',
].map((n) => `${n}.raw`);

/** Tones never sent, whatever the configuration says. Piano2.raw was reported to crash a phone. */
export const DENIED_TONES: readonly string[] = ['Piano2.raw'];

export const DEFAULT_TONE = 'Classic1.raw';

/** Play file names the phones accept: `[A-Za-z0-9._-]`, at most 25 characters in a RingList. */
export const TONE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
