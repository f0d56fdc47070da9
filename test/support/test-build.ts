/**
 * The checkout's TypeScript compiled once per test run, so that tests start
 * `tessera` and their child scripts as plain `node <file>.js` (~0.3-0.5 s)
 * instead of `node --import tsx <file>.ts`, which compiles the whole import
 * graph at every start (~4 s on a quiet machine, 12-20 s on a loaded one).
 *
 * esbuild (tsx's and vite's compiler, so the same semantics as a tsx run)
 * transpiles every .ts file of tsconfig.json's source folders but the
 * *.test.ts files (vitest runs those itself), file by file
 * (no bundling), into `.tessera/test-build/<hash>/` with the same layout, like
 * `tsc` does into dist/ for `npm start`: relative `.js` imports resolve, bare
 * imports and native addons resolve from the checkout's node_modules (the
 * build is inside the checkout). Beside the code it copies package.json (ESM
 * type, the version read by `core/version.ts`) and the non-TypeScript files
 * of those folders but documentation (e.g. sim/native's C source), so `import.meta.url`-relative
 * reads find what they find in the source tree.
 *
 * <hash> is a digest of the sources, the build options and esbuild's
 * version: unchanged sources reuse the previous build (a single test file
 * pays only the hashing, ~0.1 s), and two runs with different sources never
 * share a directory. No type checking here: `npm run typecheck` does that.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, version as esbuildVersion } from 'esbuild';

/** The folders tsconfig.json compiles (its "include", less the config file). */
export const SOURCE_DIRS = ['core', 'protocol', 'center', 'terminal', 'sim', 'cli', 'bench', 'scripts', 'test'] as const;
/** Bump when the options below change, so old builds are not reused. */
const BUILD_FORMAT = 2;
/** Builds of other sources older than this are removed (a concurrent run in the same checkout may still use a newer one). */
const STALE_MS = 60 * 60 * 1000;
const DONE = '.complete';

/** Test files are run by vitest, never started as a process; documentation is not read at run time: neither is built. */
const isLeftOut = (f: string): boolean => f.endsWith('.test.ts') || f.endsWith('.md');
const isCode = (f: string): boolean => f.endsWith('.ts') && !f.endsWith('.d.ts');

function walk(root: string, dir: string, out: string[]): void {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const rel = join(dir, e.name);
    if (e.isDirectory()) walk(root, rel, out);
    else if (e.isFile()) out.push(rel);
  }
}

/** Repo-relative paths of the files a build is made from, sorted. */
function sourceFiles(root: string): string[] {
  const out: string[] = [];
  for (const d of SOURCE_DIRS) if (existsSync(join(root, d))) walk(root, d, out);
  return out.filter((f) => !isLeftOut(f)).sort();
}

/**
 * Makes (or reuses) the build of the checkout at root and returns its
 * directory; `<dir>/cli/tessera.js` is the CLI.
 */
export async function ensureTestBuild(root: string): Promise<string> {
  const files = sourceFiles(root);
  const h = createHash('sha256').update(`format ${BUILD_FORMAT} esbuild ${esbuildVersion}\n`);
  for (const f of [...files, 'package.json', 'tsconfig.json']) {
    h.update(`${f}\0`);
    h.update(readFileSync(join(root, f)));
    h.update('\0');
  }
  const hash = h.digest('hex').slice(0, 16);
  const base = join(root, '.tessera', 'test-build');
  const dir = join(base, hash);
  if (existsSync(join(dir, DONE))) return dir;

  mkdirSync(base, { recursive: true });
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions?: Record<string, unknown> };
  try {
    await build({
      absWorkingDir: root,
      entryPoints: files.filter(isCode),
      outbase: root,
      outdir: temp,
      bundle: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      tsconfigRaw: { compilerOptions: tsconfig.compilerOptions ?? {} } as never,
    });
    for (const f of files) if (!f.endsWith('.ts')) cpSync(join(root, f), join(temp, f));
    cpSync(join(root, 'package.json'), join(temp, 'package.json'));
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
  writeFileSync(join(temp, DONE), `${files.length} files\n`);
  try {
    renameSync(temp, dir);
  } catch (e) {
    // Another run made the same build meanwhile: use theirs.
    rmSync(temp, { recursive: true, force: true });
    if (!existsSync(join(dir, DONE))) throw e;
  }
  for (const other of readdirSync(base)) {
    const p = join(base, other);
    if (p === dir) continue;
    try {
      if (Date.now() - statSync(p).mtimeMs > STALE_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // removed by another run
    }
  }
  return dir;
}
