// Vitest globalSetup: compiles the checkout once per run (test/support/test-build.ts)
// and names the build in TESSERA_TEST_BUILD, which the test workers inherit;
// sim/world/node-command.ts then starts CLI processes and child scripts from it.
// TESSERA_TEST_BUILD=0 turns it off (every start goes through tsx, as before);
// so does a failed build (e.g. a syntax error in a file: the tests that load it say where).
import { join } from 'node:path';
import { TEST_BUILD_ENV } from '../../sim/world/node-command.js';
import { ensureTestBuild } from './test-build.js';

export default async function setup(): Promise<void> {
  if (process.env[TEST_BUILD_ENV] === '0') return;
  try {
    process.env[TEST_BUILD_ENV] = await ensureTestBuild(join(import.meta.dirname, '..', '..'));
  } catch (e) {
    delete process.env[TEST_BUILD_ENV];
    process.stderr.write(`test build failed, CLI processes start through tsx: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
