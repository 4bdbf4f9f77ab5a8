/**
 * The shape of src/: no import loops (type-only imports count: a loop of types is still two files that
 * cannot be read apart) and no import that runs back up a layer. Reads every .ts file under src/ and
 * follows its relative imports; no dependency, no build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, importsOf, layerViolations, type Graph } from './graph.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Lower layer -> the top-level folders of src/ it must never import. */
const FORBIDDEN: Record<string, string[]> = {
  phone: ['rescue', 'slack', 'cli', 'demo'],
  store: ['rescue', 'slack', 'cli', 'demo', 'config'],
  callmanager: ['rescue', 'slack', 'cli', 'demo'],
  rescue: ['slack', 'cli', 'demo', 'config'],
  // The metric set knows no other part: each reports through its own small interface.
  metrics: ['phone', 'store', 'callmanager', 'rescue', 'slack', 'cli', 'demo', 'config', 'sim'],
};


function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function srcGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of tsFiles(SRC)) {
    const from = relative(SRC, file);
    graph.set(from, importsOf(readFileSync(file, 'utf8'), from));
  }
  return graph;
}

describe('the import graph of src/', () => {
  const graph = srcGraph();

  it('reads the imports it should (the walker itself works)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('slack/surface.ts')).toContain('slack/respond.ts');
    expect(graph.get('slack/respond.ts')).toContain('slack/blocks/message.ts');
  });

  it('has no import loops', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('has no import from a lower layer up', () => {
    expect(layerViolations(graph, FORBIDDEN)).toEqual([]);
  });

});

describe('the graph helpers', () => {
  it('find a loop of three, named by its files in order, and nothing outside it', () => {
    const g: Graph = new Map([
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['a.ts', ['b.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(findCycles(g)).toEqual(['a.ts <-> b.ts <-> c.ts']);
    expect(findCycles(new Map([['a.ts', ['a.ts']], ['b.ts', ['a.ts']]]))).toEqual(['a.ts']);
    expect(findCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
  });

  it('read static, type-only, re-export and dynamic imports, and ignore packages', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c/index.js';",
      "export type { D } from './d.js';",
      "const e = await import('./e.js');",
      "import { App } from '@slack/bolt';",
      "import {\n  f,\n  g,\n} from './fg.js';",
    ].join('\n');
    expect(importsOf(text, 'x/y.ts')).toEqual(['x/a.ts', 'b.ts', 'x/c/index.ts', 'x/d.ts', 'x/e.ts', 'x/fg.ts']);
  });

  it('name an import from a lower layer up', () => {
    const g: Graph = new Map([['store/x.ts', ['config/y.ts', 'store/z.ts']]]);
    expect(layerViolations(g, { store: ['config'] })).toEqual(['store/x.ts -> config/y.ts']);
  });
});
