import { describe, expect, it } from 'vitest';
import { childText, cleanXml, interpretExecuteReply, parseReply, plainChildren } from '../../src/phone/parse.js';
import { streamingStatisticsXml } from '../../src/sim/info-pages.js';
import { PhoneAuthFailed, PhoneBadResponse, PhoneRejected } from '../../src/phone/errors.js';

const ok = (body: string, contentType = 'text/xml', status = 200) => ({ status, contentType, body: Buffer.from(body, 'utf8') });

describe('parseReply', () => {
  it('reads a CiscoIPPhoneResponse with mixed case names and duplicate declarations', () => {
    const body =
      '<?xml version="1.0" encoding="utf-8"?><?xml version="1.0"?>\n<ciscoIPPhoneResponse><responseitem url="Play:Chime.raw" DATA="Success" Status="0"/>' +
      '<ResponseItem URL="Key:Speaker" Data="Success" Status="0"/></ciscoIPPhoneResponse>';
    expect(parseReply(Buffer.from(body))).toEqual({
      kind: 'response',
      items: [
        { status: 0, data: 'Success', url: 'Play:Chime.raw' },
        { status: 0, data: 'Success', url: 'Key:Speaker' },
      ],
    });
  });

  it('tolerates stray & and Cisco\'s odd error closing tag', () => {
    expect(cleanXml('<a>x & y &amp; &#38; &#x26;</a>')).toBe('<a>x &amp; y &amp; &#38; &#x26;</a>');
    expect(parseReply(Buffer.from('<CiscoIPPhoneError Number="4"/> optional error message <CiscoIPPhoneError>'))).toMatchObject({ kind: 'error', number: 4 });
    expect(parseReply(Buffer.from('<CiscoIPPhoneError Number="2">framing & stuff</CiscoIPPhoneError>'))).toMatchObject({ kind: 'error', number: 2 });
    const r = parseReply(Buffer.from('<CiscoIPPhoneResponse><ResponseItem URL="http://x/?a=1&b=2" Data="A & B" Status="0"/></CiscoIPPhoneResponse>'));
    expect(r).toEqual({ kind: 'response', items: [{ status: 0, url: 'http://x/?a=1&b=2', data: 'A & B' }] });
  });

  it('classifies empty, text, HTML and binary bodies', () => {
    expect(parseReply(Buffer.alloc(0)).kind).toBe('empty');
    expect(parseReply(Buffer.from('  \r\n')).kind).toBe('empty');
    expect(parseReply(Buffer.from('OK')).kind).toBe('text');
    expect(parseReply(Buffer.from('<html><body>Done</body></html>'), 'text/html')).toMatchObject({ kind: 'other-xml', root: 'html' });
    expect(parseReply(Buffer.from('\u0000\u00ff}{ not xml ]]> <<<&&&', 'latin1')).kind).toBe('binary');
  });

  it('decodes iso-8859-1 bodies', () => {
    const body = Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><DeviceInformation><HostName>Caf\u00e9</HostName></DeviceInformation>', 'latin1');
    const r = parseReply(body, 'text/xml');
    expect(r.kind === 'other-xml' && (r.tree.deviceinformation as Record<string, unknown>).hostname).toBe('Caf\u00e9');
  });
});

