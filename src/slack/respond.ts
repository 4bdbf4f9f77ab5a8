/**
 * Posting to a response_url. Bolt's respond() goes through fetch with no timeout; this uses
 * undici's request directly (lighter per call, which matters when a thousand rescues report
 * progress at once) with a deadline, and throws an error whose code names the HTTP status.
 */
import { request } from 'undici';
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

/** A poster bound to one response_url. */
export function responsePoster(responseUrl: string, options: PosterOptions = {}): PostResponse {
  const { timeoutMs = 10_000, observe } = options;
  return async (payload) => {
    let res;
    try {
      res = await request(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      observe?.responseUrlPost('network_error');
      throw err;
    }
    if (res.statusCode >= 200 && res.statusCode < 300) {
      observe?.responseUrlPost('ok');
      return void (await res.body.dump());
    }
    observe?.responseUrlPost(res.statusCode === 429 ? 'rate_limited' : 'http_error');
    const body = await res.body.text().catch(() => '');
    throw new ResponseUrlError(res.statusCode, body.slice(0, 200));
  };
}
