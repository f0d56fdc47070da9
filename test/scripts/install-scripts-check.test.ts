/**
 * .ci/run fails when `npm ci` says a package's install scripts are not
 * covered by allowScripts (npm 11 runs them with that warning; a stricter
 * npm skips them). The logs are what npm 11.19 printed for this repository
 * (`npm ci --dry-run` on a copy of package.json and the lock file).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tessera-npm-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(log: string): { status: number | null; stderr: string } {
  const file = join(dir, `log-${Math.random().toString(16).slice(2)}.txt`);
  writeFileSync(file, log);
  const r = spawnSync(process.execPath, ['scripts/install-scripts-check.mjs', file], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

const UNCOVERED = [
  'add @esbuild/linux-x64 0.28.2',
  '',
  'added 147 packages in 4s',
  'npm warn install-scripts 1 package has install scripts not yet covered by allowScripts:',
  'npm warn install-scripts   tessera-sysdeps@1.0.0 (install: (install scripts present))',
  'npm warn install-scripts',
  'npm warn install-scripts Run `npm install-scripts ls` to review, or `npm install-scripts approve <pkg>` to allow.',
  '',
].join('\n');

describe('scripts/install-scripts-check.mjs (run by .ci/run after npm ci)', () => {
  it('fails with CI_INSTALL_SCRIPTS_UNCOVERED naming each uncovered package', () => {
    const r = check(UNCOVERED);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CI_INSTALL_SCRIPTS_UNCOVERED');
    expect(r.stderr).toContain('tessera-sysdeps@1.0.0');
  });

  it('passes an install without the warning', () => {
    expect(check('add @esbuild/linux-x64 0.28.2\n\nadded 147 packages in 4s\n').status).toBe(0);
  });

  it('is wired into .ci/run after npm ci; smartcard is built by the root postinstall after the system packages', () => {
    const run = readFileSync('.ci/run', 'utf8');
    expect(run).toMatch(/npm ci 2>&1 \| tee \.tessera\/npm-ci\.log[\s\S]*node scripts\/install-scripts-check\.mjs \.tessera\/npm-ci\.log/);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts: Record<string, boolean>; scripts: Record<string, string> };
    expect(pkg.allowScripts['smartcard']).toBe(false);
    expect(pkg.scripts['postinstall']).toMatch(/^bash scripts\/sysdeps\/system-deps\.sh && cd node_modules\/smartcard && node-gyp rebuild$/);
  });
});
