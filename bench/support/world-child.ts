/**
 * The world around the bot, in a child process of the bench: the simulated phones (src/sim) and the
 * fake Slack (Web API + response_urls). It speaks JSON lines: it prints `{ready}` once everything
 * listens, answers `"finals"` with the number of rescue outcomes posted so far and `"report"` with
 * when each phone was first reached, and exits on `"stop"`. Started by world.ts.
 */
import { createInterface } from 'node:readline';
import { startPhone } from '../../src/sim/index.js';
import type { SimPhone } from '../../src/sim/index.js';
import { FakeSlack } from '../../test/support/fake-slack.js';
import type { PhoneReport, WorldReady, WorldSpec } from './world.js';

/** Texts of a rescue's outcome message (src/slack/blocks/rescue.ts outcomeMessage). */
const FINAL = /Your phone rang (\d|once|twice)|I could not ring|then it failed|Stopped\./;

const spec = JSON.parse(process.env.BENCH_WORLD ?? '{}') as WorldSpec;
const phones: SimPhone[] = [];
for (let i = 0; i < spec.phones.length; i += 100) {
  const batch = spec.phones.slice(i, i + 100);
  phones.push(...(await Promise.all(batch.map((p, k) => startPhone({ name: `p${i + k}`, tones: { 'Classic1.raw': spec.playMs }, toneTimeScale: 1, faults: p.hang ? { hang: true } : {} })))));
}
const fake = await FakeSlack.start();
// The stand-in answers only response_urls it issued (as Slack does): one per user, b0, b1, ... (see slack.ts).
spec.phones.forEach((_, i) => fake.responseUrl(`b${i}`));
const isFinal = (c: { method: string; params: Record<string, unknown> }) => c.method === 'response_url' && FINAL.test(String(c.params.text ?? ''));
const ready: WorldReady = {
  apiUrl: fake.apiUrl,
  responseUrlBase: fake.responseUrl('x').slice(0, -1),
  phones: phones.map((p) => ({ address: p.address, username: p.username, password: p.password })),
};
process.stdout.write(JSON.stringify({ ready }) + '\n');

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as string;
  if (cmd === 'finals') process.stdout.write(JSON.stringify({ finals: fake.calls.filter(isFinal).length }) + '\n');
  if (cmd === 'report') {
    const report: PhoneReport[] = phones.map((p) => ({
      firstContactAt: p.requests[0]?.at ?? null,
      firstPlayAt: p.requests.find((r) => r.path.startsWith('/CGI/Execute'))?.at ?? null,
    }));
    const finals = fake.calls.filter(isFinal).map((c) => ({ responseId: c.responseId ?? '', text: String(c.params.text ?? '') }));
    const slackCalls = fake.calls.length;
    process.stdout.write(JSON.stringify({ report: { phones: report, finals, slackCalls } }) + '\n');
  }
  if (cmd === 'stop') break;
}
await Promise.all(phones.map((p) => p.stop()));
await fake.stop();
process.exit(0);
