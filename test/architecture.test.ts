/**
 * The domain modules under src/modules form layers, never a circle: counting every runtime import
 * (table files included; `import type` and type-only specifiers are erased and do not count), the
 * module graph must have no strongly connected component of more than one module. The stock core
 * imports no other domain module at all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../src/modules');

/** Module → the modules its non-test files import at run time, with one example file per edge. */
function moduleGraph(dir: string = root): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  const modules = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  for (const module of modules) {
    const edges = new Map<string, string>();
    graph.set(module, edges);
    for (const file of readdirSync(join(dir, module))) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const path = join(dir, module, file);
      for (const target of runtimeImports(readFileSync(path, 'utf8'))) {
        if (!target.startsWith('.')) continue;
        const rel = relative(dir, resolve(dirname(path), target));
        if (rel.startsWith('..')) continue;
        const other = rel.split('/')[0]!;
        if (other !== module && !edges.has(other)) edges.set(other, `${module}/${file} → ${rel}`);
      }
    }
  }
  return graph;
}

/** The specifiers of the import/export-from statements that survive type erasure. */
function runtimeImports(source: string): string[] {
  const found: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gms;
  for (const match of source.matchAll(statement)) {
    if (match[2]) continue; // import type { … } / export type { … }
    const clause = match[3]!;
    const braces = /\{([^}]*)\}/s.exec(clause);
    const outside = clause
      .replace(/\{[^}]*\}/s, '')
      .replace(/,/g, '')
      .trim();
    if (braces && !outside) {
      const names = braces[1]!
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    }
    found.push(match[4]!);
  }
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(match[1]!);
  return found;
}

/** Strongly connected components with more than one module (Tarjan). */
function circles(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('module layers', () => {
  it('finds runtime imports and ignores type-only ones', () => {
    const source = [
      "import type { A } from '../a/a.models.ts';",
      "import { type B, type C } from '../b/b.models.ts';",
      "import { type D, e } from '../d/d.usecases.ts';",
      "import { f } from '../f/f.tables.ts';",
      "export { g } from '../g/g.ts';",
      "export type { H } from '../h/h.ts';",
      "import '../i/i.ts';",
    ].join('\n');
    expect(runtimeImports(source)).toEqual([
      '../d/d.usecases.ts',
      '../f/f.tables.ts',
      '../g/g.ts',
      '../i/i.ts',
    ]);
  });

  it('detects a circle, however long', () => {
    const graph = new Map([
      ['a', new Map([['b', '']])],
      ['b', new Map([['c', '']])],
      ['c', new Map([['a', '']])],
      ['d', new Map([['a', '']])],
    ]);
    expect(circles(graph)).toEqual([['a', 'b', 'c']]);
  });

  it('has no circle among the domain modules', () => {
    const graph = moduleGraph();
    const found = circles(graph).map((component) =>
      component.map(
        (m) =>
          `${m} → [${[...graph.get(m)!.entries()]
            .filter(([t]) => component.includes(t))
            .map(([, via]) => via)
            .join('; ')}]`,
      ),
    );
    expect(found).toEqual([]);
  });

  it('keeps the stock core free of other domain modules', () => {
    expect([...moduleGraph().get('stock')!.values()]).toEqual([]);
  });
});
