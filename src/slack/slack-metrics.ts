/**
 * Counting the Web API calls the bot makes: the WebClient's `fetch` (its documented option), wrapped.
 * Each call is counted by method and outcome: ok; error (HTTP 200 with ok=false, Slack's usual way to
 * refuse); rate_limited (HTTP 429, also counted on its own); http_error; network_error. The body of
 * an answer is read from a clone, so the WebClient reads the original as before.
 */
import type { webApi } from '@slack/bolt';
import type { Metrics } from '../metrics/index.js';

/** The Web API method of a call's URL (https://slack.com/api/chat.postMessage → chat.postMessage). */
export function methodOf(url: string | URL): string {
  const path = typeof url === 'string' ? new URL(url).pathname : url.pathname;
  const at = path.lastIndexOf('/api/');
  return at === -1 ? 'upload' : path.slice(at + '/api/'.length);
}

export function countingFetch(metrics: Pick<Metrics, 'slackCall'>, base: typeof fetch = globalThis.fetch): webApi.FetchFunction {
  return async (url, init) => {
    const method = methodOf(url);
    let res: Response;
    try {
      res = await base(url, init as RequestInit);
    } catch (err) {
      metrics.slackCall(method, 'network_error');
      throw err;
    }
    if (res.status === 429) metrics.slackCall(method, 'rate_limited');
    else if (res.status !== 200) metrics.slackCall(method, 'http_error');
    else {
      const body = (await res
        .clone()
        .json()
        .catch(() => undefined)) as { ok?: unknown } | undefined;
      metrics.slackCall(method, body?.ok === false ? 'error' : 'ok');
    }
    return res;
  };
}
