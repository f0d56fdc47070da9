import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * Tessera's version from package.json (next to core/ when run from source,
 * two levels up when built into dist/), or '0.0.0-unknown' if neither is
 * found. Read once.
 */
export function softwareVersion(): string {
  if (cached !== undefined) return cached;
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tessera' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // try the next place
    }
  }
  return (cached = '0.0.0-unknown');
}
