import { describe, expect, it } from 'vitest';
import { decodeText, parseSoap, text, child } from '../../src/callmanager/xml.js';
import { sep, worlds } from './helpers.js';

const world = worlds();

describe('reading SOAP safely', () => {
  it('refuses any DOCTYPE or entity declaration instead of parsing it', () => {
    expect(parseSoap('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')).toBeUndefined();
    expect(parseSoap('<x><!ENTITY a SYSTEM "file:///etc/passwd"></x>')).toBeUndefined();
    expect(parseSoap('<!doctype html><html></html>')).toBeUndefined();
  });

  it('expands no entity: undeclared references stay as written, only the predefined five and character references are decoded', () => {
    const tree = parseSoap('<a><b>Tom &amp; Jerry &lt;3 &#233;&#x41; &lol; &amp;lt;</b></a>');
    expect(text(child(tree, 'a'), 'b')).toBe('Tom & Jerry <3 éA &lol; &lt;');
    expect(decodeText('&#0; &#x110000;')).toBe('&#0; &#x110000;');
  });

  it('descriptions with markup characters travel through AXL and RisPort intact', async () => {
    const w = await world({ sim: { users: [{ userid: 'a', mailid: 'a@example.com' }], devices: [{ name: sep(1), ip: '10.0.0.1', description: 'R&D <lab> "east"', owner: 'a' }] } });
    expect((await w.cm.axl.findUserByEmail('a@example.com'))?.devices[0]?.description).toBe('R&D <lab> "east"');
    expect((await w.cm.risport.selectCmDeviceExt([sep(1)])).get(sep(1))).toMatchObject({ description: 'R&D <lab> "east"' });
  });
});
