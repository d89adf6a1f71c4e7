import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : /(?<!\.spec)\.ts$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** The folder a file belongs to, as docs/architecture.md lists the layers: `control/worker`, `server`, … (`.` for index.ts). */
function layerOf(file: string): string {
  const parts = relative(SRC, dirname(file)).split('/').filter(Boolean);
  if (parts[0] === 'control' && (parts[1] === 'worker' || parts[1] === 'client')) return `control/${parts[1]}`;
  return parts[0] ?? '.';
}

/** Folder → the folders its non-test sources import (relative imports only). */
function folderImports(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(SRC)) {
    const from = layerOf(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const to = layerOf(resolve(dirname(file), specifier!));
      if (to !== from) (graph.get(from) ?? graph.set(from, new Set()).get(from)!).add(to);
    }
  }
  return graph;
}

/** One cycle of the graph as `a → b → a`, or undefined. */
function findCycle(graph: Map<string, Set<string>>): string | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node].join(' → ');
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('the folders of src/', () => {
  it('import each other without cycles (the layers of docs/architecture.md)', () => {
    expect(findCycle(folderImports())).toBeUndefined();
  });

  it('keep the lower layers free of the higher ones', () => {
    const graph = folderImports();
    const reach = (from: string): Set<string> => {
      const seen = new Set<string>();
      const stack = [from];
      while (stack.length > 0) for (const next of graph.get(stack.pop()!) ?? []) if (!seen.has(next) && seen.add(next)) stack.push(next);
      return seen;
    };
    expect([...reach('protocol')]).toEqual([]);
    // results/ (result backends' storage: Redis keys, task meta, chords) knows only broker/ and protocol/.
    expect([...reach('results')].sort()).toEqual(['broker', 'protocol']);
    for (const low of ['protocol', 'broker', 'routing', 'results', 'producer', 'runtime', 'control']) {
      expect([...reach(low)].filter((folder) => ['server', 'client', 'events', 'module', 'decorators', 'control/worker', 'control/client'].includes(folder))).toEqual([]);
    }
  });

  it('keep the optional entry points (health, metrics, monitor) on top: no other folder imports them', () => {
    const graph = folderImports();
    const optional = ['health', 'metrics', 'monitor'];
    for (const [from, targets] of graph) {
      if (optional.includes(from)) continue;
      expect({ from, imports: [...targets].filter((folder) => optional.includes(folder)) }).toEqual({ from, imports: [] });
    }
  });
});
