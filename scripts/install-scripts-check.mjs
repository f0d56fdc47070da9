// Reads what `npm ci` printed and fails when npm says a package's install
// scripts are "not yet covered by allowScripts": npm 11 still runs them (with
// that warning), a stricter npm skips them, so the install would silently
// lose a step. Prints each such package and exits 1.
//
// Every dependency script is either allowed by name in package.json's
// allowScripts or denied there (`smartcard`: the root postinstall builds it
// after installing the system packages it compiles against).
import { readFileSync } from 'node:fs';

const path = process.argv[2];
if (!path) {
  process.stderr.write('install-scripts-check: usage: install-scripts-check.mjs <npm ci output file>\n');
  process.exit(2);
}
const lines = readFileSync(path, 'utf8').split('\n');
const start = lines.findIndex((l) => l.includes('not yet covered by allowScripts'));
if (start < 0) process.exit(0);
const packages = [];
for (const line of lines.slice(start + 1)) {
  const m = /^npm warn (?:install-scripts|allow-scripts) {3}(\S+)/.exec(line);
  if (!m) break;
  packages.push(m[1]);
}
process.stderr.write(
  `ci: CI_INSTALL_SCRIPTS_UNCOVERED: npm ci reports install scripts not covered by allowScripts: ${packages.join(', ') || '(list not parsed)'}\n` +
    '  what to do: review each script, then add the package to allowScripts in package.json (or deny it with false and run what it needs from the root postinstall)\n',
);
process.exit(1);
