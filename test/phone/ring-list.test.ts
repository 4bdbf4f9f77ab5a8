/** parseRingList: the call manager's CiscoIPPhoneRingList, lenient XML, strict content, line-level errors. */
import { describe, expect, it } from 'vitest';
import { InvalidRingList, parseRingList, type RingListProblem } from '../../src/phone/ring-list.js';

const CME = `<CiscoIPPhoneRingList>
  <Ring>
    <DisplayName>Piano1</DisplayName>
    <FileName>Piano1.raw</FileName>
  </Ring>
  <Ring>
    <DisplayName>Chime</DisplayName>
    <FileName>Chime.raw</FileName>
  </Ring>
</CiscoIPPhoneRingList>
`;

function problems(xml: string | Buffer): RingListProblem[] {
  try {
    parseRingList(xml);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRingList);
    expect((e as InvalidRingList).code).toBe('InvalidRingList');
    return [...(e as InvalidRingList).problems];
  }
  throw new Error('expected InvalidRingList');
}

const ring = (name: string, file: string) => `  <Ring><DisplayName>${name}</DisplayName><FileName>${file}</FileName></Ring>`;
const list = (...rings: string[]) => `<CiscoIPPhoneRingList>\n${rings.join('\n')}\n</CiscoIPPhoneRingList>\n`;

describe('parseRingList', () => {
  it('reads the CME sample', () => {
    expect(parseRingList(CME)).toEqual({
      tones: [
        { displayName: 'Piano1', fileName: 'Piano1.raw' },
        { displayName: 'Chime', fileName: 'Chime.raw' },
      ],
      warnings: [],
    });
  });

  it('is lenient about the XML: BOM, declaration, comments (even holding a <Ring>), CRLF, any case, stray &, wideband files', () => {
    const xml =
      '\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<!-- <Ring><DisplayName>Old</DisplayName></Ring> -->\r\n' +
      '<ciscoipphoneringlist>\r\n  <ring>\r\n    <displayname> Rock & Roll </displayname>\r\n    <FILENAME>Rock_1.rwb</FILENAME>\r\n  </ring>\r\n</ciscoipphoneringlist>';
    expect(parseRingList(xml).tones).toEqual([{ displayName: 'Rock & Roll', fileName: 'Rock_1.rwb' }]);
  });

  it('decodes an iso-8859-1 file given as bytes', () => {
    const xml = '<?xml version="1.0" encoding="iso-8859-1"?>\n' + list(ring('Glockenspiel ä', 'Glock.raw'));
    expect(parseRingList(Buffer.from(xml, 'latin1')).tones).toEqual([{ displayName: 'Glockenspiel ä', fileName: 'Glock.raw' }]);
  });

  it('lists every bad <Ring> with its line number in one error', () => {
    const xml = list(
      ring('Good', 'Good.raw'), // line 2
      '  <Ring><DisplayName>No file</DisplayName></Ring>', // 3
      ring('A display name far too long for phones', 'Long.raw'), // 4
      ring('Spaced', 'My Tone.raw'), // 5
      ring('Again', 'Good.raw'), // 6
      '  <Ring>', // 7
      '    <DisplayName>good</DisplayName>', // 8
      '    <FileName>Other.raw</FileName>', // 9
      '    <Volume>3</Volume>', // 10
      '  </Ring>', // 11
      ring('Twenty-six characters file', 'abcdefghijklmnopqrstuv.raw'), // 12
      ring('', 'Empty.raw'), // 13
      ring('<b>Bold</b>', 'Bold.raw'), // 14
    );
    expect(problems(xml)).toEqual([
      { line: 3, message: '<FileName> is missing' },
      { line: 4, message: '<DisplayName> "A display name far too long for phones" is 38 characters; at most 25' },
      { line: 5, message: '<FileName> "My Tone.raw" is not a valid file name (letters, digits, ".", "-", "_"; no spaces)' },
      { line: 6, message: '<FileName> Good.raw is already listed on line 2' },
      { line: 7, message: 'unexpected <volume> in a <Ring> (only <DisplayName> and <FileName>)' },
      { line: 7, message: '<DisplayName> "good" is already used on line 2; people could not tell the two apart' },
      { line: 12, message: '<DisplayName> "Twenty-six characters file" is 26 characters; at most 25' },
      { line: 12, message: '<FileName> "abcdefghijklmnopqrstuv.raw" is 26 characters; at most 25' },
      { line: 13, message: '<DisplayName> is empty' },
      { line: 14, message: '<DisplayName> must hold plain text, not <b>' },
    ]);
    const e = (() => {
      try {
        parseRingList(xml);
      } catch (err) {
        return err as InvalidRingList;
      }
      throw new Error('expected an error');
    })();
    expect(e.message).toMatch(/^The ring list has 10 problems:\nline 3: <FileName> is missing\nline 4: /);
    expect(e.hint).toMatch(/up to 50 <Ring> entries/);
  });

  it('accepts 50 rings and refuses 51, pointing at the first one too many', () => {
    const rings = (n: number) => Array.from({ length: n }, (_, i) => ring(`Tone ${i + 1}`, `Tone${i + 1}.raw`));
    expect(parseRingList(list(...rings(50))).tones).toHaveLength(50);
    expect(problems(list(...rings(51)))).toEqual([{ line: 52, message: 'too many rings: 51 listed, phones accept at most 50; the first one too many starts here' }]);
  });

  it('drops Piano2.raw (deny list) with a warning and keeps the rest', () => {
    const r = parseRingList(list(ring('Piano1', 'Piano1.raw'), ring('Piano2', 'Piano2.raw')));
    expect(r.tones).toEqual([{ displayName: 'Piano1', fileName: 'Piano1.raw' }]);
    expect(r.warnings).toEqual([{ line: 3, message: 'Piano2.raw left out: it is on the deny list (reported to crash phones)' }]);
    expect(problems(list(ring('Piano2', 'piano2.RAW')))).toEqual([{ line: 0, message: 'no usable ringtone is left once the deny list is applied' }]);
  });

  it('reports malformed XML with its line and column', () => {
    const [p, ...rest] = problems('<CiscoIPPhoneRingList>\n  <Ring>\n    <DisplayName>x</FileName>\n  </Ring>\n</CiscoIPPhoneRingList>');
    expect(rest).toEqual([]);
    expect(p!.line).toBe(3);
    expect(p!.message).toMatch(/^not well-formed XML \(column \d+\): /);
  });

  it('refuses other documents, empty files, empty lists, stray elements and DOCTYPEs', () => {
    expect(problems('<CiscoIPPhoneMenu><Title>x</Title></CiscoIPPhoneMenu>')).toEqual([
      { line: 1, message: 'the root element must be <CiscoIPPhoneRingList>, not <ciscoipphonemenu>' },
    ]);
    expect(problems('  \n')).toEqual([{ line: 0, message: 'the file is empty' }]);
    expect(problems('<CiscoIPPhoneRingList>\n</CiscoIPPhoneRingList>')).toEqual([{ line: 1, message: 'the list has no <Ring> entries' }]);
    expect(problems(list(ring('A', 'A.raw'), '  <Title>Rings</Title>'))).toEqual([
      { line: 3, message: 'unexpected <title> element (only <Ring> entries belong in the list)' },
    ]);
    expect(problems('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<CiscoIPPhoneRingList/>')).toEqual([
      { line: 2, message: 'a <!DOCTYPE> is not allowed in a ring list' },
    ]);
  });
});
