/**
 * `rescue-ring tones import RingList.xml` and `rescue-ring tones list`: the ringtones people may pick.
 * The import reads the call manager's CiscoIPPhoneRingList (at most 50 rings, names up to 25
 * characters); a file with problems is refused whole, each problem printed as `line N: ...`, and
 * nothing changes. Denied tones (Piano2.raw) are dropped with a warning. The imported list replaces
 * PHONE_TONES / the built-in list in the settings form and in the checks of every registration.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidRingList, parseRingList, type RingListProblem } from '../phone/ring-list.js';
import { describeToneSource, effectiveTones } from '../rescue/tones.js';
import { openOperatorStore } from '../rescue/operator.js';
import { ExitCode, output, runVerb, settingsFromEnv, stderrLogger, UsageError, withStore, type OutputOptions } from './io.js';

const line = (p: RingListProblem) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message);

async function readRingList(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new UsageError(
      code === 'ENOENT' ? `${file}: no such file. Give the path of the ring list exported from the call manager (often RingList.xml on its TFTP server).` : `${file} cannot be read (${code ?? 'error'}).`,
    );
  }
}

export function registerToneVerbs(program: Command): void {
  const tones = program.command('tones').description('The ringtones people may choose: import the call manager\'s ring list, or show the list in use');

  tones
    .command('import <file>')
    .description('Import the call manager\'s CiscoIPPhoneRingList (RingList.xml); all entries or none')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (file: string, opts: OutputOptions) => {
        const settings = settingsFromEnv();
        let parsed;
        try {
          parsed = parseRingList(await readRingList(file));
        } catch (err) {
          if (!(err instanceof InvalidRingList)) throw err;
          if (opts.json) output(opts, { ok: false, error: err.code, message: err.message, problems: err.problems, hint: err.hint }, () => '');
          else process.stderr.write(`${file} was not imported; nothing changed.\n${err.problems.map(line).join('\n')}\n${err.hint}\n`);
          return ExitCode.Usage;
        }
        const names = [...new Set(parsed.tones.map((t) => t.fileName))];
        if (names.length === 0) throw new UsageError(`${file} has no ringtone left once the denied ones are dropped; nothing changed.`);
        const notes: string[] = parsed.warnings.map(line);
        await withStore(openOperatorStore, async (store) => {
          await store.tones.set(names);
          const { rows } = await store.directory.list();
          const kept = rows.filter((r) => r.tone !== undefined && !names.includes(r.tone)).length;
          if (kept > 0) notes.push(`${kept} registration${kept === 1 ? ' uses a ringtone' : 's use ringtones'} not in this list; they keep ${kept === 1 ? 'it' : 'them'} until changed in /phone.`);
          if (!names.includes(settings.defaults.tone)) notes.push(`The office default ringtone ${settings.defaults.tone} (PHONE_DEFAULT_TONE) is not in this list; people who never chose a tone still get it.`);
        });
        for (const n of notes) if (!opts.json) process.stderr.write(`Warning: ${n}\n`);
        output(opts, { ok: true, file, imported: names.length, tones: names, warnings: notes }, () =>
          [`Imported ${names.length} ringtone${names.length === 1 ? '' : 's'} from ${file}. The settings form now offers:`, ...parsed.tones.map((t) => `  ${t.fileName.padEnd(28)} ${t.displayName}`)].join('\n'),
        );
      }),
    );

  tones
    .command('list')
    .description('Show the ringtones people may choose and where the list comes from')
    .option('--json', 'machine-readable output')
    .action(
      runVerb(async (opts: OutputOptions) => {
        const settings = settingsFromEnv();
        const eff = await withStore(openOperatorStore, (store) => effectiveTones({ settings, tones: store.tones, logger: stderrLogger() }));
        output(opts, { ok: true, source: eff.source, tones: eff.tones }, () => [`${eff.tones.length} ringtone${eff.tones.length === 1 ? '' : 's'}, from ${describeToneSource(eff.source)}:`, ...eff.tones.map((t) => `  ${t}`)].join('\n'));
      }),
    );
}
