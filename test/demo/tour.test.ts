/**
 * The demo in-process: the tour reports a step that did not show what it should (so `--script`
 * can fail), and the terminal helpers (typed forms, masking, Block Kit text) behave.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mrkdwn, Output, renderBlocks } from '../../src/demo/render.js';
import type { ShownModal } from '../../src/demo/slack-standin.js';
import { maskSecrets, parseAssignments, stateValues } from '../../src/demo/terminal-receiver.js';
import { playTour, tourSteps } from '../../src/demo/tour.js';
import { startDemo, type Demo } from '../../src/demo/world.js';
import { settingsModal } from '../../src/slack/blocks/settings-modal.js';
import { rescueSettingsFromEnv } from '../../src/config/index.js';

describe('the tour against a broken phone', () => {
  let demo: Demo;
  const out = new Output({ write: () => undefined, color: false });
  beforeAll(async () => {
    demo = await startDemo({ out });
  });
  afterAll(async () => {
    await demo.close();
    rmSync(demo.outDir, { recursive: true, force: true });
  });

  it('reports the step whose phone did not ring, and passes the one that still works', async () => {
    await demo.phones.you.setFault('http500', true);
    const steps = tourSteps(demo).filter((s) => s.title.startsWith('/rescue rings your own phone') || s.title.startsWith('Help'));
    expect(steps).toHaveLength(2);
    const problems = await playTour(demo, { steps, waitMs: 2_000 });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^step 2 \(\/rescue rings your own phone.*never saw .*"Your phone rang 3 times"/);
    const text = out.transcript.join('\n');
    expect(text).toContain('✓ as expected');
    expect(text).toContain('Tour finished with 1 problem(s)');
    // What Slack showed instead: the failure, with its hint.
    expect(text).toContain('I could not ring your phone.');
  });

  it('prints where its metrics are, and they count what the demo did', async () => {
    expect(out.transcript.join('\n')).toContain(`Metrics (Prometheus text, as the bot serves them on HEALTH_PORT): ${demo.metricsUrl}`);
    await demo.phones.you.setFault('http500', false);
    const rang = async () => Number(/^rescue_ring_rescues_total\{kind="own",outcome="rang",reason="none"\} (\d+)$/m.exec(await (await fetch(demo.metricsUrl)).text())?.[1] ?? 0);
    const before = await rang();
    await demo.run('/rescue');
    await demo.idle();
    expect(await rang()).toBe(before + 1);
  });

  it('lets the phone client reach loopback only: a private-network address is refused in the form', async () => {
    const from = out.transcript.length;
    await demo.run('/phone');
    await demo.run('submit address=10.1.2.3');
    const text = out.transcript.slice(from).join('\n');
    expect(text).toContain('modal opened for @you');
    expect(text).toMatch(/modal refused the submission[\s\S]*Phone address \[address\]: 10\.1\.2\.3\n.*\n\s+⚠ rescue-ring only talks to phones on the office networks your administrator allowed/);
    await demo.run('cancel');
  });
});

describe('terminal helpers', () => {
  it('parses typed form fields, with quotes, and says what is wrong otherwise', () => {
    expect(parseAssignments('rings=2 address="127.0.0.1:8080" password=')).toEqual({ rings: '2', address: '127.0.0.1:8080', password: '' });
    expect(parseAssignments('')).toEqual({});
    expect(parseAssignments('rings 2')).toMatch(/did not understand "rings"/);
  });

  it('masks secrets in an echoed line', () => {
    expect(maskSecrets('submit password=hunter2 rings=2')).toBe('submit password=******** rings=2');
    expect(maskSecrets('submit Password="two words" tone=Chime')).toBe('submit Password=******** tone=Chime');
  });

  it('turns a settings form and typed values into view.state.values, hiding the password it shows', () => {
    const settings = rescueSettingsFromEnv({ PHONE_TONES: 'Classic1.raw,Chime.raw' });
    const modal: ShownModal = { id: 'V1', user: 'U0YOU', view: settingsModal(settings, undefined, { from: 'command' }), shown: {}, typed: {}, errors: {} };
    const ids = (name: string) => (name.replace(/^@/, '') === 'alice' ? 'U0ALICE' : undefined);
    const built = stateValues(modal, { address: '127.0.0.1:1', password: 's3cret', tone: 'chime', permission: 'buddies', buddies: '@alice' }, ids);
    if (typeof built === 'string') throw new Error(built);
    expect(built.values.address).toEqual({ value: { type: 'plain_text_input', value: '127.0.0.1:1' } });
    expect(built.values.tone?.value?.selected_option).toMatchObject({ value: 'Chime.raw' });
    expect(built.values.permission?.value?.selected_option).toMatchObject({ value: 'buddies' });
    expect(built.values.buddies?.value?.selected_users).toEqual(['U0ALICE']);
    expect(built.values.rings?.value?.value).toBe('3');
    expect(built.shown.password).not.toContain('s3cret');
    expect(stateValues(modal, { colour: 'red' }, ids)).toMatch(/no field "colour"/);
    expect(stateValues(modal, { tone: 'Piano9' }, ids)).toMatch(/"Piano9" is not a choice for tone/);
    expect(stateValues(modal, { buddies: '@nobody' }, ids)).toMatch(/Nobody called @nobody/);
  });

  it('renders mrkdwn and blocks as readable text with numbered buttons', () => {
    const names: Record<string, string> = { U0ALICE: 'alice' };
    let n = 0;
    const ctx = { userName: (id: string) => names[id] ?? id, button: () => ++n };
    expect(mrkdwn(':warning: *Address:* <@U0ALICE|alice> &lt;x&gt; <https://a.example|docs>', ctx)).toBe('⚠️ Address: @alice <x> docs (https://a.example)');
    const lines = renderBlocks(
      [
        { type: 'section', text: { type: 'mrkdwn', text: 'Ringing <@U0ALICE>' } },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Stop' }, action_id: 'stop_rescue' }, { type: 'button', text: { type: 'plain_text', text: 'Help' }, action_id: 'h' }] },
      ],
      ctx,
    );
    expect(lines).toEqual(['Ringing @alice', '[ 1: Stop ]  [ 2: Help ]']);
  });
});
