/**
 * `npm run bench`: runs every part in bench/parts/*.ts (each exports `run(): Promise<BenchSection>`)
 * and writes docs/benchmarks.md. Speed and memory targets are checked here, never in tests.
 * `npm run bench -- phone store` runs only the named parts.
 */
import { readdir, writeFile, readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, basename } from 'node:path';
import os from 'node:os';
import { ratioMet, ratioTable, type RatioRow } from './support/ratio.js';

export interface BenchSection {
  title: string;
  /** Command that reproduces this section. */
  command: string;
  /** Markdown body: how the figures were measured, and the details behind the ratios. */
  markdown: string;
  /** Each headline figure beside its floor measured in the same run; rendered first in the section. */
  ratios: RatioRow[];
  /** False when a target other than the ratios' was missed (a ratio's own miss is counted by run.ts). */
  ok: boolean;
}

/** The section's ratio table first, then its body; ok only when every ratio met its target too. */
function render(section: BenchSection): { markdown: string; ok: boolean } {
  const ok = section.ok && section.ratios.every(ratioMet);
  const table = section.ratios.length > 0 ? `**Each figure beside its floor** (measured in the same run):\n\n${ratioTable(section.ratios)}\n\n` : '';
  return { markdown: table + section.markdown.trim(), ok };
}

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(join(here, 'parts'))).filter((f) => f.endsWith('.ts')).sort();
const sections: BenchSection[] = [];
for (const file of files) {
  const name = basename(file, '.ts');
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  const mod = (await import(pathToFileURL(join(here, 'parts', file)).href)) as { run: () => Promise<BenchSection> };
  const section = await mod.run();
  const rendered = render(section);
  sections.push({ ...section, ...rendered });
  if (section.ratios.length > 0) process.stderr.write(`${ratioTable(section.ratios)}\n`);
  process.stderr.write(`bench: ${name} ${rendered.ok ? 'met its targets' : 'MISSED a target'}\n`);
}

const docPath = join(here, '..', 'docs', 'benchmarks.md');
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const header = `# Benchmarks\n\nWritten by \`npm run bench\` (\`npm run bench -- PART\` runs one part). Last run: ${new Date().toISOString()} on ${machine}.\n`;
let previous = '';
try {
  previous = await readFile(docPath, 'utf8');
} catch {
  previous = '';
}
// Keep sections of parts that were not re-run this time.
const kept = previous
  .split(/\n(?=## )/)
  .slice(1)
  .filter((block) => !sections.some((s) => block.startsWith(`## ${s.title}\n`)));
const fresh = sections.map((s) => `## ${s.title}\n\nReproduce: \`${s.command}\`\n\n${s.markdown.trim()}\n`);
await writeFile(docPath, [header, ...[...kept.map((k) => k.trim() + '\n'), ...fresh].sort()].join('\n'));
process.stderr.write(`bench: wrote ${docPath}\n`);
if (sections.some((s) => !s.ok)) process.exitCode = 1;
