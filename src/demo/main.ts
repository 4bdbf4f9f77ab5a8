/**
 * `npm run demo`: rescue-ring offline. Two simulated phones, a Slack stand-in and the real Bolt app,
 * driven from the terminal. `npm run demo -- --script` plays a fixed tour and exits 0 when every
 * step showed what it should (1 otherwise).
 */
import { createInterface, clearLine, cursorTo, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import { readConfig } from '../config/index.js';
import { isAppError } from '../errors.js';
import { Output } from './render.js';
import { playTour, tourHint } from './tour.js';
import { DEMO_HELP, startDemo, type Demo } from './world.js';

const USAGE = `Usage: npm run demo [-- --script] [-- --out DIR]

  --script     play a fixed tour of every feature and exit (0 when all went as expected)
  --out DIR    where screenshots and the log are saved (default: a new temporary directory)
  -h, --help   this text
`;

/** How long end of input waits for rings and posts in progress before stopping. */
const FINISH_WORK_MS = 15_000;

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { script: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  const interactive = !args.values.script;
  const tty = process.stdout.isTTY === true && process.stdin.isTTY === true;
  let rl: Interface | undefined;
  let busy = false;
  const out = new Output({
    transcript: !interactive,
    color: process.stdout.isTTY === true && !readConfig(['noColor']).noColor,
    // While waiting at the prompt, print above it and redraw it (with what was typed so far).
    write: (text) => {
      if (rl && tty && !busy) {
        clearLine(process.stdout, 0);
        cursorTo(process.stdout, 0);
        process.stdout.write(text);
        rl.prompt(true);
      } else process.stdout.write(text);
    },
  });

  let demo: Demo;
  try {
    demo = await startDemo({ out, ...(args.values.out ? { outDir: args.values.out } : {}) });
  } catch (err) {
    process.stderr.write(`The demo could not start: ${isAppError(err) ? `${err.message}\n${err.hint}` : err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= demo.close());
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    out.line('');
    out.line('Stopping (Ctrl-C again to force)...');
    rl?.close();
    void close().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (!interactive) {
      const problems = await playTour(demo);
      tourHint(out);
      return problems.length === 0 ? 0 : 1;
    }
    out.line('');
    for (const l of DEMO_HELP) out.line(`  ${l}`);
    out.line('');
    rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty });
    rl.on('SIGINT', onSignal);
    // Typed at a terminal: a prompt. Piped in: each line is echoed, so the output reads as a transcript.
    const prompt = () => {
      if (!tty) return;
      rl?.setPrompt(`${demo.standin.userName(demo.receiver.user)}> `);
      rl?.prompt();
    };
    prompt();
    for await (const line of rl) {
      busy = true;
      const more = tty ? await demo.run(line) : await demo.echoAndRun(line);
      busy = false;
      if (!more) break;
      prompt();
    }
    rl.close();
    rl = undefined;
    if (!interrupted) {
      // End of input: let what is ringing finish, then stop.
      if (demo.bot.tasks.size > 0) out.line('Waiting for what is in progress to finish...');
      await demo.idle(FINISH_WORK_MS);
    }
    return interrupted ? 130 : 0;
  } finally {
    await close();
    out.line(`Stopped. Screenshots and the log are in ${demo.outDir}`);
  }
}

process.exitCode = await main(process.argv.slice(2));
