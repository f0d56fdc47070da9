/**
 * How a TypeScript entry point of this checkout (`cli/tessera.ts`, a test's
 * child script) is started as a child process. Every test and world part that
 * starts one goes through here:
 *
 * - run from compiled JavaScript (dist/ after `npm run build`, or the test
 *   build), the sibling .js file of the same tree: `node <tree>/cli/tessera.js`;
 * - run from source under a test run whose globalSetup compiled the checkout
 *   (test/support/test-build-global.ts sets TESSERA_TEST_BUILD), that
 *   build's .js file: no compile at each start;
 * - otherwise (a tsx-run tool, a script outside vitest) through tsx:
 *   `node --import tsx <file>.ts`, which compiles the import graph at each
 *   start (~4 s quiet, 12-20 s on a loaded machine).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

/** The environment variable naming the test build's directory (set by the vitest globalSetup). */
export const TEST_BUILD_ENV = 'TESSERA_TEST_BUILD';

/** The root of the tree this module runs from: the checkout, dist/, or the test build. */
const TREE = join(import.meta.dirname, '..', '..');
const COMPILED = import.meta.url.endsWith('.js');

/** How a command is started: spawn(command, args). */
export interface NodeCommand {
  command: string;
  args: string[];
}

/**
 * The file that runs the TypeScript file `script` (relative to the checkout,
 * e.g. 'cli/tessera.ts', or an absolute path inside it), and whether node
 * needs tsx (`--import tsx`) to run it.
 */
export function scriptFile(script: string): { file: string; tsx: boolean } {
  const rel = isAbsolute(script) ? relative(TREE, script) : script;
  const js = rel.replace(/\.ts$/, '.js');
  if (COMPILED) return { file: join(TREE, js), tsx: false };
  const build = process.env[TEST_BUILD_ENV];
  if (build && existsSync(join(build, js))) return { file: join(build, js), tsx: false };
  return { file: join(TREE, rel), tsx: true };
}

/** `node <script> <args>` (see scriptFile). */
export function nodeCommand(script: string, args: readonly string[] = []): NodeCommand {
  const { file, tsx } = scriptFile(script);
  return { command: process.execPath, args: [...(tsx ? ['--import', 'tsx'] : []), file, ...args] };
}

/** `tessera <args>` (see nodeCommand). */
export function tesseraCommand(args: readonly string[] = []): NodeCommand {
  return nodeCommand('cli/tessera.ts', args);
}
