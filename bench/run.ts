/**
 * `npm run bench -- <suite> [--json] [suite options]`
 * Each suite is bench/<suite>.ts exporting `run(args): Promise<Record<string, unknown>>`.
 * Figures are reported against a baseline measured in the same run. With
 * --json the last line of stdout is one JSON object with the suite's figures.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** '.ts' run from source (tsx), '.js' compiled (dist/, the test build). */
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const suites = readdirSync(here)
  .filter((f) => f.endsWith(ext) && f !== `run${ext}` && !f.startsWith('_'))
  .map((f) => f.slice(0, -ext.length));

const [suite, ...rest] = process.argv.slice(2);
if (!suite || !suites.includes(suite)) {
  process.stderr.write(`usage: npm run bench -- <${suites.join('|')}> [--json]\n`);
  process.exit(2);
}
const json = rest.includes('--json');
const mod = (await import(join(here, `${suite}${ext}`))) as {
  run: (args: string[], report: (line: string) => void) => Promise<Record<string, unknown>>;
};
const report = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const result = await mod.run(
  rest.filter((a) => a !== '--json'),
  json ? (line) => process.stderr.write(`${line}\n`) : report,
);
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
else report(JSON.stringify(result, null, 2));
process.exit(0);
