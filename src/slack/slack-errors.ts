/**
 * Failures of Slack itself (Web API, response_url): named by a short code, logged with context,
 * never thrown at a listener's caller. A failed reply must not crash the bot or hide the failure.
 */
import type { Logger } from '../log.js';

/** A short, stable name for what went wrong talking to Slack, e.g. `channel_not_found`, `ratelimited`, `http_500`. */
export function slackErrorCode(err: unknown): string {
  if (!err || typeof err !== 'object') return 'unknown';
  const e = err as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown; retryAfter?: unknown; name?: unknown; original?: { name?: unknown } };
  switch (e.code) {
    case 'slack_webapi_platform_error':
      return typeof e.data?.error === 'string' ? e.data.error : 'platform_error';
    case 'slack_webapi_rate_limited_error':
      return 'ratelimited';
    case 'slack_webapi_http_error':
      return `http_${String(e.statusCode)}`;
    case 'slack_webapi_request_error':
      // The per-call timeout (clientOptions.timeout) aborts the fetch; the WebClient wraps that.
      return e.original?.name === 'TimeoutError' || e.original?.name === 'AbortError' ? 'timeout' : 'request_failed';
    case 'slack_bolt_respond_error':
      return `response_url_${String(e.statusCode ?? 'failed')}`;
    default:
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
      return 'unknown';
  }
}

/**
 * Runs one Slack call; on failure logs `what` with the Slack error code and returns undefined.
 * Use for replies and notifications whose failure the user cannot act on.
 */
export async function trySlack<T>(logger: Logger, what: string, call: () => Promise<T>, context: Record<string, unknown> = {}): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    logger.warn({ ...context, slackError: slackErrorCode(err), errMessage: err instanceof Error ? err.message : String(err) }, `slack: ${what} failed`);
    return undefined;
  }
}