describe('interpretExecuteReply', () => {
  const addr = 'http://10.0.0.1:80';

  it('returns the items of a success', () => {
    expect(interpretExecuteReply(addr, ok('<CiscoIPPhoneResponse><ResponseItem URL="Play:Chime.raw" Data="Success" Status="0"/></CiscoIPPhoneResponse>'))).toEqual([
      { status: 0, data: 'Success', url: 'Play:Chime.raw' },
    ]);
  });

  it('treats an empty or non-XML 200 as success with no items (multiplatform phones)', () => {
    expect(interpretExecuteReply(addr, ok(''))).toEqual([]);
    expect(interpretExecuteReply(addr, ok('<html><body>ok</body></html>', 'text/html'))).toEqual([]);
    expect(interpretExecuteReply(addr, ok('Success', 'text/plain'))).toEqual([]);
  });

  it('maps 401 and Number 4 to PhoneAuthFailed', () => {
    expect(() => interpretExecuteReply(addr, ok('<HTML>401</HTML>', 'text/html', 401))).toThrow(PhoneAuthFailed);
    expect(() => interpretExecuteReply(addr, ok('<CiscoIPPhoneError Number="4" />'))).toThrow(/CiscoIPPhoneError 4/);
    // Some firmware sends the error XML with a non-200 status.
    expect(() => interpretExecuteReply(addr, ok('<CiscoIPPhoneError Number="4"/>', 'text/xml', 500))).toThrow(PhoneAuthFailed);
  });

  it.each([
    [1, /could not parse/],
    [2, /internal error/],
    [3, /internal file error/],
    [6, /late or empty/],
    [42, /error number 42/],
  ])('maps CiscoIPPhoneError %i to PhoneRejected', (n, message) => {
    const err = (() => {
      try {
        interpretExecuteReply(addr, ok(`<CiscoIPPhoneError Number="${n}"/>`));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PhoneRejected);
    expect((err as PhoneRejected).errorNumber).toBe(n);
    expect((err as Error).message).toMatch(message);
  });

  it.each([
    ['a non-numeric Number in a body that is no well-formed XML', '<CiscoIPPhoneError Number="abc">oops</CiscoIPPhoneError'],
    ['a non-numeric Number', '<CiscoIPPhoneError Number="abc"/>'],
    ['an empty Number', '<CiscoIPPhoneError Number=""/>'],
    ['no Number at all', '<CiscoIPPhoneError/>'],
    ['a hexadecimal Number', '<CiscoIPPhoneError Number="0x4"/>'],
    ['a fractional Number', '<CiscoIPPhoneError Number="1.5"/>'],
    ['an error inside an HTML page', '<html><body><CiscoIPPhoneError Number="x"/></body></html>'],
    ['a truncated error', '<CiscoIPPhoneError Number='],
  ])('a 200 whose body holds a CiscoIPPhoneError is a refusal whatever its number: %s', (_label, body) => {
    const err = (() => {
      try {
        interpretExecuteReply(addr, ok(body));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(PhoneRejected);
    expect((err as PhoneRejected).errorNumber).toBeUndefined();
    expect((err as Error).message).toMatch(/CiscoIPPhoneError whose number could not be read/);
  });

  it('maps item Status 1 and 6 to PhoneRejected with a tone-specific hint', () => {
    const six = () => interpretExecuteReply(addr, ok('<CiscoIPPhoneResponse><ResponseItem URL="Play:Nope.raw" Data="URI not found" Status="6"/></CiscoIPPhoneResponse>'));
    expect(six).toThrow(PhoneRejected);
    try {
      six();
    } catch (e) {
      expect((e as PhoneRejected).hint).toMatch(/does not have the ringtone "Nope.raw".*Settings > Ring Type/);
      expect((e as PhoneRejected).items).toHaveLength(1);
    }
    expect(() => interpretExecuteReply(addr, ok('<CiscoIPPhoneResponse><ResponseItem URL="Key:X" Data="Invalid URI" Status="1"/></CiscoIPPhoneResponse>'))).toThrow(/status 1 "Invalid URI"/);
  });

  it('maps 3xx, 404, 500 and binary bodies to PhoneBadResponse', () => {
    const redirect = { status: 302, location: 'https://10.0.0.1/CGI/Execute', body: Buffer.alloc(0) };
    expect(() => interpretExecuteReply(addr, redirect)).toThrow(PhoneBadResponse);
    expect(() => interpretExecuteReply(addr, redirect)).toThrow(/redirect \(HTTP 302 to https:\/\/10\.0\.0\.1\/CGI\/Execute\)/);
    expect(() => interpretExecuteReply(addr, ok('<html>Not found</html>', 'text/html', 404))).toThrow(/HTTP 404/);
    expect(() => interpretExecuteReply(addr, ok('<HTML>500</HTML>', 'text/html', 500))).toThrow(/HTTP 500/);
    expect(() => interpretExecuteReply(addr, { status: 200, body: Buffer.from([0, 1, 2, 255]) })).toThrow(/unreadable bytes/);
  });
});

describe('plainChildren (the call check\'s StreamingStatisticsX read without the XML parser)', () => {
  const fullNode = (text: string) => {
    const r = parseReply(Buffer.from(text, 'utf8'));
    return r.kind === 'other-xml' && r.root === 'streamingstatistics' ? r.tree.streamingstatistics : undefined;
  };
  /** Every name either read gives the same text as childText over the full parse. */
  const sameAsFullParse = (text: string) => {
    const plain = plainChildren(text, 'streamingstatistics');
    expect(plain, text).toBeDefined();
    const node = fullNode(text);
    expect(node, text).toBeDefined();
    const names = new Set([...Object.keys(plain!), ...Object.keys(node as object)]);
    for (const name of names) expect(childText(plain, name), `${name} in ${text}`).toBe(childText(node, name));
  };

  it('reads what the simulator and real phones send, active and idle, as the full parse does', () => {
    const active = streamingStatisticsXml({ active: true, remote: '10.1.2.3/24580', local: '10.1.2.4/16384', sinceMs: 0 }, 5000);
    const idle = streamingStatisticsXml({ active: false, remote: '', local: '', sinceMs: 0 });
    expect(plainChildren(active, 'streamingstatistics')).toMatchObject({ streamstatus: 'Active', remoteaddr: '10.1.2.3/24580' });
    expect(plainChildren(idle, 'streamingstatistics')).toMatchObject({ streamstatus: 'Not Ready', remoteaddr: '' });
    for (const text of [
      active,
      idle,
      '\n<?xml version="1.0" encoding="utf-8"?><?xml version="1.0"?>\r\n<streamingStatistics>\t<STREAMSTATUS>  Active </STREAMSTATUS><Name/><name>x</name></streamingStatistics>\n',
      '<StreamingStatistics><StreamStatus></StreamStatus><StreamStatus>Active</StreamStatus><RemoteAddr>10.0.0.9</RemoteAddr></StreamingStatistics>',
      '<StreamingStatistics><StreamStatus/><StreamStatus>Active</StreamStatus></StreamingStatistics>',
      '<StreamingStatistics><toString>b</toString><hasOwnProperty/><valueOf>c</valueOf></StreamingStatistics>',
      '<StreamingStatistics></StreamingStatistics>',
      '<StreamingStatistics><Codec>G.711 "u" \'law\' ]]</Codec></StreamingStatistics>',
    ]) {
      sameAsFullParse(text);
    }
  });

  it('leaves everything else to the full parse', () => {
    for (const text of [
      '<StreamingStatistics><StreamStatus x="1">Active</StreamStatus></StreamingStatistics>',
      '<StreamingStatistics><Name>A &amp; B</Name></StreamingStatistics>',
      '<StreamingStatistics><Name><![CDATA[x]]></Name></StreamingStatistics>',
      '<StreamingStatistics><A><B>x</B></A></StreamingStatistics>',
      '<StreamingStatistics><!-- c --><A>x</A></StreamingStatistics>',
      '<StreamingStatistics><A>x</b></StreamingStatistics>',
      '<StreamingStatistics><A>x\u0001</A></StreamingStatistics>',
      '<StreamingStatistics><CiscoIPPhoneError Number="4"/></StreamingStatistics>',
      '<StreamingStatistics>text<A>x</A></StreamingStatistics>',
      '<StreamingStatistics><A>x</A></StreamingStatistics><More/>',
      '<StreamingStatistics><A>x</A></Other>',
      '<DeviceInformation><A>x</A></DeviceInformation>',
      '<StreamingStatistics><A>x</A>',
      '<StreamingStatistics><constructor>a</constructor></StreamingStatistics>',
    ]) {
      expect(plainChildren(text, 'streamingstatistics'), text).toBeUndefined();
    }
  });
});
