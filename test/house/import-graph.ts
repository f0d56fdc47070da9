/**
 * The house's import graph: every relative import (static, `export … from`,
 * `import type`, dynamic `import('…')`) between the repository's .ts files,
 * read with the TypeScript compiler's own pre-processor (no new package), so
 * an import inside a comment or a string is not counted. Used by
 * test/house/imports.test.ts: no import from center/ into terminal/ (or back),
 * and no circle anywhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** The source roots of tsconfig.json's `include` (test and tools included: a circle there is a circle). */
export const SOURCE_ROOTS = ['core', 'protocol', 'center', 'terminal', 'sim', 'cli', 'bench', 'scripts', 'test'] as const;

/** File (repo-relative, '/' separators) → the repo .ts files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

export function sourceFiles(repo: string, roots: readonly string[] = SOURCE_ROOTS): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const r of roots) if (existsSync(join(repo, r))) walk(join(repo, r));
  return out.map((p) => toRel(repo, p)).sort();
}

/** The relative specifiers a file imports (the pre-processor skips comments and strings). */
export function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** A relative specifier → the repo .ts file it names (NodeNext: `x.js` is `x.ts`), or null (json, a package). */
export function resolveImport(repo: string, from: string, spec: string): string | null {
  const abs = resolve(repo, dirname(from), spec);
  for (const c of [abs.replace(/\.js$/, '.ts'), abs.replace(/\.mjs$/, '.mts'), `${abs}.ts`, join(abs, 'index.ts')]) {
    if (c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) return toRel(repo, c);
  }
  return null;
}

export function importGraph(repo: string, files: readonly string[] = sourceFiles(repo)): ImportGraph {
  const g = new Map<string, string[]>();
  for (const f of files) {
    const targets = new Set<string>();
    for (const spec of importsOf(readFileSync(join(repo, f), 'utf8'))) {
      const t = resolveImport(repo, f, spec);
      if (t !== null) targets.add(t);
    }
    g.set(f, [...targets].sort());
  }
  return g;
}

/** Every edge whose importer is under `fromDir` and whose target is under `toDir`, as "a → b". */
export function crossings(g: ImportGraph, fromDir: string, toDir: string): string[] {
  const out: string[] = [];
  for (const [f, ts_] of g) {
    if (!f.startsWith(`${fromDir}/`)) continue;
    for (const t of ts_) if (t.startsWith(`${toDir}/`)) out.push(`${f} → ${t}`);
  }
  return out;
}

/** Files under `fromDir` that reach a file under `toDir` through any chain of imports, each with one such chain. */
export function reaches(g: ImportGraph, fromDir: string, toDir: string): string[] {
  const out: string[] = [];
  for (const start of g.keys()) {
    if (!start.startsWith(`${fromDir}/`)) continue;
    const prev = new Map<string, string>([[start, '']]);
    const queue = [start];
    let hit: string | null = null;
    while (queue.length > 0 && hit === null) {
      const f = queue.shift()!;
      for (const t of g.get(f) ?? []) {
        if (prev.has(t)) continue;
        prev.set(t, f);
        if (t.startsWith(`${toDir}/`)) {
          hit = t;
          break;
        }
        queue.push(t);
      }
    }
    if (hit === null) continue;
    const chain = [hit];
    for (let p = prev.get(hit)!; p !== ''; p = prev.get(p)!) chain.unshift(p);
    out.push(chain.join(' → '));
  }
  return out;
}

/**
 * The circles: each strongly connected component of more than one file (or
 * a file importing itself), as one closed path through it ("a → b → a").
 */
export function cycles(g: ImportGraph): string[] {
  // Tarjan, iterative (the graph has a few hundred files; recursion would do, but depth is unbounded in principle).
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  for (const root of g.keys()) {
    if (idx.has(root)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: root, i: 0 }];
    idx.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const next = (g.get(top.v) ?? [])[top.i++];
      if (next !== undefined) {
        if (!idx.has(next)) {
          idx.set(next, index);
          low.set(next, index++);
          stack.push(next);
          onStack.add(next);
          work.push({ v: next, i: 0 });
        } else if (onStack.has(next)) {
          low.set(top.v, Math.min(low.get(top.v)!, idx.get(next)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(top.v)!));
      if (low.get(top.v) === idx.get(top.v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.v);
        if (scc.length > 1 || (g.get(top.v) ?? []).includes(top.v)) sccs.push(scc);
      }
    }
  }
  return sccs.map((scc) => closedPath(g, new Set(scc)));
}

/** One circle through a component: from its first file (sorted), shortest way back to it inside the component. */
function closedPath(g: ImportGraph, members: ReadonlySet<string>): string {
  const start = [...members].sort()[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const f = queue.shift()!;
    for (const t of g.get(f) ?? []) {
      if (!members.has(t)) continue;
      if (t === start) {
        const path = [start];
        for (let p: string | undefined = f; p !== undefined && p !== start; p = prev.get(p)) path.splice(1, 0, p);
        return `${[...path, start].join(' → ')} (${members.size} files)`;
      }
      if (!prev.has(t)) {
        prev.set(t, f);
        queue.push(t);
      }
    }
  }
  return `${start} (${members.size} files)`;
}

function toRel(repo: string, p: string): string {
  return relative(repo, p).split(sep).join('/');
}
