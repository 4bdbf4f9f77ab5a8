/** Reading "in 10m" / "at 14:30" in the requester's time zone, and every refusal's advice. */
import { describe, expect, it } from 'vitest';
import { formatClock, formatExact, formatFromNow, InvalidWhen, parseWhen, resolveWhen, safeTimeZone, type WhenProblem } from '../../src/rescue/when.js';

function refusal(fn: () => unknown): InvalidWhen {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidWhen) return err;
    throw err;
  }
  throw new Error('expected InvalidWhen');
}

describe('parseWhen', () => {
  it.each([
    ['in 10m', 10],
    ['in 10 min', 10],
    ['in 10 minutes', 10],
    ['IN 1h', 60],
    ['in 1h30m', 90],
    ['in 1h 30m', 90],
    ['in 1 hour and 5 minutes', 65],
    ['in 2 hours', 120],
    ['in 90m', 90],
    ['in 1 day', 1440],
    ['in  24h', 1440],
  ])('%j is %i minutes', (text, minutes) => {
    expect(parseWhen(text)).toEqual({ kind: 'in', minutes });
  });

  it.each([
    ['at 14:30', 14, 30, false],
    ['at 14.30', 14, 30, false],
    ['at 14h30', 14, 30, false],
    ['at 00:05', 0, 5, false],
    ['at 2:30pm', 14, 30, false],
    ['at 2:30 PM', 14, 30, false],
    ['at 12am', 0, 0, false],
    ['at 12pm', 12, 0, false],
    ['at 9am tomorrow', 9, 0, true],
    ['at 09:00 today', 9, 0, false],
  ])('%j is %i:%i (tomorrow %s)', (text, hour, minute, tomorrow) => {
    expect(parseWhen(text)).toEqual({ kind: 'at', hour, minute, tomorrow });
  });

  it.each<[string, WhenProblem, RegExp]>([
    ['in 0m', 'too_soon', /right now: send `\/rescue` without a time/],
    ['in 30s', 'too_soon', /whole minutes, at least 1 minute/],
    ['in 3 days', 'too_far', /at most 24 hours ahead; "in 3 days" is 3 days away/],
    ['in 25h', 'too_far', /at most 24 hours ahead/],
    ['in a bit', 'unreadable', /could not read "in a bit" as a delay/],
    ['in 10 parsecs', 'unreadable', /as a delay/],
    ['at 25:00', 'bad_time', /25:00 is not a time of day: 24-hour time goes from 00:00 to 23:59/],
    ['at 14:75', 'bad_time', /minutes go up to 59/],
    ['at 13pm', 'bad_time', /with am\/pm the hour is 1 to 12/],
    ['at 14', 'ambiguous_hour', /Write `at 14:00`/],
    ['at noonish', 'unreadable', /as a time of day/],
    ['tomorrow', 'unreadable', /as a time/],
  ])('%j is refused (%s) with a specific hint', (text, problem, hint) => {
    const err = refusal(() => parseWhen(text));
    expect(err.problem).toBe(problem);
    expect(err.code).toBe('InvalidWhen');
    expect(err.hint).toMatch(hint);
  });

  it('never echoes markup from the typed text', () => {
    const err = refusal(() => parseWhen('in <!here> `x`'));
    expect(err.hint).not.toMatch(/[<>`]!?here/);
    expect(err.hint).not.toContain('<!here>');
  });
});

describe('resolveWhen', () => {
  // 09:00 UTC = 10:00 in Paris (CET, winter), 04:00 in New York (EST), 18:00 in Tokyo.
  const now = new Date('2026-11-28T09:00:00.000Z');

  it('"in" counts from now, whatever the zone', () => {
    expect(resolveWhen({ kind: 'in', minutes: 10 }, now, 'Asia/Tokyo').toISOString()).toBe('2026-11-28T09:10:00.000Z');
  });

  it('"at" is read in the requester\'s own zone', () => {
    expect(resolveWhen(parseWhen('at 14:30'), now, 'Europe/Paris').toISOString()).toBe('2026-11-28T13:30:00.000Z');
    expect(resolveWhen(parseWhen('at 14:30'), now, 'America/New_York').toISOString()).toBe('2026-11-28T19:30:00.000Z');
    expect(resolveWhen(parseWhen('at 9am tomorrow'), now, 'Asia/Tokyo').toISOString()).toBe('2026-11-29T00:00:00.000Z');
    expect(resolveWhen(parseWhen('at 14:30'), now, 'UTC').toISOString()).toBe('2026-11-28T14:30:00.000Z');
  });

  it('a time that has passed today is refused, naming the local time and how to say tomorrow', () => {
    const err = refusal(() => resolveWhen(parseWhen('at 9:30'), now, 'Europe/Paris'));
    expect(err.problem).toBe('passed');
    expect(err.hint).toBe('09:30 has passed today (it is 10:00 in your time zone, Europe/Paris). Did you mean tomorrow? Send `/rescue at 09:30 tomorrow`.');
    // Tomorrow at the same time is fine (23.5 h ahead) ...
    expect(resolveWhen(parseWhen('at 9:30 tomorrow'), now, 'Europe/Paris').toISOString()).toBe('2026-11-29T08:30:00.000Z');
    // ... but not more than 24 h ahead.
    expect(refusal(() => resolveWhen(parseWhen('at 11:00 tomorrow'), now, 'Europe/Paris')).problem).toBe('too_far');
  });

  it('the very minute now counts as passed', () => {
    expect(refusal(() => resolveWhen(parseWhen('at 10:00'), now, 'Europe/Paris')).problem).toBe('passed');
  });

  it('handles the days the clocks change (Europe/London, 2026)', () => {
    // Spring forward, 29 March 2026: 01:00-02:00 does not exist; 01:30 rings at 02:30 BST (01:30 UTC).
    const spring = new Date('2026-03-29T00:00:00.000Z');
    expect(resolveWhen(parseWhen('at 01:30'), spring, 'Europe/London').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(resolveWhen(parseWhen('at 03:00'), spring, 'Europe/London').toISOString()).toBe('2026-03-29T02:00:00.000Z');
    // Fall back, 25 October 2026: 01:30 happens twice; the first (BST, 00:30 UTC) is used.
    const fall = new Date('2026-10-24T23:00:00.000Z');
    expect(resolveWhen(parseWhen('at 01:30'), fall, 'Europe/London').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(resolveWhen(parseWhen('at 12:00'), fall, 'Europe/London').toISOString()).toBe('2026-10-25T12:00:00.000Z');
  });

  it('an unknown or missing zone falls back to UTC', () => {
    expect(safeTimeZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(safeTimeZone(undefined)).toBe('UTC');
    expect(resolveWhen(parseWhen('at 14:30'), now, 'Mars/Olympus_Mons').toISOString()).toBe('2026-11-28T14:30:00.000Z');
  });
});

describe('formatting', () => {
  const at = new Date('2026-11-28T13:30:00.000Z');
  it('names the exact local time', () => {
    expect(formatClock(at, 'Europe/Paris')).toBe('14:30');
    expect(formatExact(at, 'Europe/Paris')).toBe('Sat 28 Nov, 14:30 (Europe/Paris)');
    expect(formatFromNow(at, new Date('2026-11-28T12:00:00.000Z'))).toBe('in 1 h 30 min');
    expect(formatFromNow(at, new Date('2026-11-28T13:20:00.000Z'))).toBe('in 10 min');
  });
});
