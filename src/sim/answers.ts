/**
 * Writing a phone's HTTP answers, with the headers a RomPager phone sends and the "reset" fault
 * (the connection dies half-way through the body).
 */
import type http from 'node:http';
import { SIM_REALM, SIM_SERVER_HEADER } from './defaults.js';

export function send(res: http.ServerResponse, status: number, contentType: string, body: Buffer | string, reset: boolean): void {
  if (res.destroyed || res.writableEnded) return;
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.statusCode = status;
  res.setHeader('Server', SIM_SERVER_HEADER);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Expires', 'Thu, 26 Oct 1995 00:00:00 GMT');
  res.setHeader('Content-Length', String(buf.length));
  if (reset) {
    res.flushHeaders();
    res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(buf);
}

export function sendXml(res: http.ServerResponse, xml: string, reset: boolean): void {
  send(res, 200, 'text/xml; charset="utf-8"', Buffer.from(xml, 'utf8'), reset);
}

/** The info pages are iso-8859-1 on real phones. */
export function sendLatin1Xml(res: http.ServerResponse, xml: string, reset: boolean): void {
  send(res, 200, 'text/xml; charset="iso-8859-1"', Buffer.from(xml, 'latin1'), reset);
}

function page(status: string): string {
  return `<HTML><HEAD><TITLE>${status}</TITLE></HEAD><BODY><H1>${status}</H1></BODY></HTML>`;
}

export function sendNotFound(res: http.ServerResponse, reset: boolean): void {
  send(res, 404, 'text/html', page('404 Not Found'), reset);
}

export function sendServerError(res: http.ServerResponse, reset: boolean): void {
  send(res, 500, 'text/html', page('500 Internal Server Error'), reset);
}

export function sendChallenge(res: http.ServerResponse, reset: boolean): void {
  res.setHeader('WWW-Authenticate', `Basic realm="${SIM_REALM}"`);
  send(res, 401, 'text/html', page('401 Unauthorized'), reset);
}
