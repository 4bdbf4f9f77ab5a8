/**
 * `npm run config:docs`: writes .env.example and the README's configuration table from the table of
 * settings (src/config/settings.ts). `--check` writes nothing and exits 1 when either is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { envExample, withReadmeTable } from '../src/config/docs.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const check = process.argv.includes('--check');
const files = [
  { path: `${root}.env.example`, make: () => envExample() },
  { path: `${root}README.md`, make: () => withReadmeTable(readFileSync(`${root}README.md`, 'utf8')) },
];
let stale = 0;
for (const f of files) {
  const wanted = f.make();
  if (readFileSync(f.path, 'utf8') === wanted) continue;
  if (check) {
    stale += 1;
    process.stderr.write(`${f.path.slice(root.length)} is stale: run npm run config:docs\n`);
  } else {
    writeFileSync(f.path, wanted);
    process.stdout.write(`wrote ${f.path.slice(root.length)}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
