/** /rescue text with a time and a cover story: every order, and each refusal's code. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { parseRescueText } from '../../src/slack/rescue-text.js';

const code = (text: string): string | undefined => {
  try {
    parseRescueText(text);
  } catch (err) {
    return isAppError(err) ? err.code : 'not an AppError';
  }
  return undefined;
};

describe('parseRescueText: times, cover stories, list and cancel', () => {
  it.each([
    ['list', { kind: 'list' }],
    ['LIST', { kind: 'list' }],
    ['cancel', { kind: 'cancel' }],
    ['stop', { kind: 'stop' }],
    ['in 10m', { kind: 'self', when: { kind: 'in', minutes: 10 } }],
    ['at 14:30', { kind: 'self', when: { kind: 'at', hour: 14, minute: 30, tomorrow: false } }],
    ['<@U1AA|alice> in 5m', { kind: 'user', userId: 'U1AA', when: { kind: 'in', minutes: 5 } }],
    ['in 5m <@U1AA>', { kind: 'user', userId: 'U1AA', when: { kind: 'in', minutes: 5 } }],
    ['"Facilities: your car is blocking the gate"', { kind: 'self', coverStory: 'Facilities: your car is blocking the gate' }],
    ['“Curly quotes”', { kind: 'self', coverStory: 'Curly quotes' }],
    ['"Tom &amp; Jerry &lt;3 &gt;"', { kind: 'self', coverStory: 'Tom & Jerry <3 >' }],
    ['<@U1AA> "Your 3pm is here"', { kind: 'user', userId: 'U1AA', coverStory: 'Your 3pm is here' }],
    ['"Fire drill" <@U1AA> at 2:30pm', { kind: 'user', userId: 'U1AA', coverStory: 'Fire drill', when: { kind: 'at', hour: 14, minute: 30, tomorrow: false } }],
    ['at 9:00 tomorrow "Boiler check"', { kind: 'self', coverStory: 'Boiler check', when: { kind: 'at', hour: 9, minute: 0, tomorrow: true } }],
    ['"Call me in 10m @ 14:30"', { kind: 'self', coverStory: 'Call me in 10m @ 14:30' }],
  ])('%j', (text, expected) => {
    expect(parseRescueText(text)).toEqual(expected);
  });

  it.each([
    ['"unclosed', 'CoverStoryNotClosed'],
    ['in 0m', 'InvalidWhen'],
    ['at 25:00', 'InvalidWhen'],
    ['in 3 days', 'InvalidWhen'],
    ['<@U1AA> <@U2BB> in 5m', 'TooManyPeople'],
    ['<@U1AA> soon', 'RescueTextNotUnderstood'],
    ['"story" tomorrow', 'RescueTextNotUnderstood'],
    ['"story" @alice', 'RescueTextNotUnderstood'],
    ['in 5m <!here>', 'RescueTextNotUnderstood'],
  ])('%j is refused with %s', (text, expected) => {
    expect(code(text)).toBe(expected);
  });

  it('never crashes on text built from the pieces people type (5,000 generated inputs)', () => {
    const piece = fc.constantFrom('<@U1AA>', '<@U2BB|b>', 'in', 'at', '10m', '1h30m', '14:30', '25:00', 'tomorrow', '"', '“', '”', 'x', '&amp;', 'list', 'cancel', ' ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join(' ');
        try {
          const r = parseRescueText(text);
          expect(['self', 'user', 'help', 'stop', 'list', 'cancel']).toContain(r.kind);
        } catch (err) {
          expect(isAppError(err)).toBe(true);
        }
      }),
      { numRuns: 5_000 },
    );
  });
});
