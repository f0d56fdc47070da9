/**
 * Limits named one way (issue 10, item 8; rule in docs/TEAM-BRIEF.md): every
 * `<area>/limits.ts` exports only `<AREA>_LIMITS` objects whose keys read
 * `<thing><Unit><Kind>`, every limit is read by code (or is a listed bound of
 * other bounds), ordered Min <= Default <= Max, and no file still uses a
 * name the codemod (scripts/codemods/limits-names.mjs) renames.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkTables, transform } from '../../scripts/codemods/limits-names.mjs';

const ROOT = join(import.meta.dirname, '..', '..');

/** Units a name may end with (before its kind); a count has none. */
const UNITS = ['Ms', 'Bytes', 'Chars', 'Digits', 'Minor', 'Percent', 'Fraction', 'Count', 'Factor', 'Baud'];
/** Kinds: a bound (Max, Min), the default of a configurable value, a list of allowed values. */
const KINDS = ['Max', 'Min', 'Default', 'Allowed'];
const TIME_WORDS = /(?:Timeout|Interval|Wait|Poll|Delay|Backoff|Horizon|Doubt|Claim|Settle|Keep|Retry)(?![a-z])/;

/** Why `name` breaks the rule, or null. */
export function limitNameProblem(name: string): string | null {
  if (!/^[a-z][A-Za-z0-9]*$/.test(name)) return 'not camelCase';
  if (/^(?:max|min)[A-Z0-9]/.test(name)) return 'kind first (Max/Min go last)';
  if (!new RegExp(`(?:${[...UNITS, ...KINDS].join('|')})$`).test(name)) return `ends in neither a unit (${UNITS.join(', ')}) nor a kind (${KINDS.join(', ')})`;
  if (new RegExp(`(?:Max|Min)(?:${UNITS.join('|')})(?![a-z])`).test(name)) return 'unit after kind (write <thing><Unit><Kind>)';
  if (TIME_WORDS.test(name) && !/Ms(?![a-z])/.test(name)) return 'a time without its unit (Ms)';
  return null;
}

/**
 * Limits no code reads by design: bounds that other bounds are asserted
 * against at load. Anything else nobody reads is deleted (or enforced).
 */
const BOUNDS_OF_BOUNDS = new Set([
  'CENTER_LIMITS.sqlParamsMax', // the engines' limit; insert rows, bulk lists and ledger lookups are asserted below it
  'VALIDITY_LIMITS.blockToRefuseMsMax', // the propagation target; retry timings asserted below it, measured by test/center/validity/propagation
]);

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.git', 'dist', 'coverage'].includes(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile() && (p.endsWith('.ts') || p.endsWith('.md'))) yield p;
  }
}
const ALL = [...files(ROOT)].map((abs) => ({ abs, rel: relative(ROOT, abs).split('\\').join('/') }));
const LIMITS_FILES = ALL.filter((f) => /(^|\/)limits\.ts$/.test(f.rel));
/** Code without its comments: a limit named only in a comment (the codemod writes `OBJ.key` there too) is not read. */
const uncommented = (t: string) => t.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
const CODE = ALL.filter((f) => f.rel.endsWith('.ts') && !f.rel.startsWith('test/')).map((f) => ({ ...f, text: uncommented(readFileSync(f.abs, 'utf8')) }));

