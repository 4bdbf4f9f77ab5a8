import { afterEach, describe, expect, it } from 'vitest';
import { PhoneBadResponse, PhoneConnectionLost } from '../../src/phone/errors.js';
import { AnswerReader, AnswerTooLarge, serializeRequest } from '../../src/phone/http1.js';
import type { RawReply } from '../../src/phone/parse.js';
import { tcpServer, testClient } from './helpers.js';

const SUCCESS = '<CiscoIPPhoneResponse><ResponseItem URL="Play:Classic1.raw" Data="Success" Status="0"/></CiscoIPPhoneResponse>';
const PLAY = [{ url: 'Play:Classic1.raw', priority: 2 as const }];

/** Feeds `parts` to a reader (then the close, if asked) and returns what it reported. */
function read(parts: (string | Buffer)[], { close = true, maxBytes = 1024 } = {}): { err?: Error; reply?: RawReply; calls: number } {
  const out: { err?: Error; reply?: RawReply; calls: number } = { calls: 0 };
  const reader = new AnswerReader(maxBytes, (err, reply) => {
    out.calls++;
    if (err) out.err = err;
    if (reply) out.reply = reply;
  });
  for (const p of parts) reader.push(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
  if (close) reader.end();
  return out;
}

const head = (extra: string) => `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n${extra}\r\n`;

describe('AnswerReader', () => {
  it('reads a sized answer, even one byte at a time, and reports it once', () => {
    const text = head(`Content-Length: ${SUCCESS.length}\r\n`) + SUCCESS;
    const r = read([...text]);
    expect(r.calls).toBe(1);
    expect(r.reply).toMatchObject({ status: 200, contentType: 'text/xml' });
    expect(r.reply!.body.toString()).toBe(SUCCESS);
  });

  it('reads a chunked answer and one read until the close (HTTP/1.0, no length)', () => {
    const chunked = read([head('Transfer-Encoding: chunked\r\n') + '5\r\n<Cisc\r\n', `${(SUCCESS.length - 5).toString(16)}\r\n${SUCCESS.slice(5)}\r\n0\r\n\r\n`], { close: false });
    expect(chunked.reply!.body.toString()).toBe(SUCCESS);
    const untilClose = read(['HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n', SUCCESS.slice(0, 10), SUCCESS.slice(10)]);
    expect(untilClose.reply!.body.toString()).toBe(SUCCESS);
  });

  it('accepts bare LF line ends (small embedded servers) and keeps the Location of a redirect', () => {
    const r = read(['HTTP/1.1 302 Found\nLocation: https://10.0.0.5/CGI/Execute\nContent-Length: 0\n\n'], { close: false });
    expect(r.reply).toMatchObject({ status: 302, location: 'https://10.0.0.5/CGI/Execute' });
  });

  it('skips a 100 Continue before the answer', () => {
    const r = read(['HTTP/1.1 100 Continue\r\n\r\n', head(`Content-Length: ${SUCCESS.length}\r\n`) + SUCCESS], { close: false });
    expect(r.reply).toMatchObject({ status: 200 });
    expect(r.reply!.body.toString()).toBe(SUCCESS);
  });

  it('an answer cut off by the close is a reset, whether in the head or the body', () => {
    for (const parts of [[], ['HTTP/1.1 200 OK\r\nContent-Le'], [head('Content-Length: 500\r\n') + SUCCESS], [head('Transfer-Encoding: chunked\r\n') + '5\r\n<Ci']]) {
      const r = read(parts);
      expect(r.calls).toBe(1);
      expect(r.err).toMatchObject({ code: 'ECONNRESET' });
    }
  });

  it('caps the body by its declared length and by what arrives', () => {
    expect(read([head('Content-Length: 2048\r\n')], { close: false }).err).toBeInstanceOf(AnswerTooLarge);
    const streamed = read([head('Transfer-Encoding: chunked\r\n'), `400\r\n${'x'.repeat(1024)}\r\n`, `1\r\nx\r\n0\r\n\r\n`], { close: false });
    expect(streamed.err).toBeInstanceOf(AnswerTooLarge);
    expect(streamed.calls).toBe(1);
  });

  it('refuses a malformed status line, a bad Content-Length and an endless head', () => {
    expect(read(['<html>not http</html>\r\n\r\n']).err?.message).toBeTruthy();
    expect(read([head('Content-Length: 12abc\r\n')], { close: false }).err).toMatchObject({ code: 'HPE_INVALID_CONTENT_LENGTH' });
    expect(read([head('Content-Length: 3\r\nContent-Length: 4\r\n')], { close: false }).err).toMatchObject({ code: 'HPE_UNEXPECTED_CONTENT_LENGTH' });
    const endless = read(['HTTP/1.1 200 OK\r\n', ...Array.from({ length: 40 }, () => `X-Filler: ${'y'.repeat(500)}\r\n`)], { close: false });
    expect(endless.err?.message).toMatch(/header size/);
  });
});

describe('serializeRequest', () => {
  it('writes the request line, the headers, connection: close and the length of the body', () => {
    expect(serializeRequest('POST', '/CGI/Execute', ['host', '10.0.0.5', 'content-type', 'application/x-www-form-urlencoded'], 'XML=%3C')).toBe(
      'POST /CGI/Execute HTTP/1.1\r\nhost: 10.0.0.5\r\ncontent-type: application/x-www-form-urlencoded\r\nconnection: close\r\ncontent-length: 7\r\n\r\nXML=%3C',
    );
    expect(serializeRequest('GET', '/CGI/Screenshot', ['host', '[fd00::5]:8080'])).toBe('GET /CGI/Screenshot HTTP/1.1\r\nhost: [fd00::5]:8080\r\nconnection: close\r\n\r\n');
  });

  it('refuses a path or a header value that would split the request', () => {
    expect(() => serializeRequest('GET', '/x HTTP/1.1\r\nX-Evil: 1', [])).toThrow(TypeError);
    expect(() => serializeRequest('GET', '/a b', [])).toThrow(TypeError);
    expect(() => serializeRequest('GET', '/', ['host', 'a\r\nX-Evil: 1'])).toThrow(/host header/);
  });
});

describe('PhoneClient over answers node:http servers never send', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  /** A TCP server that reads one request and answers with `answer` (written in the given pieces), then closes. */
  async function scripted(answer: string[]): Promise<{ address: string; requests: string[] }> {
    const requests: string[] = [];
    const { port, close } = await tcpServer((socket) => {
      let text = '';
      socket.on('data', (d) => {
        text += d.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
        if (text.length < end + 4 + length) return;
        requests.push(text);
        for (const piece of answer) socket.write(piece, 'latin1');
        socket.end();
      });
    });
    closers.push(close);
    return { address: `127.0.0.1:${port}`, requests };
  }

  const creds = { username: 'u', password: 'p' };

  it('reads a chunked Execute answer sent in pieces, after writing the whole request at once', async () => {
    const srv = await scripted(['HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n', `${SUCCESS.length.toString(16)}\r\n${SUCCESS}\r\n`, '0\r\n\r\n']);
    const result = await testClient().execute({ address: srv.address, credentials: creds }, PLAY);
    expect(result.items).toEqual([{ status: 0, data: 'Success', url: 'Play:Classic1.raw' }]);
    expect(srv.requests).toHaveLength(1);
    expect(srv.requests[0]).toMatch(/^POST \/CGI\/Execute HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\n/);
    expect(srv.requests[0]).toContain(`authorization: Basic ${Buffer.from('u:p').toString('base64')}\r\n`);
    expect(srv.requests[0]).toMatch(/\r\nconnection: close\r\ncontent-length: \d+\r\n\r\nXML=/);
  });

  it('an answer shorter than its Content-Length is PhoneConnectionLost; an unreadable one PhoneBadResponse', async () => {
    const short = await scripted([`HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 900\r\n\r\n${SUCCESS}`]);
    const lost = await testClient().execute({ address: short.address, credentials: creds }, PLAY).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(PhoneConnectionLost);
    const garbage = await scripted(['SSH-2.0-OpenSSH_9.2\r\n\r\n']);
    const bad = await testClient().execute({ address: garbage.address, credentials: creds }, PLAY).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(PhoneBadResponse);
    expect((bad as Error).message).toMatch(/could not be read/);
  });

  it('a closed connection with no answer at all is PhoneConnectionLost', async () => {
    const silent = await scripted([]);
    const err = await testClient().execute({ address: silent.address, credentials: creds }, PLAY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneConnectionLost);
  });
});
