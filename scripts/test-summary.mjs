// Prints the plain closing line CI reads ("N passed, N failed, N skipped")
// from vitest's JSON report. Exits non-zero when the report is missing.
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? '.tessera/test-results.json';
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (e) {
  process.stderr.write(`test-summary: no readable report at ${path}: ${e.message}\n`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
