/**
 * Limits named one way (issue 10, item 8), for the center areas converted so
 * far (e-money, cash, relay): `<thing><Unit>Max` (or Min / Default, or a set
 * duration `<thing>Ms`), camelCase keys of one `<Area>Limits` object per area,
 * and every declared limit used by the area's code outside its limits file
 * (a limit nothing enforces is deleted, not kept as documentation).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CashLimits } from '../../center/cash/limits.js';
import { EmoneyLimits } from '../../center/emoney/limits.js';
import { RelayLimits } from '../../center/relay/limits.js';

const root = new URL('../../', import.meta.url).pathname;
const AREAS = [
  ['EmoneyLimits', EmoneyLimits],
  ['CashLimits', CashLimits],
  ['RelayLimits', RelayLimits],
] as const;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('limits.ts') ? [p] : [];
  });
}
const code = sources(join(root, 'center')).map((p) => readFileSync(p, 'utf8')).join('\n');

describe('center limits, named one way and each enforced', () => {
  it.each(AREAS)('%s: camelCase <thing><Unit>Max|Min|Default keys (or a set duration ending in Ms), never MAX_/_MAX styles', (_name, limits) => {
    for (const key of Object.keys(limits)) {
      expect(key, key).toMatch(/^[a-z][a-zA-Z0-9]*(Max|Min|Default|Ms)$/);
      expect(key, key).not.toMatch(/^max/);
    }
  });

  it.each(AREAS)('%s: every limit is used by center code outside the limits files', (name, limits) => {
    for (const key of Object.keys(limits)) expect(code.includes(`${name}.${key}`), `${name}.${key} is used`).toBe(true);
  });

  it('the old names are gone from the center', () => {
    for (const old of ['EMONEY_LIMITS', 'CASH_LIMITS', 'RELAY_LIMITS', 'MAX_CALLBACKS_IN_FLIGHT', 'BANK_DOUBT_MS', 'NOTES_PER_REPORT_MAX']) expect(code.includes(old), old).toBe(false);
  });
});
