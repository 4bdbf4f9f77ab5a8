/**
 * One HTTP/1.1 exchange on a connection the client opened itself: the request written in one piece,
 * the answer read with http-parser-js (a tolerant parser made for services that bend HTTP, as phones'
 * small web servers do), the body capped. No node:http ClientRequest / IncomingMessage streams around
 * it: per request that halves the client's CPU (bench/support/transport-cost.ts), and every rescue
 * sends six of them.
 */
import { HTTPParser } from 'http-parser-js';
import type { RawReply } from './parse.js';

/** Node's own limit on an answer's status line and headers. */
const MAX_HEAD_BYTES = 16 * 1024;

/** The answer declared or sent more bytes than allowed (the client names the phone and the cap). */
export class AnswerTooLarge extends Error {
  override readonly name = 'AnswerTooLarge';
}

/** The connection ended before the whole answer arrived: reported as a reset, as node:http does. */
function closedEarly(): Error {
  return Object.assign(new Error('the connection closed before the whole answer arrived'), { code: 'ECONNRESET' });
}

/** A request target with a control character, a space or a non-ASCII character would split or garble the request. */
function unsafePath(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return true;
  }
  return false;
}

/** A header value may hold tabs, not other control characters (CR and LF would start a new header). */
function unsafeValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/**
 * The request's bytes: request line, headers (name, value, name, value...), `connection: close`, body.
 * Throws TypeError on a path or header value that would split the request.
 */
export function serializeRequest(method: 'GET' | 'POST', path: string, headers: readonly string[], body?: string): string {
  if (unsafePath(path)) throw new TypeError('the request path has characters that are not allowed');
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) {
    const value = headers[i + 1]!;
    if (unsafeValue(value)) throw new TypeError(`the ${headers[i]!} header has characters that are not allowed`);
    head += `${headers[i]!}: ${value}\r\n`;
  }
  head += 'connection: close\r\n';
  if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
  return body === undefined ? `${head}\r\n` : `${head}\r\n${body}`;
}

/** What a parser calls with the answer's head (http-parser-js passes one object unless told otherwise). */
interface Head {
  statusCode: number;
  headers: string[];
}

/**
 * Reads one answer from the bytes of a connection. `push` each chunk, `end` when the peer closed;
 * `done` is called once, with the answer or the error (AnswerTooLarge, a parse error, or a
 * connection closed before the answer was whole, coded ECONNRESET). Informational (1xx) answers are skipped.
 */
export class AnswerReader {
  private readonly parser = new HTTPParser(HTTPParser.RESPONSE);
  private status = 0;
  private contentType: string | undefined;
  private location: string | undefined;
  private chunks: Buffer[] = [];
  private total = 0;
  private settled = false;

  constructor(
    private readonly maxBytes: number,
    private readonly done: (err: Error | undefined, reply?: RawReply) => void,
  ) {
    this.parser.maxHeaderSize = MAX_HEAD_BYTES;
    this.parser[HTTPParser.kOnHeadersComplete] = (...args: unknown[]) => this.onHead(args);
    this.parser[HTTPParser.kOnBody] = (chunk: Buffer, offset: number, length: number) => this.onBody(chunk, offset, length);
    this.parser[HTTPParser.kOnMessageComplete] = () => this.onComplete();
  }

  push(chunk: Buffer): void {
    if (this.settled) return;
    const result = this.parser.execute(chunk);
    if (result instanceof Error) this.settle(result);
  }

  /** The peer closed its side: an answer without a length ends here; any other unfinished one is cut off. */
  end(): void {
    if (this.settled) return;
    this.parser.finish(); // ends an answer read until the close; an error from it means the answer was unfinished
    if (!this.settled) this.settle(closedEarly());
  }

  private onHead(args: unknown[]): number {
    // The object form (the default), or the positional form (status code sixth) if another user of the module switched it.
    const head: Head = typeof args[0] === 'object' && args[0] !== null ? (args[0] as Head) : { statusCode: args[5] as number, headers: args[2] as string[] };
    this.status = head.statusCode;
    const raw = head.headers;
    let length: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.length === 14 && name.toLowerCase() === 'content-length') length ??= raw[i + 1];
      else if (name.length === 12 && name.toLowerCase() === 'content-type') this.contentType ??= raw[i + 1];
      else if (name.length === 8 && name.toLowerCase() === 'location') this.location ??= raw[i + 1];
    }
    if (length !== undefined) {
      const trimmed = length.trim();
      if (!/^\d{1,15}$/.test(trimmed)) {
        this.settle(Object.assign(new Error(`invalid Content-Length "${trimmed.slice(0, 20)}"`), { code: 'HPE_INVALID_CONTENT_LENGTH' }));
        return 1;
      }
      if (Number(trimmed) > this.maxBytes) {
        this.settle(new AnswerTooLarge());
        return 1;
      }
    }
    return 0;
  }

  private onBody(chunk: Buffer, offset: number, length: number): void {
    if (this.settled) return;
    this.total += length;
    if (this.total > this.maxBytes) {
      this.settle(new AnswerTooLarge());
      return;
    }
    this.chunks.push(offset === 0 && length === chunk.length ? chunk : chunk.subarray(offset, offset + length));
  }

  private onComplete(): void {
    if (this.settled) return;
    if (this.status >= 100 && this.status < 200 && this.status !== 101) {
      // 100 Continue and the like: the real answer follows on the same connection.
      this.contentType = this.location = undefined;
      this.chunks = [];
      this.total = 0;
      return;
    }
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.total);
    this.settled = true;
    this.done(undefined, { status: this.status, contentType: this.contentType, location: this.location, body });
  }

  private settle(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.done(err);
  }
}
