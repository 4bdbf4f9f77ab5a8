/**
 * `npm run demo -- --script`: a fixed tour of what rescue-ring does, typed into the same receiver a
 * person would type into. Each step checks that Slack showed what it should (and that the phones
 * really rang); the tour reports every step that did not and the process exits non-zero.
 */
import { existsSync, readFileSync } from 'node:fs';
import { printNote, type Output } from './render.js';
import { maskSecrets } from './terminal-receiver.js';
import { DEMO_DEVICES, DEMO_PASSWORDS, type Demo } from './world.js';

type Pattern = string | RegExp;

/** A line typed, then (optionally) what must appear before the next one is typed. */
interface Act {
  type: string;
  until?: Pattern[];
}

interface PhoneCounts {
  you: number;
  alice: number;
  carol: number;
}

export interface Step {
  title: string;
  acts: Act[];
  /** Must all appear in the output of this step. */
  expect: Pattern[];
  /** Further checks once the step is over; returns a problem, or undefined. */
  check?(demo: Demo, ctx: { output: string; played: PhoneCounts }): string | undefined;
  /** Typed after the checks (putting things back as they were). */
  after?: string[];
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const WRONG_PASSWORD = 'not-the-phone-password-9';
const WAIT_MS = 15_000;

/** Passwords the tour types; the test checks that none of them is ever printed. */
export const TOUR_SECRETS: readonly string[] = [WRONG_PASSWORD, DEMO_PASSWORDS.you, DEMO_PASSWORDS.alice, DEMO_PASSWORDS.office];

export function tourSteps(demo: Demo): Step[] {
  const rang = (who: keyof PhoneCounts, played: PhoneCounts) => demo.phones[who].played.length - played[who];
  return [
    {
      title: 'Help: /rescue help',
      acts: [{ type: '/rescue help' }],
      expect: ['How to use /rescue', '/rescue @colleague', '/phone status'],
    },
    {
      title: 'Your registration, as App Home shows it',
      acts: [{ type: 'home' }],
      expect: ['App Home of @you', `Address: ${demo.phones.you.address}`, 'Who may ring it: anyone', 'Test ring'],
    },
    {
      title: '/rescue rings your own phone, with progress and the outcome',
      acts: [{ type: '/rescue' }],
      expect: ['Ringing your phone... (3 rings)', /ring [12] of 3/, 'Your phone rang 3 times', "you's phone rings ♪"],
      check: (_d, { played }) => (rang('you', played) === 3 ? undefined : `your phone should have rung 3 times, it rang ${rang('you', played)}`),
    },
    {
      title: "/rescue @alice rings Alice's phone and tells her who saved her",
      acts: [{ type: '/rescue @alice' }],
      expect: ["Checking whether I can ring @alice's phone", "@alice's phone rang 3 times", 'DM from rescue-ring to @alice', '@you rescued you', "alice's phone rings ♪"],
      check: (_d, { played }) => (rang('alice', played) === 3 ? undefined : `Alice's phone should have rung 3 times, it rang ${rang('alice', played)}`),
    },
    {
      title: 'The Stop button, pressed during a ring',
      acts: [{ type: '/rescue', until: ['ring 1 of 3'] }, { type: 'click Stop' }],
      expect: [/Stopped\. Your phone rang once of 3/],
      check: (_d, { played }) => (rang('you', played) < 3 ? undefined : 'Stop did not stop the ring: the phone rang all 3 times'),
    },
    {
      title: '/phone status checks the phone step by step',
      acts: [{ type: '/phone status' }],
      expect: ['Checking your phone, step by step', 'Your phone is reachable and accepts rescue-ring', 'Model: CP-8845'],
    },
    {
      title: '/phone-screenshot sends the screen to your DMs',
      acts: [{ type: '/phone-screenshot' }],
      expect: ['Taking a screenshot of your phone', 'Sent to your DMs', /saved as \S+\.png/],
      check: (_d, { output }) => {
        const path = /saved as (\S+\.png)/.exec(output)?.[1];
        if (!path || !existsSync(path)) return 'the screenshot file was not saved';
        return readFileSync(path).subarray(0, 8).equals(PNG_MAGIC) ? undefined : `${path} is not a PNG file`;
      },
    },
    {
      title: 'A wrong password: saved in the settings form, refused by the phone',
      acts: [
        { type: '/phone', until: ['modal opened for @you'] },
        { type: `submit password=${WRONG_PASSWORD}`, until: ['Saved. rescue-ring will ring'] },
        { type: 'cancel' },
        { type: '/phone test' },
      ],
      expect: ['Phone password', 'The phone did not accept the username and password', 'Update settings'],
    },
    {
      title: 'Fixing it: Update settings, the right password, Test ring',
      acts: [
        { type: 'click Update settings', until: ['modal opened for @you'] },
        { type: `submit password=${DEMO_PASSWORDS.you}`, until: ['Saved. rescue-ring will ring'] },
        { type: 'click Test ring' },
      ],
      expect: ['Test ring done'],
      check: (_d, { played }) => (rang('you', played) === 1 ? undefined : `the test ring should ring once, it rang ${rang('you', played)}`),
      after: ['cancel'],
    },
    {
      title: "An unreachable phone (Alice's Web Access is off)",
      acts: [{ type: 'unplug alice', until: ['Web Access disabled'] }, { type: '/rescue @alice' }],
      expect: ["I could not ring @alice's phone", 'Web Access is enabled on it'],
      after: ['plug alice'],
    },
    {
      title: 'A colleague with no phone, and the registration link',
      acts: [{ type: '/rescue @bob', until: ['Send them a registration link'] }, { type: 'click Send them a registration link' }],
      expect: ['@bob has not registered a desk phone yet', 'DM from rescue-ring to @bob', 'tried to rescue you', 'I sent @bob a message'],
    },
    {
      title: 'Scheduled rescues: a cover story in 5 minutes (the clock skips ahead), and one cancelled',
      acts: [
        { type: '/rescue @alice in 5m "Facilities: your car lights are on"', until: ["I will ring @alice's phone", 'Cancel'] },
        { type: '/rescue in 10m', until: ['I will ring your phone'] },
        { type: 'click Cancel', until: ['Cancelled: your phone will not ring'] },
        { type: '/rescue list', until: ['Scheduled by you'] },
        { type: 'skip 5m' },
      ],
      expect: ["alice's phone screen: Facilities: your car lights are on", "Scheduled rescue. ✅ @alice's phone rang 3 times", 'cover story is on the phone', '@you rescued you'],
      check: (_d, { played, output }) => {
        if (rang('alice', played) !== 3) return `Alice's phone should have rung 3 times, it rang ${rang('alice', played)}`;
        if (rang('you', played) !== 0) return 'the cancelled rescue rang your phone';
        const list = output.split('Scheduled by you')[1]?.split('\nyou> ')[0] ?? '';
        return list.includes('your phone') ? 'the cancelled rescue is still listed' : undefined;
      },
    },
    {
      title: 'A phone on a call is not rung (the tone would play over the call)',
      acts: [{ type: 'call alice', until: ['On a call'] }, { type: '/rescue @alice' }],
      expect: ['@alice is on a call, so I did not ring their phone'],
      check: (_d, { played }) => (rang('alice', played) === 0 ? undefined : `Alice's phone rang ${rang('alice', played)} times during her call`),
      after: ['hangup alice'],
    },
    {
      title: 'A name typed instead of a mention',
      acts: [{ type: '/rescue alice' }],
      expect: ['I cannot tell who "alice" is'],
    },
    {
      title: 'A newcomer who registered nothing types /rescue: the call manager knows her desk phone, and it rings',
      acts: [{ type: 'as carol', until: ['@carol'] }, { type: '/rescue' }],
      expect: [`registered your desk phone ${DEMO_DEVICES.carol}`, "carol's phone rings ♪", 'Your phone rang 3 times'],
      check: (_d, { played }) => (rang('carol', played) === 3 ? undefined : `Carol's phone should have rung 3 times, it rang ${rang('carol', played)}`),
      after: ['as you'],
    },
    {
      title: "Alice's phone moves to another address (DHCP); /rescue @alice still rings it",
      acts: [{ type: 'move alice', until: ["alice's phone moved"] }, { type: '/rescue @alice' }],
      expect: ["@alice's phone rang 3 times", "alice's phone rings ♪"],
      // A new phone answers at the new address: everything it played is this step's.
      check: (d) => (d.phones.alice.played.length === 3 ? undefined : `Alice's phone at its new address should have rung 3 times, it rang ${d.phones.alice.played.length}`),
    },
  ];
}

export interface TourOptions {
  /** The steps to play (default: the whole tour). */
  steps?: Step[];
  /** How long to wait for what a step should show (default 15 s). */
  waitMs?: number;
}

/** Plays the tour; resolves with the problems found (empty when every step showed what it should). */
export async function playTour(demo: Demo, options: TourOptions = {}): Promise<string[]> {
  const { out } = demo;
  const steps = options.steps ?? tourSteps(demo);
  const waitMs = options.waitMs ?? WAIT_MS;
  const problems: string[] = [];
  for (const [i, step] of steps.entries()) {
    out.line('');
    out.line(out.paint(`── ${i + 1}/${steps.length}. ${step.title} ──`, 'bold', 'magenta'));
    const start = out.transcript.length;
    const played: PhoneCounts = { you: demo.phones.you.played.length, alice: demo.phones.alice.played.length, carol: demo.phones.carol.played.length };
    const stepProblems: string[] = [];
    for (const act of step.acts) {
      const from = out.transcript.length;
      await type(demo, act.type);
      if (act.until) {
        const missing = await waitFor(out, from, act.until, waitMs);
        if (missing.length > 0) {
          stepProblems.push(`after "${maskSecrets(act.type)}", never saw ${missing.map(show).join(', ')}`);
          break;
        }
      }
    }
    if (stepProblems.length === 0) {
      const missing = await waitFor(out, start, step.expect, waitMs);
      if (missing.length > 0) stepProblems.push(`never saw ${missing.map(show).join(', ')}`);
    }
    if (!(await demo.idle())) stepProblems.push('work was still going on 15 s after the step');
    if (stepProblems.length === 0 && step.check) {
      const problem = step.check(demo, { output: out.transcript.slice(start).join('\n'), played });
      if (problem) stepProblems.push(problem);
    }
    for (const line of step.after ?? []) await type(demo, line);
    await demo.idle();
    for (const p of stepProblems) {
      problems.push(`step ${i + 1} (${step.title}): ${p}`);
      out.line(out.paint(`  ✗ ${p}`, 'red', 'bold'));
    }
    if (stepProblems.length === 0) out.line(out.paint('  ✓ as expected', 'green'));
  }
  out.line('');
  if (problems.length === 0) out.line(out.paint(`Tour finished: all ${steps.length} steps showed what they should.`, 'green', 'bold'));
  else {
    out.line(out.paint(`Tour finished with ${problems.length} problem(s):`, 'red', 'bold'));
    for (const p of problems) out.line(`  ✗ ${p}`);
  }
  return problems;
}

async function type(demo: Demo, line: string): Promise<void> {
  await demo.echoAndRun(line);
}

/** Waits until every pattern appears in the output written since `from`; resolves with those that never did. */
function waitFor(out: Output, from: number, patterns: readonly Pattern[], timeoutMs: number): Promise<Pattern[]> {
  const missing = () => {
    const text = out.transcript.slice(from).join('\n');
    return patterns.filter((p) => (typeof p === 'string' ? !text.includes(p) : !p.test(text)));
  };
  return new Promise((resolve) => {
    if (missing().length === 0) return resolve([]);
    const stop = out.onLine(() => {
      if (missing().length === 0) finish();
    });
    const timer = setTimeout(finish, timeoutMs);
    function finish() {
      stop();
      clearTimeout(timer);
      resolve(missing());
    }
  });
}

function show(p: Pattern): string {
  return typeof p === 'string' ? `"${p}"` : String(p);
}

export function tourHint(out: Output): void {
  printNote(out, 'Run `npm run demo` without --script to type your own commands.');
}
