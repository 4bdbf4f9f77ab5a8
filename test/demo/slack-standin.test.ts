/** The demo's Slack stand-in holds the platform rules the app must live with. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandin, type SlackShows } from '../../src/demo/slack-standin.js';

const TOKEN = 'xoxb-standin-test';
let standin: SlackStandin;
let dir: string;
const shown: SlackShows[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rescue-ring-standin-'));
  standin = await SlackStandin.start({
    users: [{ id: 'U0YOU', name: 'you' }],
    botToken: TOKEN,
    teamId: 'T0',
    botUserId: 'U0BOT',
    botId: 'B0BOT',
    filesDir: dir,
    onShow: (s) => shown.push(s),
  });
});
afterAll(async () => {
  await standin.stop();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('Slack stand-in', () => {
  it('accepts 5 posts per response_url, replacing the message, and refuses the 6th', async () => {
    const { id, url } = standin.commandResponseUrl('U0YOU', 'C0');
    standin.showAck(id, { text: 'first' });
    for (let i = 1; i <= 5; i++) expect((await post(url, { replace_original: true, text: `update ${i}` })).status).toBe(200);
    expect((await post(url, { replace_original: true, text: 'one too many' })).status).toBe(404);
    const messages = shown.filter((s): s is Extract<SlackShows, { kind: 'message' }> => s.kind === 'message');
    expect(messages.map((m) => m.change)).toEqual(['new', 'updated', 'updated', 'updated', 'updated', 'updated']);
    expect(messages.at(-1)?.message.text).toBe('update 5');
    expect(shown.at(-1)).toMatchObject({ kind: 'refused', error: expect.stringContaining('used_url') });
  });

  it('refuses a wrong token, and saves files.uploadV2 uploads to the DM', async () => {
    const wrong = new webApi.WebClient('xoxb-wrong', { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } });
    await expect(wrong.auth.test()).rejects.toThrow(/invalid_auth/);
    const client = new webApi.WebClient(TOKEN, { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } });
    const dm = await client.conversations.open({ users: 'U0YOU' });
    await client.files.uploadV2({ channel_id: dm.channel!.id!, file: Buffer.from('picture'), filename: '../../escape.png', title: 'Screen', initial_comment: 'Here' });
    const file = shown.find((s): s is Extract<SlackShows, { kind: 'file' }> => s.kind === 'file');
    expect(file).toMatchObject({ user: 'U0YOU', title: 'Screen', comment: 'Here', bytes: 7, path: join(dir, 'escape.png') });
    expect(readFileSync(file!.path, 'utf8')).toBe('picture');
  });
});
