import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPhone, type SimPhone } from '../../src/sim/index.js';
import { authOf, basic, call, execute, executeXml, waitFor } from './helpers.js';

const OK = (url: string): string => `<ResponseItem URL="${url}" Data="Success" Status="0"/>`;

describe('CGI/Execute', () => {
  let phone: SimPhone;
  beforeAll(async () => {
    phone = await startPhone({ toneTimeScale: 0, tones: { 'Classic1.raw': 1020, 'Chime.raw': 2005 } });
  });
  afterAll(() => phone.stop());
  beforeEach(() => phone.clearRequests());

  it('plays a tone and answers a CiscoIPPhoneResponse with one ResponseItem per item', async () => {
    const res = await execute(phone, executeXml('Play:Classic1.raw'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml; charset="utf-8"');
    expect(res.headers.server).toBe('Allegro-Software-RomPager/4.34');
    expect(res.text).toContain(`<CiscoIPPhoneResponse>\n${OK('Play:Classic1.raw')}\n</CiscoIPPhoneResponse>`);
    expect(phone.played).toEqual(['Classic1.raw']);
    expect(phone.display.lines).toContain('Playing Classic1.raw');
  });

  it('records the exact request: method, path, headers, raw body, decoded XML, items with priority', async () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?><CiscoIPPhoneExecute><ExecuteItem Priority="2" URL="Play:Chime.raw"/><ExecuteItem URL="Key:Services"/></CiscoIPPhoneExecute>';
    await execute(phone, xml);
    const [req] = phone.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/CGI/Execute', xml, authorized: true });
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req?.headers.authorization).toBe(authOf(phone));
    expect(req?.rawBody.toString()).toBe(`XML=${new URLSearchParams({ XML: xml }).toString().slice(4)}`);
    expect(req?.items).toEqual([{ url: 'Play:Chime.raw', priority: 2 }, { url: 'Key:Services' }]);
  });

  describe('authentication', () => {
    it('challenges a request without credentials with 401 and a Basic realm', async () => {
      const res = await execute(phone, executeXml('Play:Classic1.raw'), { auth: null });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="[^"]+"$/);
      expect(phone.played).toEqual([]);
      expect(phone.requests[0]?.authorized).toBe(false);
    });

    it('answers wrong credentials with 200 and CiscoIPPhoneError Number 4', async () => {
      for (const auth of [basic(phone.username, 'wrong'), basic('someone', phone.password), basic('', ''), 'Basic !!!notbase64']) {
        const res = await execute(phone, executeXml('Play:Classic1.raw'), { auth });
        expect(res.status).toBe(200);
        expect(res.text).toBe('<CiscoIPPhoneError Number="4"/>');
      }
      expect(phone.played).toEqual([]);
    });

    it('treats a non-Basic Authorization header as no credentials', async () => {
      const res = await execute(phone, executeXml('Play:Classic1.raw'), { auth: 'Bearer abc' });
      expect(res.status).toBe(401);
    });

    it('answers 401 for wrong credentials in 7940 mode', async () => {
      const old = await startPhone({ authFailure: '401', toneTimeScale: 0 });
      try {
        const res = await execute(old, executeXml('Play:Classic1.raw'), { auth: basic('rescue', 'nope') });
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      } finally {
        await old.stop();
      }
    });

    it('accepts the credentials it was configured with', async () => {
      const custom = await startPhone({ username: 'ops', password: 'p:ss wörd', toneTimeScale: 0 });
      try {
        expect((await execute(custom, executeXml('Play:Classic1.raw'), { auth: basic('ops', 'p:ss wörd') })).text).toContain('Status="0"');
        expect((await execute(custom, executeXml('Play:Classic1.raw'), { auth: basic('rescue', 'ring-ring') })).text).toContain('Number="4"');
      } finally {
        await custom.stop();
      }
    });
  });

  describe('body encodings', () => {
    const xml = executeXml('Play:Classic1.raw');
    const post = (contentType: string | undefined, body: string): ReturnType<typeof call> =>
      call(`${phone.url}/CGI/Execute`, {
        method: 'POST',
        headers: { authorization: authOf(phone), ...(contentType ? { 'content-type': contentType } : {}) },
        body,
      });

    it('tolerates text/xml and text/plain with an un-encoded XML= body', async () => {
      for (const type of ['text/xml', 'text/xml; charset=utf-8', 'text/plain;charset=UTF-8']) {
        expect((await post(type, `XML=${xml}`)).text).toContain(OK('Play:Classic1.raw'));
      }
    });

    it('tolerates a form-encoded body under a text/xml header', async () => {
      expect((await post('text/xml; charset=utf-8', `XML=${encodeURIComponent(xml)}`)).text).toContain(OK('Play:Classic1.raw'));
    });

    it('finds the XML field among other form fields', async () => {
      expect((await post('application/x-www-form-urlencoded', `a=1&XML=${encodeURIComponent(xml)}&b=2`)).text).toContain('Status="0"');
    });

    const bad: [string, string | undefined, string][] = [
      ['a bare XML body without XML=', 'text/xml', xml],
      ['a lower-case field name', 'application/x-www-form-urlencoded', `xml=${encodeURIComponent(xml)}`],
      ['an empty body', 'application/x-www-form-urlencoded', ''],
      ['an empty XML field', 'application/x-www-form-urlencoded', 'XML='],
      ['garbled url-encoding', 'text/plain', 'XML=%ZZ%3CCiscoIPPhoneExecute'],
      ['XML that does not parse', 'application/x-www-form-urlencoded', `XML=${encodeURIComponent('<CiscoIPPhoneExecute><ExecuteItem URL="Play:x.raw">')}`],
      ['a stray ampersand', 'text/xml', 'XML=<CiscoIPPhoneExecute><ExecuteItem URL="Play:a&b.raw"/></CiscoIPPhoneExecute>'],
    ];
    for (const [label, type, body] of bad) {
      it(`answers CiscoIPPhoneError Number 1 for ${label}`, async () => {
        const res = await post(type, body);
        expect(res.status).toBe(200);
        expect(res.text).toBe('<CiscoIPPhoneError Number="1"/>');
        expect(phone.played).toEqual([]);
      });
    }
  });

  describe('objects the phone refuses (Number 1)', () => {
    const cases: [string, string][] = [
      ['a wrong root element', '<CiscoIPPhoneExecut><ExecuteItem URL="Play:Classic1.raw"/></CiscoIPPhoneExecut>'],
      ['a foreign root element', '<html><body/></html>'],
      ['mixed-case element names', '<ciscoipphoneexecute><ExecuteItem URL="Play:Classic1.raw"/></ciscoipphoneexecute>'],
      ['no ExecuteItem', '<CiscoIPPhoneExecute></CiscoIPPhoneExecute>'],
      ['an ExecuteItem without URL', '<CiscoIPPhoneExecute><ExecuteItem Priority="0"/></CiscoIPPhoneExecute>'],
      ['a Priority that is not 0-3', '<CiscoIPPhoneExecute><ExecuteItem Priority="9" URL="Play:Classic1.raw"/></CiscoIPPhoneExecute>'],
      ['more than three items', executeXml('Play:Classic1.raw', 'Key:Services', 'Key:Settings', 'Key:Info')],
      ['more than one HTTP URL', executeXml('http://10.0.0.1/a.xml', 'https://10.0.0.1/b.xml')],
    ];
    for (const [label, xml] of cases) {
      it(`for ${label}`, async () => {
        const res = await execute(phone, xml);
        expect(res.text).toBe('<CiscoIPPhoneError Number="1"/>');
        expect(phone.played).toEqual([]);
      });
    }

    it('for an object over the 512-byte limit of a legacy phone, but not on a modern one', async () => {
      const legacy = await startPhone({ modern: false, toneTimeScale: 0 });
      try {
        const big = `<CiscoIPPhoneText><Title>T</Title><Text>${'x'.repeat(600)}</Text></CiscoIPPhoneText>`;
        expect((await execute(legacy, big)).text).toBe('<CiscoIPPhoneError Number="1"/>');
        expect((await execute(legacy, executeXml('Play:Classic1.raw'))).text).toContain('Status="0"');
        expect((await execute(phone, big)).text).toContain('Status="0"');
        const huge = `<CiscoIPPhoneText><Text>${'x'.repeat(41_000)}</Text></CiscoIPPhoneText>`;
        expect((await execute(phone, huge)).text).toBe('<CiscoIPPhoneError Number="1"/>');
      } finally {
        await legacy.stop();
      }
    });
  });

  describe('per-item status', () => {
    it('answers Status 6 for an unknown tone or URI scheme and Status 1 for a malformed URI', async () => {
      const res = await execute(phone, executeXml('Play:NoSuchTone.raw', 'Teleport:home', 'Play:a b.raw'));
      expect(res.text).toContain('<ResponseItem URL="Play:NoSuchTone.raw" Data="URI not found" Status="6"/>');
      expect(res.text).toContain('<ResponseItem URL="Teleport:home" Data="URI not found" Status="6"/>');
      expect(res.text).toContain('<ResponseItem URL="Play:a b.raw" Data="Invalid URI" Status="1"/>');
      expect(phone.played).toEqual([]);
    });

    it('treats tone names as case-sensitive file names', async () => {
      const res = await execute(phone, executeXml('Play:classic1.raw'));
      expect(res.text).toContain('<ResponseItem URL="Play:classic1.raw" Data="URI not found" Status="6"/>');
    });

    it('rejects hostile tone names as Invalid URI and escapes them in the answer', async () => {
      const res = await execute(
        phone,
        '<CiscoIPPhoneExecute><ExecuteItem URL="Play:a&quot;b.raw"/><ExecuteItem URL="Play:&lt;x&gt;.raw"/></CiscoIPPhoneExecute>',
      );
      expect(res.text).toContain('<ResponseItem URL="Play:a&quot;b.raw" Data="Invalid URI" Status="1"/>');
      expect(res.text).toContain('<ResponseItem URL="Play:&lt;x&gt;.raw" Data="Invalid URI" Status="1"/>');
      expect(phone.requests[0]?.items).toEqual([{ url: 'Play:a"b.raw' }, { url: 'Play:<x>.raw' }]);
    });

    it('runs up to three items in order, mixing URIs and one HTTP URL', async () => {
      const res = await execute(phone, executeXml('Play:Classic1.raw', 'http://10.0.0.9/menu.xml', 'Play:Chime.raw'));
      expect(res.text.match(/Status="0"/g)).toHaveLength(3);
      expect(phone.played).toEqual(['Classic1.raw', 'Chime.raw']);
    });

    it('answers Play:Stop and other known URIs with Success', async () => {
      const res = await execute(phone, executeXml('Play:Stop', 'Key:Settings', 'Dial:5551234'));
      expect(res.text.match(/Status="0"/g)).toHaveLength(3);
    });
  });

  describe('display objects pushed directly', () => {
    it('shows a CiscoIPPhoneText title, text and prompt on the display', async () => {
      const res = await execute(
        phone,
        '<?xml version="1.0" encoding="UTF-8"?><CiscoIPPhoneText><Title>Facilities</Title><Prompt>Now</Prompt><Text>Your car &amp; the gate</Text></CiscoIPPhoneText>',
      );
      expect(res.text).toContain('Status="0"');
      expect(phone.display).toEqual({ title: 'Facilities', lines: ['Your car & the gate', 'Now'] });
    });

    it('answers Number 1 on a model that rejects text objects, leaving the display alone', async () => {
      const strict = await startPhone({ rejectText: true, toneTimeScale: 0 });
      try {
        const before = strict.display;
        const res = await execute(strict, '<CiscoIPPhoneText><Title>X</Title><Text>Y</Text></CiscoIPPhoneText>');
        expect(res.text).toBe('<CiscoIPPhoneError Number="1"/>');
        expect(strict.display.lines).toEqual(before.lines);
      } finally {
        await strict.stop();
      }
    });
  });
});

