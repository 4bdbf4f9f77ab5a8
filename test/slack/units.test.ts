/** Small pure parts of the Slack layer: /rescue text, progress planning, token scrubbing. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRescueText } from '../../src/slack/rescue-text.js';
import { planProgress } from '../../src/slack/surface.js';
import { scrubTokens } from '../../src/slack/bolt-logger.js';
import { isAppError } from '../../src/errors.js';

describe('parseRescueText', () => {
  it.each([
    ['', { kind: 'self' }],
    ['   ', { kind: 'self' }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['stop', { kind: 'stop' }],
    ['<@U123ABC|alice>', { kind: 'user', userId: 'U123ABC' }],
    ['<@U123ABC>', { kind: 'user', userId: 'U123ABC' }],
    ['<@W0GRID1|bob>', { kind: 'user', userId: 'W0GRID1' }],
    ['<@U1AA|a> <@U1AA>', { kind: 'user', userId: 'U1AA' }],
  ])('%j', (text, expected) => {
    expect(parseRescueText(text)).toEqual(expected);
  });

  it.each([
    ['<@U1AA|a> <@U2BB|b>', 'TooManyPeople'],
    ['@alice', 'NotAMention'],
    ['Alice Smith', 'NotAMention'],
    ['<!here>', 'RescueTextNotUnderstood'],
    ['<#C123|general>', 'RescueTextNotUnderstood'],
    ['<@U1AA> now', 'RescueTextNotUnderstood'],
    ['x'.repeat(200), 'RescueTextNotUnderstood'],
    ['<script>alert(1)</script>', 'RescueTextNotUnderstood'],
  ])('%j is refused with %s', (text, code) => {
    let thrown: unknown;
    try {
      parseRescueText(text);
    } catch (err) {
      thrown = err;
    }
    expect(isAppError(thrown) && thrown.code).toBe(code);
  });

  it('never crashes and never echoes markup or control characters (10,000 generated inputs)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        try {
          const r = parseRescueText(text);
          expect(['self', 'help', 'stop', 'user']).toContain(r.kind);
        } catch (err) {
          expect(isAppError(err)).toBe(true);
          if (isAppError(err)) {
            const typed = err.hint.match(/who "([^"]*)" is/)?.[1];
            // eslint-disable-next-line no-control-regex -- checking that no control character is echoed
            if (typed !== undefined) expect(typed).not.toMatch(/[<>&\u0000-\u001f]/);
          }
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('planProgress', () => {
  it('spreads progress posts and never plans the last ring', () => {
    expect([...planProgress(3, 3)]).toEqual([1, 2]);
    expect([...planProgress(10, 3)]).toEqual([3, 5, 8]);
    expect([...planProgress(1, 3)]).toEqual([]);
    expect([...planProgress(5, 0)]).toEqual([]);
    for (let rings = 1; rings <= 10; rings++) {
      for (let slots = 0; slots <= 4; slots++) {
        const p = planProgress(rings, slots);
        expect(p.size).toBeLessThanOrEqual(slots);
        for (const r of p) expect(r >= 1 && r < rings).toBe(true);
      }
    }
  });
});

describe('scrubTokens', () => {
  it('masks Slack tokens inside free text', () => {
    expect(scrubTokens('token xoxb-123-456-abc and xapp-1-A1-99-ff')).toBe('token xoxb-[redacted] and xapp-[redacted]');
  });
});
