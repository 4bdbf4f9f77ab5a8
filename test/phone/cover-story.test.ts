/** The cover story: validation up front, and the CiscoIPPhoneText pushed after the first ring (simulator). */
import { describe, expect, it } from 'vitest';
import { ring } from '../../src/phone/ring.js';
import { InvalidCoverStory, MAX_COVER_TEXT_CHARS, coverStoryXml, validateCoverStory } from '../../src/phone/cover-story.js';
import { PhoneInCall } from '../../src/phone/call-check.js';
import { InvalidPhoneText } from '../../src/phone/errors.js';
import { LEGACY_OBJECT_LIMIT, buildExecute, formBody } from '../../src/phone/xml.js';
import { phoneOf, rawServer, simPhones, testClient } from './helpers.js';

const { sim, closers } = simPhones();

const STORY = { title: 'Facilities', text: 'Your car is blocking the gate' };

function invalid(fn: () => unknown): InvalidCoverStory {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidPhoneText);
    expect(e).toBeInstanceOf(InvalidCoverStory);
    expect((e as InvalidCoverStory).code).toBe('InvalidPhoneText');
    return e as InvalidCoverStory;
  }
  throw new Error('expected InvalidCoverStory');
}

/** The most text an older phone takes with no title: 512 bytes minus declaration and markup. */
const LEGACY_ROOM = LEGACY_OBJECT_LIMIT - Buffer.byteLength(coverStoryXml({ text: '' }));

describe('validateCoverStory', () => {
  it('accepts plain text with line breaks and tabs, a title, and a bare string', () => {
    expect(validateCoverStory(STORY)).toEqual(STORY);
    expect(validateCoverStory('Call from reception\r\n\tline 2')).toEqual({ text: 'Call from reception\r\n\tline 2' });
    expect(validateCoverStory({ title: '', text: 'x' })).toEqual({ text: 'x' });
    expect(validateCoverStory({ text: 'Réunion à 14h: salle Überblick' })).toEqual({ text: 'Réunion à 14h: salle Überblick' });
  });

  it('refuses an empty or blank story', () => {
    for (const text of ['', '   \n\t']) {
      const e = invalid(() => validateCoverStory(text));
      expect(e.message).toBe('The cover story is empty');
      expect(e.hint).toMatch(/Type the message/);
    }
  });

  it('names the control character and its position', () => {
    const e = invalid(() => validateCoverStory('Hello\u0007 there'));
    expect(e.message).toBe('The cover story contains the control character U+0007 at position 6');
    expect(e.hint).toMatch(/position 6/);
    expect(invalid(() => validateCoverStory('C1\u0085control')).message).toMatch(/U\+0085 at position 3/);
  });

  it('refuses emoji (phone fonts lack them) and broken characters', () => {
    const e = invalid(() => validateCoverStory('Fire drill 🔥 now'));
    expect(e.message).toMatch(/U\+1F525\) at position 12, which phones cannot show/);
    expect(e.hint).toMatch(/emoji/);
    expect(invalid(() => validateCoverStory('bad \ud800 half')).message).toMatch(/broken character at position 5/);
  });

  it('keeps the title to one line of at most 32 characters', () => {
    expect(invalid(() => validateCoverStory({ title: 'a'.repeat(33), text: 'x' })).message).toBe('The title is 33 characters; phones show at most 32');
    expect(validateCoverStory({ title: 'a'.repeat(32), text: 'x' }, { modern: true }).title).toHaveLength(32);
    expect(invalid(() => validateCoverStory({ title: 'two\nlines', text: 'x' })).hint).toMatch(/single line/);
  });

  it('allows at most 4000 characters even on modern phones', () => {
    expect(validateCoverStory('a'.repeat(MAX_COVER_TEXT_CHARS), { modern: true }).text).toHaveLength(4000);
    const e = invalid(() => validateCoverStory('a'.repeat(4001), { modern: true }));
    expect(e.message).toBe('The cover story is 4001 characters; phones show at most 4000');
    expect(e.hint).toMatch(/at least 1 character/);
  });

  it('applies the 512-byte limit of older phones to the whole object (escaping and multibyte characters included) unless the phone is modern', () => {
    expect(validateCoverStory('a'.repeat(LEGACY_ROOM)).text).toHaveLength(LEGACY_ROOM);
    const over = invalid(() => validateCoverStory('a'.repeat(LEGACY_ROOM + 1)));
    expect(over.message).toBe(`The cover story needs ${LEGACY_OBJECT_LIMIT + 1} bytes on the phone; it accepts at most 512 in all (title and markup included)`);
    expect(over.hint).toMatch(/at least 1 character\. /);
    expect(over.hint).toMatch(/mark a newer phone .* as modern/);
    // "&" is sent as "&amp;" (5 bytes), "é" as 2 bytes.
    expect(invalid(() => validateCoverStory('&'.repeat(Math.floor(LEGACY_ROOM / 5) + 1))).message).toMatch(/needs \d+ bytes/);
    expect(invalid(() => validateCoverStory('é'.repeat(Math.floor(LEGACY_ROOM / 2) + 1))).message).toMatch(/needs \d+ bytes/);
    expect(validateCoverStory('a'.repeat(LEGACY_ROOM + 1), { modern: true }).text).toHaveLength(LEGACY_ROOM + 1);
  });
});