describe('Play timing and concurrency', () => {
  it('answers Play only after the tone length times toneTimeScale', async () => {
    const phone = await startPhone({ tones: { 'Long.raw': 1200 }, toneTimeScale: 0.5 });
    try {
      const started = Date.now();
      const pending = execute(phone, executeXml('Play:Long.raw'));
      await waitFor(() => phone.inFlight === 1 && phone.display.lines.includes('Playing Long.raw'));
      expect(phone.played).toEqual([]); // still playing: the answer has not come
      const res = await pending;
      expect(Date.now() - started).toBeGreaterThanOrEqual(590);
      expect(res.text).toContain('Status="0"');
      expect(phone.played).toEqual(['Long.raw']);
      await waitFor(() => phone.inFlight === 0);
    } finally {
      await phone.stop();
    }
  });

  it('does not serialise requests: concurrent clients show up in maxInFlight', async () => {
    const phone = await startPhone({ tones: { 'Long.raw': 300 } });
    try {
      await Promise.all([execute(phone, executeXml('Play:Long.raw')), execute(phone, executeXml('Play:Long.raw'))]);
      expect(phone.maxInFlight).toBe(2);
      phone.clearRequests();
      await execute(phone, executeXml('Play:Long.raw'));
      await execute(phone, executeXml('Play:Long.raw'));
      expect(phone.maxInFlight).toBe(1);
    } finally {
      await phone.stop();
    }
  });

  it('records Priority without honouring it for URIs: Play runs during a call', async () => {
    const phone = await startPhone({ toneTimeScale: 0, onCall: true });
    try {
      const res = await execute(phone, executeXml('Play:Classic1.raw'));
      expect(res.text).toContain('Status="0"');
      expect(phone.played).toEqual(['Classic1.raw']);
      expect(phone.requests[0]?.items).toEqual([{ url: 'Play:Classic1.raw', priority: 2 }]);
    } finally {
      await phone.stop();
    }
  });
});

