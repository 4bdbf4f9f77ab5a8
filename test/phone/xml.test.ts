import { describe, expect, it } from 'vitest';
import { buildExecute, buildText, escapeXml, formBody, playUri, validateTone, XML_DECLARATION } from '../../src/phone/xml.js';
import { InvalidPhoneCommand, InvalidPhoneText, InvalidTone, ObjectTooLarge, ToneDenied } from '../../src/phone/errors.js';
import { DEFAULT_TONES } from '../../src/phone/tones.js';

describe('buildExecute', () => {
  it('builds the exact object with a UTF-8 declaration', () => {
    expect(buildExecute([{ url: 'Play:Classic1.raw', priority: 2 }])).toBe(
      `${XML_DECLARATION}<CiscoIPPhoneExecute><ExecuteItem Priority="2" URL="Play:Classic1.raw"/></CiscoIPPhoneExecute>`,
    );
    expect(XML_DECLARATION).toBe('<?xml version="1.0" encoding="UTF-8"?>');
  });

  it('form-encodes the body as XML= plus the url-encoded object (reference §1)', () => {
    const xml = '<CiscoIPPhoneExecute><ExecuteItem Priority="2" URL="Play:Classic1.raw"/></CiscoIPPhoneExecute>';
    expect(formBody(xml)).toBe(
      'XML=%3CCiscoIPPhoneExecute%3E%3CExecuteItem+Priority%3D%222%22+URL%3D%22Play%3AClassic1.raw%22%2F%3E%3C%2FCiscoIPPhoneExecute%3E',
    );
  });

  it('accepts 1 to 3 items, omits Priority when unset, and refuses 0 or 4', () => {
    const three = buildExecute([{ url: 'Play:Chime.raw', priority: 0 }, { url: 'Key:Speaker', priority: 1 }, { url: 'Init:Services' }]);
    expect(three).toContain('<ExecuteItem Priority="0" URL="Play:Chime.raw"/><ExecuteItem Priority="1" URL="Key:Speaker"/><ExecuteItem URL="Init:Services"/>');
    expect(() => buildExecute([])).toThrow(InvalidPhoneCommand);
    expect(() => buildExecute(Array(4).fill({ url: 'Key:Speaker' }))).toThrow(/1 to 3 items/);
  });

  it('refuses a second HTTP URL, long URLs, control characters and bad priorities', () => {
    expect(() => buildExecute([{ url: 'http://a/x' }, { url: 'https://b/y' }])).toThrow(/only one HTTP URL/);
    expect(() => buildExecute([{ url: `http://a/${'x'.repeat(250)}` }], { modern: true })).toThrow(/at most 256/);
    expect(() => buildExecute([{ url: 'Key:Speaker\n' }])).toThrow(/control characters/);
    expect(() => buildExecute([{ url: 'Key:Speaker', priority: 3 as 2 }])).toThrow(/Priority must be 0, 1 or 2/);
    expect(() => buildExecute([{ url: 'play:Chime.raw' }])).toThrow(/Play:/);
  });

  it('escapes & " \' < > in attribute values', () => {
    const xml = buildExecute([{ url: `http://srv/a?x=1&y="2"&z='<3>'` }], { modern: true });
    expect(xml).toContain('URL="http://srv/a?x=1&amp;y=&quot;2&quot;&amp;z=&apos;&lt;3&gt;&apos;"');
    expect(escapeXml(`&"'<>`)).toBe('&amp;&quot;&apos;&lt;&gt;');
  });

  it('refuses objects over 512 bytes unless the phone is modern (40 KB)', () => {
    const items = [{ url: `http://server/${'a'.repeat(240)}` }, { url: `Dial:${'1'.repeat(240)}` }, { url: `Key:${'b'.repeat(200)}` }];
    expect(() => buildExecute(items)).toThrow(ObjectTooLarge);
    expect(buildExecute(items, { modern: true }).length).toBeGreaterThan(512);
    try {
      buildExecute(items);
    } catch (err) {
      expect((err as ObjectTooLarge).limit).toBe(512);
      expect((err as ObjectTooLarge).hint).toMatch(/shorten/);
    }
  });
});

describe('tones', () => {
  it('accepts every default tone', () => {
    for (const t of DEFAULT_TONES) expect(playUri(t)).toBe(`Play:${t}`);
  });

  it.each(['a"b.raw', '<x>.raw', 'a b.raw', '../etc/passwd', 'x&y.raw', '', 'é.raw', 'a'.repeat(65)])('refuses the hostile name %j', (tone) => {
    expect(() => validateTone(tone)).toThrow(InvalidTone);
    expect(() => buildExecute([{ url: `Play:${tone}` }])).toThrow(InvalidTone);
  });

  it('never sends Piano2.raw, in any case, and honours extra denied names', () => {
    expect(() => playUri('Piano2.raw')).toThrow(ToneDenied);
    expect(() => playUri('piano2.RAW')).toThrow(ToneDenied);
    expect(() => buildExecute([{ url: 'Play:Piano2.raw' }])).toThrow(ToneDenied);
    expect(() => playUri('Chime.raw', { denied: ['Chime.raw'] })).toThrow(/deny list/);
    try {
      playUri('Piano2.raw');
    } catch (err) {
      expect((err as ToneDenied).hint).toMatch(/crash/);
    }
  });
});

describe('buildText', () => {
  it('builds an escaped CiscoIPPhoneText', () => {
    expect(buildText({ title: 'A & B', prompt: '<go>', text: 'say "hi"\nbye' })).toBe(
      `${XML_DECLARATION}<CiscoIPPhoneText><Title>A &amp; B</Title><Prompt>&lt;go&gt;</Prompt><Text>say &quot;hi&quot;\nbye</Text></CiscoIPPhoneText>`,
    );
  });

  it('refuses control characters and oversize text', () => {
    expect(() => buildText({ text: 'bell\u0007' })).toThrow(InvalidPhoneText);
    expect(() => buildText({ text: 'x'.repeat(600) })).toThrow(ObjectTooLarge);
    expect(buildText({ text: 'x'.repeat(600) }, { modern: true })).toContain('xxx');
    expect(() => buildText({ text: 'é'.repeat(250) })).toThrow(ObjectTooLarge); // counted in UTF-8 bytes
  });
});
