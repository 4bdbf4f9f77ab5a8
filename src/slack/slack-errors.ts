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
 * What Slack said was wrong, for the operator's log: `response_metadata.messages` of a refused call
 * ("[ERROR] must be less than 76 characters [json-pointer:/blocks/2/elements/0/text/text]").
 */
export function slackErrorMessages(err: unknown): string[] | undefined {
  const body = (err as { responseBody?: unknown } | undefined)?.responseBody;
  if (typeof body === 'string' && body !== '') return [body];
  const messages = (err as { data?: { response_metadata?: { messages?: unknown } } } | undefined)?.data?.response_metadata?.messages;
  return Array.isArray(messages) ? messages.filter((m): m is string => typeof m === 'string').slice(0, 20) : undefined;
}

/** The log fields of a failed Slack call: its code, and Slack's own messages when it gave some. */
export function slackErrorFields(err: unknown): { slackError: string; slackMessages?: string[] } {
  const slackMessages = slackErrorMessages(err);
  return { slackError: slackErrorCode(err), ...(slackMessages ? { slackMessages } : {}) };
}

/**
 * Slack refused what rescue-ring built (Block Kit outside Slack's limits, a bad argument): a defect of
 * ours, not of the person's request. Logged at error level with Slack's messages so it gets fixed.
 */
export function isRefusedPayload(code: string): boolean {
  return code === 'invalid_blocks' || code === 'invalid_arguments' || code === 'invalid_blocks_format' || code === 'no_text' || code === 'response_url_400';
}

/** Logs a failed Slack call: error level for a payload Slack refused (our defect), warn otherwise. */
export function logSlackFailure(logger: Logger, what: string, err: unknown, context: Record<string, unknown> = {}): string {
  const fields = slackErrorFields(err);
  const line = { ...context, ...fields, errMessage: err instanceof Error ? err.message : String(err) };
  if (isRefusedPayload(fields.slackError)) logger.error(line, `slack: ${what} refused what rescue-ring sent (a rescue-ring defect: see slackMessages)`);
  else logger.warn(line, `slack: ${what} failed`);
  return fields.slackError;
}

/**
 * Runs one Slack call; on failure logs `what` with the Slack error code and returns undefined.
 * Use for replies and notifications whose failure the user cannot act on.
 */
export async function trySlack<T>(logger: Logger, what: string, call: () => Promise<T>, context: Record<string, unknown> = {}): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    logSlackFailure(logger, what, err, context);
    return undefined;
  }
}
