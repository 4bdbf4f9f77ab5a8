/** A module graph of src/ (file -> the src files it imports, paths relative to src/) and the checks run on it. */
import { posix } from 'node:path';

export type Graph = Map<string, string[]>;

// `import ... from '...'`, `export ... from '...'` (multi-line too) and `import('...')`; only relative specifiers.
const IMPORT = /(?:\b(?:import|export)\s[^'"`;]*?\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The src-relative files `text` (the source of `from`) imports, in order, `.js` specifiers mapped to `.ts`. */
export function importsOf(text: string, from: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? '';
    out.push(posix.join(posix.dirname(from), spec).replace(/\.js$/, '.ts'));
  }
  return out;
}

/**
 * Every import loop, as the files that import each other round (a strongly connected component of
 * more than one file, or a file importing itself), sorted and joined with ' <-> '.
 */
export function findCycles(graph: Graph): string[] {
  // Tarjan's algorithm: linear in files + imports.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const members: string[] = [];
    let m: string | undefined;
    do {
      m = stack.pop()!;
      onStack.delete(m);
      members.push(m);
    } while (m !== node);
    if (members.length > 1 || (graph.get(node) ?? []).includes(node)) loops.push(members.sort().join(' <-> '));
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return loops.sort();
}

/** `from -> to` for each import whose target's top-level folder is forbidden to the importer's. */
export function layerViolations(graph: Graph, forbidden: Record<string, string[]>): string[] {
  const top = (file: string) => file.split('/')[0] ?? '';
  const out: string[] = [];
  for (const [from, tos] of graph) {
    const banned = forbidden[top(from)] ?? [];
    for (const to of tos) if (banned.includes(top(to))) out.push(`${from} -> ${to}`);
  }
  return out.sort();
}