describe('protocol details', () => {
  it('answers CiscoIPPhoneError 6 to a client that sends Expect: 100-continue, as phones did to .NET', async () => {
    const { connect } = await import('node:net');
    const phone = await startPhone({ toneTimeScale: 0 });
    try {
      const body = `XML=${encodeURIComponent(executeXml('Play:Classic1.raw'))}`;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(phone.port, '127.0.0.1', () => {
          socket.write(
            `POST /CGI/Execute HTTP/1.1\r\nHost: x\r\nAuthorization: ${authOf(phone)}\r\n` +
              `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
          );
        });
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer).toContain('<CiscoIPPhoneError Number="6"/>');
      expect(phone.played).toEqual([]);
      expect(phone.requests[0]?.headers.expect).toBe('100-continue');
    } finally {
      await phone.stop();
    }
  });

  it('reports its fault switches and call state, and caps the request log', async () => {
    const phone = await startPhone({ toneTimeScale: 0, maxLoggedRequests: 3, faults: { slowMs: 1 } });
    try {
      expect(phone.faults).toMatchObject({ slowMs: 1, hang: false, webAccessDisabled: false });
      await phone.setFault('garbage', true);
      expect(phone.faults.garbage).toBe(true);
      expect(phone.onCall).toBe(false);
      phone.setOnCall(true);
      expect(phone.onCall).toBe(true);
      await phone.setFault('garbage', false);
      for (let i = 0; i < 5; i++) await execute(phone, executeXml(`Key:Soft${i + 1}`));
      expect(phone.requests.map((r) => r.items?.[0]?.url)).toEqual(['Key:Soft3', 'Key:Soft4', 'Key:Soft5']);
    } finally {
      await phone.stop();
    }
  });
});

describe('default tones', () => {
  it('knows every default tone with a realistic length, Classic1.raw being 8160 samples at 8 kHz', async () => {
    const { defaultToneLengths } = await import('../../src/sim/defaults.js');
    const { DEFAULT_TONES } = await import('../../src/phone/tones.js');
    const lengths = defaultToneLengths();
    expect(lengths['Classic1.raw']).toBe(1020);
    expect(lengths['Chime.raw']).toBe(2005);
    for (const tone of DEFAULT_TONES) {
      expect(lengths[tone]).toBeGreaterThanOrEqual(30);
      expect(lengths[tone]).toBeLessThanOrEqual(2010);
    }
    expect(lengths['Piano2.raw']).toBe(1920);
  });
});
