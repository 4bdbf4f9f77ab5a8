/** Shortcuts on the request path: the plain CiscoIPPhoneResponse read without the XML parser, and the form body written without URLSearchParams; each must give what the long way gives. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReply, parseXml, plainResponseItems, responseItemsOf } from '../../src/phone/parse.js';
import { formBody } from '../../src/phone/xml.js';

const ws = fc.constantFrom('', ' ', '\n', '\r\n', '\t', '  \n ');
const caseOf = (name: string) => fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));
const value = fc.oneof(
  fc.constantFrom('Play:Classic1.raw', 'Success', '0', '6', ' 0 ', '', 'abc', '1.5', '-1', 'Data with spaces', 'x=y;z', "it's", 'ünïcödé', 'a\u0001b', '\ufffd', '<CiscoIPPhoneError Number="4"/>'),
  fc.string({ maxLength: 12 }).filter((v) => !/["]/.test(v)),
);
const attribute = fc.tuple(fc.oneof(fc.constantFrom('URL', 'Data', 'Status'), fc.stringMatching(/^[A-Za-z]{1,6}$/)), value).chain(([name, v]) => caseOf(name).map((n) => ({ n, v })));
const item = fc.tuple(fc.array(fc.tuple(ws.filter((w) => w !== ''), attribute), { maxLength: 5 }), ws, caseOf('ResponseItem')).map(
  ([attrs, end, tag]) => `<${tag}${attrs.map(([w, a]) => `${w}${a.n}="${a.v}"`).join('')}${end}/>`,
);
const doc = fc
  .tuple(fc.array(fc.constantFrom('<?xml version="1.0" encoding="utf-8"?>', '<?XML version="1.0"?>', '<?xml <CiscoIPPhoneError?>', '<?xml \u0002?>'), { maxLength: 2 }), ws, caseOf('CiscoIPPhoneResponse'), fc.array(fc.tuple(item, ws), { maxLength: 4 }), ws)
  .map(([decls, w, root, items, tail]) => `${decls.join('\n')}${w}<${root}>${w}${items.map(([i, s]) => i + s).join('')}</${root}>${tail}`);

describe('the plain CiscoIPPhoneResponse shortcut', () => {
  it('reads the simulator\'s and phones\' usual answer', () => {
    const text = '<?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneResponse>\n<ResponseItem URL="Play:Classic1.raw" Data="Success" Status="0"/>\n</CiscoIPPhoneResponse>\n';
    expect(plainResponseItems(text)).toBeDefined();
    expect(parseReply(Buffer.from(text))).toEqual({ kind: 'response', items: [{ url: 'Play:Classic1.raw', data: 'Success', status: 0 }] });
  });

  it('gives the same items as the full XML parse for every document it reads', () => {
    fc.assert(
      fc.property(doc, (text) => {
        const plain = plainResponseItems(text);
        const tree = parseXml(text);
        if (plain === undefined) return; // not for the shortcut: the full parse alone decides
        // What parseReply checks before the full parse, and what the shortcut skips: no error tag, nothing binary.
        expect(text).not.toMatch(/<\s*ciscoipphoneerror\b/i);
        // eslint-disable-next-line no-control-regex -- control characters are what this looks for
        expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/);
        expect(tree).toBeDefined();
        const full = responseItemsOf(tree!);
        expect(parseReply(Buffer.from(text, 'utf8'))).toEqual({ kind: 'response', items: full });
      }),
      { numRuns: 3000 },
    );
    // Most generated documents are plain ones, so the comparison above is not vacuous.
    const sample = fc.sample(doc, { numRuns: 500, seed: 16 });
    expect(sample.filter((t) => plainResponseItems(t) !== undefined).length).toBeGreaterThan(100);
  });

  it('leaves entities, single quotes, text and other elements to the full parse', () => {
    for (const text of [
      '<CiscoIPPhoneResponse><ResponseItem URL="a &amp; b" Status="0"/></CiscoIPPhoneResponse>',
      "<CiscoIPPhoneResponse><ResponseItem URL='Play:x' Status='0'/></CiscoIPPhoneResponse>",
      '<CiscoIPPhoneResponse>hello<ResponseItem Status="0"/></CiscoIPPhoneResponse>',
      '<CiscoIPPhoneResponse><ResponseItem Status="0"></ResponseItem></CiscoIPPhoneResponse>',
      '<CiscoIPPhoneResponse><ResponseItem Status = "0"/></CiscoIPPhoneResponse>',
      '<CiscoIPPhoneResponse/>',
      '<CiscoIPPhoneResponse></CiscoIPPhoneResponse><Other/>',
    ]) {
      expect(plainResponseItems(text)).toBeUndefined();
    }
  });

  it('gives up quickly on a long document that is almost plain', () => {
    const text = `<CiscoIPPhoneResponse>${'<ResponseItem URL="x"  Status="0"  />   '.repeat(1500)}`;
    const started = performance.now();
    expect(plainResponseItems(text)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('formBody', () => {
  it('writes exactly what URLSearchParams writes, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 40 }), fc.constantFrom('a b!\'()~*-._', '\ud800x', 'é €')), (text) => {
        expect(formBody(text)).toBe(new URLSearchParams({ XML: text }).toString());
      }),
      { numRuns: 3000 },
    );
  });
});
