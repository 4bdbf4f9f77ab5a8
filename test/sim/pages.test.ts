import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { startPhone, type SimPhone, type SimPhoneOptions } from '../../src/sim/index.js';
import { screenshotToPng } from '../../src/phone/image/index.js';
import { authOf, basic, call, execute, executeXml } from './helpers.js';

async function withPhone(options: SimPhoneOptions, fn: (p: SimPhone) => Promise<void>): Promise<void> {
  const p = await startPhone({ toneTimeScale: 0, ...options });
  try {
    await fn(p);
  } finally {
    await p.stop();
  }
}

function shot(p: SimPhone, auth: string | null = authOf(p)): ReturnType<typeof call> {
  return call(`${p.url}/CGI/Screenshot`, auth === null ? {} : { headers: { authorization: auth } });
}

function pixels(png: Buffer): Buffer {
  return PNG.sync.read(png).data;
}

describe('CGI/Screenshot', () => {
  it('serves a BMP of an 8845-sized screen by default', async () => {
    await withPhone({}, async (p) => {
      const res = await shot(p);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/bmp');
      expect(res.body.subarray(0, 2).toString('latin1')).toBe('BM');
      expect(screenshotToPng(res.body)).toMatchObject({ format: 'bmp', width: 800, height: 480 });
      expect(p.requests[0]?.authorized).toBe(true);
    });
  });

  it('serves a 16 bpp 298x168 BMP for a 79xx model', async () => {
    await withPhone({ model: 'CP-7965' }, async (p) => {
      const res = await shot(p);
      expect(res.body.readUInt16LE(28)).toBe(16);
      expect(screenshotToPng(res.body)).toMatchObject({ format: 'bmp', width: 298, height: 168 });
    });
  });

  it('serves PNG when asked', async () => {
    await withPhone({ screenshotFormat: 'png' }, async (p) => {
      const res = await shot(p);
      expect(res.headers['content-type']).toBe('image/png');
      expect(screenshotToPng(res.body)).toMatchObject({ format: 'png', width: 800, height: 480 });
    });
  });

  it('serves a 133x65 2 bpp CiscoIPPhoneImage when asked, like a 7940', async () => {
    await withPhone({ screenshotFormat: 'cip', model: 'CP-7940' }, async (p) => {
      const res = await shot(p);
      expect(res.headers['content-type']).toMatch(/^text\/xml/);
      expect(res.text).toMatch(/<CiscoIPPhoneImage>[\s\S]*<Depth>2<\/Depth>/);
      const out = screenshotToPng(res.body);
      expect(out).toMatchObject({ format: 'cip', width: 133, height: 65 });
      const grays = new Set<number>();
      const data = pixels(out.png);
      for (let i = 0; i < data.length; i += 4) grays.add(data[i] as number);
      expect(grays.size).toBeGreaterThan(1); // text on a background, not a blank screen
    });
  });

  it('asks for credentials like CGI/Execute', async () => {
    await withPhone({}, async (p) => {
      const none = await shot(p, null);
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
      const wrong = await shot(p, basic('rescue', 'nope'));
      expect(wrong.status).toBe(200);
      expect(wrong.text).toBe('<CiscoIPPhoneError Number="4"/>');
    });
    await withPhone({ authFailure: '401' }, async (p) => {
      expect((await shot(p, basic('rescue', 'nope'))).status).toBe(401);
    });
  });

  it('shows the last action: idle, a tone playing, pushed text, a call', async () => {
    await withPhone({ screenshotFormat: 'png' }, async (p) => {
      const idle = pixels((await shot(p)).body);
      expect(p.display.lines).toContain('Idle');

      await execute(p, executeXml('Play:Classic1.raw'));
      expect(p.display.lines).toEqual(['Playing Classic1.raw']);
      const playing = pixels((await shot(p)).body);
      expect(playing.equals(idle)).toBe(false);

      await execute(p, '<CiscoIPPhoneText><Title>Facilities</Title><Text>Your car blocks the gate</Text></CiscoIPPhoneText>');
      expect(p.display).toEqual({ title: 'Facilities', lines: ['Your car blocks the gate'] });
      const text = pixels((await shot(p)).body);
      expect(text.equals(playing)).toBe(false);

      p.setOnCall(true);
      expect(p.display.lines).toContain('On a call');
      const onCall = pixels((await shot(p)).body);
      expect(onCall.equals(text)).toBe(false);
      p.setOnCall(false);
      expect(p.display.lines).toContain('Idle');
    });
  });
});

describe('info pages (no auth)', () => {
  let p: SimPhone;
  beforeAll(async () => {
    p = await startPhone({ model: 'CP-7940', toneTimeScale: 0 });
  });
  afterAll(() => p.stop());

  it('DeviceInformationX: iso-8859-1 XML with the model, host name, MAC, DN and message waiting', async () => {
    const res = await call(`${p.url}/DeviceInformationX`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml; charset="iso-8859-1"');
    expect(res.headers.server).toBe('Allegro-Software-RomPager/4.34');
    expect(res.text.startsWith('<?xml version="1.0" encoding="iso-8859-1"?>')).toBe(true);
    expect(res.text).toContain('<modelNumber>CP-7940</modelNumber>');
    expect(res.text).toMatch(/<MACAddress>([0-9A-F]{12})<\/MACAddress><HostName>SEP\1<\/HostName><phoneDN>\d+<\/phoneDN>/);
    expect(res.text).toContain('<MessageWaiting>no</MessageWaiting>');
  });

  it('NetworkConfigurationX', async () => {
    const res = await call(`${p.url}/NetworkConfigurationX`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<NetworkConfiguration>[\s\S]*<HostName>SEP[0-9A-F]{12}<\/HostName>[\s\S]*<IPAddress>127\.0\.0\.1<\/IPAddress>/);
  });

  it('StreamingStatisticsX: idle, then an active stream while on a call, on ?n=1 and ?1', async () => {
    const idle = await call(`${p.url}/StreamingStatisticsX?n=1`);
    expect(idle.status).toBe(200);
    expect(idle.text).toContain('<StreamStatus>Not Ready</StreamStatus>');
    expect(idle.text).toContain('<RemoteAddr></RemoteAddr>');
    p.setOnCall(true);
    try {
      for (const q of ['?n=1', '?1']) {
        const active = await call(`${p.url}/StreamingStatisticsX${q}`);
        expect(active.text).toContain('<StreamStatus>Active</StreamStatus>');
        expect(active.text).toMatch(/<RemoteAddr>[\d.]+\/\d+<\/RemoteAddr>/);
      }
      expect((await call(`${p.url}/StreamingStatisticsX?n=2`)).text).toContain('<StreamStatus>Not Ready</StreamStatus>');
    } finally {
      p.setOnCall(false);
    }
    expect((await call(`${p.url}/StreamingStatisticsX?n=1`)).text).toContain('<StreamStatus>Not Ready</StreamStatus>');
  });

  it('StreamingStatisticsX answers 404 on a model without the page', async () => {
    await withPhone({ noStreamingStats: true }, async (q) => {
      expect((await call(`${q.url}/StreamingStatisticsX?n=1`)).status).toBe(404);
      expect((await call(`${q.url}/DeviceInformationX`)).status).toBe(200);
    });
  });

  it('answers 404 for unknown paths; paths are case-sensitive', async () => {
    expect((await call(`${p.url}/nothing`)).status).toBe(404);
    const res = await call(`${p.url}/cgi/execute`, { method: 'POST', headers: { authorization: authOf(p) }, body: 'XML=x' });
    expect(res.status).toBe(404);
  });
});
