/** Posting to a response_url over real loopback servers: success, Slack's refusal, and one that never answers. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ResponseUrlError, responsePoster } from '../../src/slack/respond.js';
import { slackErrorCode } from '../../src/slack/slack-errors.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/actions/T1/1/abc`;
}

function observer() {
  const outcomes: string[] = [];
  return { outcomes, observe: { responseUrlPost: (o: string) => void outcomes.push(o) } };
}

describe('responsePoster', () => {
  it('posts the message as JSON and counts it', async () => {
    const got: { method?: string; path?: string; type?: string; body?: string }[] = [];
    const url = await serve((req, res, body) => {
      got.push({ method: req.method, path: req.url, type: req.headers['content-type'], body });
      res.end('ok');
    });
    const { outcomes, observe } = observer();
    await responsePoster(url, { observe })({ response_type: 'ephemeral', replace_original: true, text: 'Your phone rang 3 times.' });
    expect(got).toEqual([{ method: 'POST', path: '/actions/T1/1/abc', type: 'application/json', body: JSON.stringify({ response_type: 'ephemeral', replace_original: true, text: 'Your phone rang 3 times.' }) }]);
    expect(outcomes).toEqual(['ok']);
  });

  it("throws Slack's refusal with its status and answer", async () => {
    const url = await serve((_req, res) => {
      res.statusCode = 404;
      res.end('used_url');
    });
    const { outcomes, observe } = observer();
    const err = await responsePoster(url, { observe })({ text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseUrlError);
    expect(err).toMatchObject({ statusCode: 404, responseBody: 'used_url' });
    expect(slackErrorCode(err)).toBe('response_url_404');
    expect(outcomes).toEqual(['http_error']);
  });

  it('gives up on a response_url that never answers at its deadline, named a timeout, and closes the connection', async () => {
    let closed!: () => void;
    const gone = new Promise<void>((r) => (closed = r));
    const url = await serve((req) => req.socket.on('close', closed)); // reads the request, never answers
    const { outcomes, observe } = observer();
    const err = await responsePoster(url, { timeoutMs: 100, observe })({ text: 'x' }).catch((e: unknown) => e);
    expect(slackErrorCode(err)).toBe('timeout');
    expect(outcomes).toEqual(['network_error']);
    await gone;
  });

  it('names an unreachable response_url as a failed request, not a timeout', async () => {
    const url = await serve((_req, res) => res.end());
    const port = new URL(url).port;
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
    const { outcomes, observe } = observer();
    const err = await responsePoster(`http://127.0.0.1:${port}/x`, { observe })({ text: 'x' }).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(slackErrorCode(err)).not.toBe('timeout');
    expect(outcomes).toEqual(['network_error']);
  });
});