describe('ring with a cover story', () => {
  it('shows the story on the screen right after the first ring', async () => {
    const phone = await sim();
    const r = await ring(testClient(), phoneOf(phone), { rings: 1, coverStory: STORY });
    expect(r).toEqual({ completed: 1, requested: 1, aborted: false, coverStory: 'shown' });
    expect(phone.display).toEqual({ title: 'Facilities', lines: ['Your car is blocking the gate'] });
  });

  it('pushes it once, between the first and the second ring, escaped', async () => {
    const phone = await sim();
    const r = await ring(testClient(), phoneOf(phone), { rings: 3, intervalMs: 0, coverStory: { text: 'Tom & Jerry <urgent>' } });
    expect(r.coverStory).toBe('shown');
    const posts = phone.requests.filter((q) => q.method === 'POST');
    expect(posts.map((q) => (q.items ? 'play' : 'text'))).toEqual(['play', 'text', 'play', 'play']);
    expect(posts[1]!.xml).toContain('<Text>Tom &amp; Jerry &lt;urgent&gt;</Text>');
    expect(phone.played).toHaveLength(3);
  });

  it('a phone that rejects text objects still rings; the result says rejected, with the error code', async () => {
    const phone = await sim({ rejectText: true });
    const r = await ring(testClient(), phoneOf(phone), { rings: 2, intervalMs: 0, coverStory: STORY });
    expect(r).toMatchObject({ completed: 2, requested: 2, aborted: false, coverStory: 'rejected', coverStoryError: { code: 'PhoneRejected' } });
    expect(r.coverStoryError?.hint).toMatch(/did not understand the command/);
    expect(phone.played).toEqual(['Classic1.raw', 'Classic1.raw']);
  });

  it('a push that fails otherwise is "failed"; the rings go on', async () => {
    // A phone that plays but answers HTTP 500 to the (much longer) text object.
    const playBytes = formBody(buildExecute([{ url: 'Play:Classic1.raw', priority: 2 }])).length;
    const server = await rawServer((req, res) => {
      if (req.method === 'GET') res.writeHead(404).end();
      else if (Number(req.headers['content-length']) > playBytes) res.writeHead(500).end('boom');
      else res.writeHead(200, { 'content-type': 'text/xml' }).end('<CiscoIPPhoneResponse><ResponseItem URL="Play:Classic1.raw" Data="Success" Status="0"/></CiscoIPPhoneResponse>');
    });
    closers.push(server.close);
    const phone = { address: server.url, credentials: { username: 'u', password: 'p' }, modern: true };
    const r = await ring(testClient(), phone, { rings: 2, intervalMs: 0, coverStory: { text: 'x'.repeat(150) } });
    expect(r).toMatchObject({ completed: 2, coverStory: 'failed', coverStoryError: { code: 'PhoneBadResponse' } });
    expect(server.requests).toHaveLength(4); // check (404, remembered), Play, text, Play
  });

  it('an invalid story is refused before any request', async () => {
    const phone = await sim();
    await expect(ring(testClient(), phoneOf(phone), { coverStory: { text: 'bell\u0007' } })).rejects.toBeInstanceOf(InvalidPhoneText);
    await expect(ring(testClient(), phoneOf(phone, { modern: false }), { coverStory: { text: 'a'.repeat(LEGACY_ROOM + 1) } })).rejects.toThrow(/at most 512/);
    expect(phone.requests).toHaveLength(0);
  });

  it('is not pushed when the phone is on a call (nothing rang)', async () => {
    const phone = await sim({ onCall: true });
    await expect(ring(testClient(), phoneOf(phone), { coverStory: STORY })).rejects.toBeInstanceOf(PhoneInCall);
    expect(phone.requests.filter((q) => q.method === 'POST')).toHaveLength(0);
  });
});