describe('limits names', () => {
  it('the rule accepts the house names and refuses the old styles', () => {
    for (const good of ['frameBytesMax', 'tlvDepthMax', 'inFlightPerSessionMax', 'readerOpenTimeoutMs', 'transmitTimeoutMsDefault', 'refreshIntervalMsMin', 'chargeAmountMinorMaxDefault', 'serialBaudsAllowed', 'headerBytes']) {
      expect(limitNameProblem(good), good).toBeNull();
    }
    for (const bad of ['MAX_FRAME_BYTES', 'maxConnections', 'serialReopenMaxMs', 'noteAmountMaxMinor', 'loadPageSize', 'readerOpenTimeout', 'outboxDrainBatch', 'LOOKUP_CHUNK']) {
      expect(limitNameProblem(bad), bad).not.toBeNull();
    }
  });

  it('finds the thirteen limits modules', () => {
    expect(LIMITS_FILES.map((f) => f.rel).sort()).toEqual(
      expect.arrayContaining(['protocol/limits.ts', 'terminal/limits.ts', 'sim/limits.ts', 'sim/bank/limits.ts', 'sim/demo/limits.ts', 'center/limits.ts', 'center/cash/limits.ts', 'center/emoney/limits.ts', 'center/validity/limits.ts', 'center/relay/limits.ts', 'center/fleet/limits.ts', 'center/http/limits.ts', 'center/merchant-api/limits.ts']),
    );
  });

  for (const file of LIMITS_FILES) {
    describe(file.rel, () => {
      it('exports only <AREA>_LIMITS objects whose keys follow the rule, bounds ordered', async () => {
        const mod = (await import(pathToFileURL(file.abs).href)) as Record<string, unknown>;
        const problems: string[] = [];
        expect(Object.keys(mod).length).toBeGreaterThan(0);
        for (const [exported, value] of Object.entries(mod)) {
          if (!/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_LIMITS$/.test(exported)) problems.push(`${exported}: export is not an <AREA>_LIMITS object`);
          if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            problems.push(`${exported}: not an object`);
            continue;
          }
          const obj = value as Record<string, unknown>;
          for (const [key, v] of Object.entries(obj)) {
            const p = limitNameProblem(key);
            if (p) problems.push(`${exported}.${key}: ${p}`);
            const ok = key.endsWith('Allowed') ? Array.isArray(v) && v.every((x) => typeof x === 'number') : typeof v === 'number' && Number.isFinite(v);
            if (!ok) problems.push(`${exported}.${key}: ${key.endsWith('Allowed') ? 'not a list of numbers' : 'not a finite number'}`);
            const base = key.replace(/(?:Min|Default|Max)$/, '');
            const [min, def, max] = ['Min', 'Default', 'Max'].map((k) => obj[base + k]) as (number | undefined)[];
            if (key.endsWith('Default') && ((min !== undefined && min > (v as number)) || (max !== undefined && max < (v as number)))) problems.push(`${exported}.${key}: default outside its bounds`);
            if (key.endsWith('Min') && max !== undefined && (v as number) > max) problems.push(`${exported}.${key}: min above max`);
            void def;
          }
        }
        expect(problems).toEqual([]);
      });

      it('declares nothing but the limits objects (no loose exports)', () => {
        const text = readFileSync(file.abs, 'utf8');
        const exports = [...text.matchAll(/^export\s+(?:const|let|function|class|type|interface)\s+(\w+)/gm)].map((m) => m[1]);
        expect(exports.filter((n) => !/_LIMITS$/.test(n ?? ''))).toEqual([]);
      });

      it('every limit is read by code outside its module (or is a listed bound of bounds)', async () => {
        const mod = (await import(pathToFileURL(file.abs).href)) as Record<string, Record<string, unknown>>;
        const unread: string[] = [];
        for (const [exported, obj] of Object.entries(mod)) {
          const users = CODE.filter((f) => f.abs !== file.abs && new RegExp(`\\b${exported}\\b`).test(f.text));
          const aliases = users.map((f) => ({ f, alias: ((m) => m?.[1] ?? m?.[2])(new RegExp(`(?:const|let)\\s+(\\w+)\\s*=\\s*${exported}\\s*;|import\\s*\\{[^}]*\\b${exported}\\s+as\\s+(\\w+)`).exec(f.text)), destructures: new RegExp(`(?:const|let)\\s*\\{[^}]*\\}\\s*=\\s*${exported}\\b`).test(f.text) }));
          for (const key of Object.keys(obj)) {
            const name = `${exported}.${key}`;
            if (BOUNDS_OF_BOUNDS.has(name)) continue;
            const read = aliases.some(({ f, alias, destructures }) =>
              f.text.includes(`${exported}.${key}`) || (alias !== undefined && new RegExp(`\\b${alias}\\.${key}\\b`).test(f.text)) || (destructures && new RegExp(`\\b${key}\\b`).test(f.text)));
            if (!read) unread.push(name);
          }
        }
        expect(unread).toEqual([]);
      });
    });
  }

  it('no file uses a limit name the codemod renames (scripts/codemods/limits-names.mjs --check)', () => {
    const stale: string[] = [];
    for (const f of ALL) {
      if (/(^|\/)(scripts\/codemods\/limits-names\.mjs|test\/core\/limits-names\.test\.ts)$/.test(f.rel)) continue;
      const text = readFileSync(f.abs, 'utf8');
      if (transform(text, f.rel) !== text) stale.push(f.rel);
    }
    expect(stale).toEqual([]);
  });

  it('the codemod tables are unambiguous and idempotent', () => {
    expect(() => checkTables()).not.toThrow();
  });

  it('the codemod renames uses and is idempotent', () => {
    const before = [
      "import { LEDGER_EVENTS_MAX, SQL_INSERT_ROWS_MAX } from '../limits.js';",
      "import { PROTOCOL_LIMITS } from '../protocol/limits.js';",
      'const { HEADER_BYTES, MAX_FRAME_BYTES } = PROTOCOL_LIMITS;',
      'const L = PROTOCOL_LIMITS;',
      'if (n > LEDGER_EVENTS_MAX || len > MAX_FRAME_BYTES + HEADER_BYTES || x > L.MAX_TLV_DEPTH) fail(SQL_INSERT_ROWS_MAX);',
      'wait(DEVICE_LIMITS.serialReopenMaxMs, ValidityLimits.loadPageSize, CASH_LIMITS.NOTES_PER_REPORT_MAX);',
      "import { FLEET_LIMITS as F } from './fleet/limits.js';",
      'if (id.length > F.nodeIdBytesMax || w > EmoneyLimits.callbackWaitMsMax || w > PROTOCOL_LIMITS.callbackWaitMsMax) fail(); // within bankDoubtMsMax',
    ].join('\n');
    const after = transform(before, 'center/x.ts');
    expect(after).toBe(
      [
        "import { CENTER_LIMITS } from '../limits.js';",
        "import { PROTOCOL_LIMITS } from '../protocol/limits.js';",
        'const { headerBytes, frameBytesMax } = PROTOCOL_LIMITS;',
        'const L = PROTOCOL_LIMITS;',
        'if (n > CENTER_LIMITS.ledgerEventsMax || len > frameBytesMax + headerBytes || x > L.tlvDepthMax) fail(CENTER_LIMITS.sqlInsertRowsMax);',
        'wait(DEVICE_LIMITS.serialReopenMsMax, VALIDITY_LIMITS.loadPageRowsMax, PROTOCOL_LIMITS.notesPerReportMax);',
        "import { FLEET_LIMITS as F } from './fleet/limits.js';",
        'if (id.length > F.nodeIdCharsMax || w > EMONEY_LIMITS.callbackWaitMs || w > PROTOCOL_LIMITS.callbackWaitMsMax) fail(); // within bankDoubtMs',
      ].join('\n'),
    );
    expect(transform(after, 'center/x.ts')).toBe(after);
    // A file that declares a same-named identifier of its own keeps it.
    const own = 'const HEADER_BYTES = 4; // not the protocol one';
    const notes: string[] = [];
    expect(transform(own, 'sim/x.ts', (n) => notes.push(n))).toBe(own);
    expect(notes).toHaveLength(1);
  });
});
