/**
 * Posting to a response_url. Bolt's respond() goes through fetch with no timeout; this posts with
 * node:http(s) over kept-alive connections (Slack's response_urls all live on one host, so a thousand
 * rescues reporting at once reuse a few sockets), with a deadline, and throws an error whose code names
 * the HTTP status. node:http rather than undici: the bot then loads no second HTTP stack (Node's fetch,
 * which the Web API client uses, is the other), and a post costs less CPU (docs/benchmarks.md).
 */
import http from 'node:http';
import https from 'node:https';
import type { Metrics } from '../metrics/index.js';
import type { SlackMessage } from './blocks/message.js';

export class ResponseUrlError extends Error {
  readonly code = 'slack_bolt_respond_error';
  constructor(
    readonly statusCode: number,
    /** Slack's answer (`used_url`, `invalid_blocks`...), at most 200 characters. */
    readonly responseBody = '',
  ) {
    super(`response_url answered HTTP ${statusCode}${responseBody ? ` (${responseBody})` : ''}`);
    this.name = 'ResponseUrlError';
  }
}

export interface ResponsePayload extends SlackMessage {
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
}

export type PostResponse = (payload: ResponsePayload) => Promise<void>;

export interface PosterOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Counts each post by outcome. */
  observe?: Pick<Metrics, 'responseUrlPost'> | undefined;
}

/** Kept-alive connections shared by every post, one pool per scheme. */
const agents = { http: new http.Agent({ keepAlive: true, scheduling: 'lifo' }), https: new https.Agent({ keepAlive: true, scheduling: 'lifo' }) };

/** What Slack said about a refused post: the first 200 characters. */
const ERROR_BODY_CHARS = 200;

interface Answer {
  status: number;
  body: string;
}

/** The post's deadline: when it passes, the request in flight is destroyed with a TimeoutError. */
interface Deadline {
  expired: boolean;
  current?: http.ClientRequest;
}

/**
 * One POST. A kept-alive socket the server closed while it sat idle fails with ECONNRESET before any
 * answer: that post never reached Slack, so it is sent once more on a fresh socket (Node's documented
 * `reusedSocket` check).
 */
function postOnce(url: URL, body: string, deadline: Deadline, retried = false): Promise<Answer> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(url, {
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    deadline.current = req;
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && err.code === 'ECONNRESET' && !deadline.expired) resolve(postOnce(url, body, deadline, true));
      else reject(err);
    });
    req.on('response', (res) => {
      res.on('error', reject);
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        res.resume();
        res.on('end', () => resolve({ status, body: '' }));
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < ERROR_BODY_CHARS) text += chunk;
      });
      res.on('end', () => resolve({ status, body: text.slice(0, ERROR_BODY_CHARS) }));
    });
    req.end(body);
  });
}

/** A poster bound to one response_url. */
export function responsePoster(responseUrl: string, options: PosterOptions = {}): PostResponse {
  const { timeoutMs = 10_000, observe } = options;
  let url: URL | undefined;
  return async (payload) => {
    let answer: Answer;
    // A timer cleared when the post ends, which destroys the request in flight (no AbortController
    // and signal listener per post; AbortSignal.timeout would also keep its timer alive for 10 s).
    const deadline: Deadline = { expired: false };
    const timer = setTimeout(() => {
      deadline.expired = true;
      deadline.current?.destroy(new DOMException(`response_url post took over ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    try {
      url ??= new URL(responseUrl);
      answer = await postOnce(url, JSON.stringify(payload), deadline);
    } catch (err) {
      observe?.responseUrlPost('network_error');
      throw err;
    } finally {
      clearTimeout(timer);
    }
    if (answer.status >= 200 && answer.status < 300) {
      observe?.responseUrlPost('ok');
      return;
    }
    observe?.responseUrlPost(answer.status === 429 ? 'rate_limited' : 'http_error');
    throw new ResponseUrlError(answer.status, answer.body);
  };
}
