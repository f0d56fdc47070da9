/**
 * The core center (server, net, storage, ledger) knows no module: no file it
 * imports, directly or through others, lies in a module's folder (validity,
 * cash, emoney, relay, … every other folder under center/). Modules reach
 * the core; the core reaches modules only through the list handed to
 * startCenter (center/modules.ts, which is not core).
 *
 * One edge is not followed: center/admin, the HTTP surface, still serves
 * validity's media/terminal routes itself (issue 11 moves them into the
 * validity module's `routes`, after which admin joins CORE here).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const CORE = ['center/server', 'center/net', 'center/storage', 'center/ledger'];
/** Reached from the core, not followed further (see above). */
const NOT_FOLLOWED = ['center/admin/'];
const CORE_FILES = ['center/limits.ts'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports (static, dynamic, export-from) of a file, resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const isCore = (rel: string): boolean => CORE.some((d) => rel.startsWith(`${d}/`)) || CORE_FILES.includes(rel);

/** Every center/ file reachable from the core, each with the chain that reached it. */
function reachable(): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue: Array<[string, string[]]> = CORE.flatMap((d) => tsFiles(join(ROOT, d))).map((f) => [f, [relative(ROOT, f)]]);
  while (queue.length > 0) {
    const [file, chain] = queue.shift()!;
    for (const dep of importsOf(file)) {
      const rel = relative(ROOT, dep);
      if (!rel.startsWith('center/') || seen.has(rel) || NOT_FOLLOWED.some((d) => rel.startsWith(d))) continue;
      seen.set(rel, [...chain, rel]);
      queue.push([dep, [...chain, rel]]);
    }
  }
  return seen;
}

describe('the core center imports no module', () => {
  it('no file under center/server, net, storage or ledger reaches a module folder', () => {
    const outside = [...reachable()].filter(([rel]) => !isCore(rel)).map(([, chain]) => chain.join(' → '));
    expect(outside).toEqual([]);
  });

  it('the scan sees imports (a module file does reach the core)', () => {
    const deps = importsOf(join(ROOT, 'center/emoney/module.ts')).map((f) => relative(ROOT, f));
    expect(deps).toContain('center/server/module.ts');
  });
});
