import { describe, expect, it } from 'vitest';
import { ADJUSTMENT_LEDGER_CODE } from '../../center/admin/audit-trail.js';
import { ADMIN_HTTP_ANSWERS } from '../../center/admin/errors.js';
import { HttpErrors } from '../../center/http/errors.js';
import { CASH_RESULT_CODES } from '../../center/cash/cash.js';
import { CASH_MOVE } from '../../center/cash/ledger-map.js';
import { MOVE } from '../../center/emoney/ledger-map.js';
import { RESULT_CODES } from '../../center/emoney/result-codes.js';
import { MOVE as PASSWORD_MOVE } from '../../center/passwords/ledger-map.js';
import { PASSWORD_RESULT_CODES } from '../../center/passwords/result-codes.js';
import { TX_RESULT } from '../../center/validity/transaction-registry.js';
import { PREPAID_MOVE } from '../../center/prepaid/ledger-map.js';
import { PREPAID_RESULT_CODES } from '../../center/prepaid/result-codes.js';
import { allRegistries } from '../../core/errors.js';
import { errorPrefixOwner, inRange, NUMBER_AREAS, ownerOf, WIRE_RESULT_OK, type NumberKind, type Range } from '../../core/numbers.js';
import { MSG, NAK_REASON } from '../../protocol/codes.js';
import { renderErrorsDoc } from '../../scripts/errors-doc.js';
import { KIOSK_RESULT_CODES } from '../../terminal/agent/roles/emoney/provider-kiosk/result-codes.js';
import { HQ_RESULT_CODES, VOUCHER_WIRE_RESULTS } from '../../center/hq/result-codes.js';
import { VOUCHER_RESULT_CODES } from '../../center/voucher/result-codes.js';
import { POS_VOUCHER_RESULT_CODES } from '../../terminal/agent/roles/voucher/result-codes.js';
import { POS_PASSWORD_RESULT_CODES } from '../../terminal/agent/roles/passwords/result-codes.js';

interface Num { readonly source: string; readonly name: string; readonly n: number; readonly area: string }

/** Every number of one kind from the real registries, with the row that should own it. */
const WIRE: Num[] = [
  ...Object.entries(RESULT_CODES).map(([name, n]) => ({ source: 'center/emoney/result-codes.ts', name, n, area: errorPrefixOwner(name)?.row.area ?? '?' })),
  ...Object.entries(CASH_RESULT_CODES).map(([name, n]) => ({ source: 'center/cash/cash.ts', name, n, area: 'cash' })),
  ...Object.entries(TX_RESULT).map(([name, n]) => ({ source: 'center/server/transaction-registry.ts', name, n, area: 'validity' })),
  ...Object.entries(VOUCHER_RESULT_CODES).map(([name, n]) => ({ source: 'center/voucher/result-codes.ts', name, n, area: 'vouchers' })),
  ...Object.entries(HQ_RESULT_CODES).map(([name, n]) => ({ source: 'center/hq/result-codes.ts', name, n, area: 'vouchers' })),
  ...Object.entries(PREPAID_RESULT_CODES).map(([name, n]) => ({ source: 'center/prepaid/result-codes.ts', name, n, area: 'prepaid' })),
  ...Object.entries(PASSWORD_RESULT_CODES).map(([name, n]) => ({ source: 'center/passwords/result-codes.ts', name, n, area: 'passwords' })),
].filter((x) => x.n !== WIRE_RESULT_OK);
const LEDGER: Num[] = [
  ...Object.entries(MOVE).map(([name, n]) => ({ source: 'center/emoney/ledger-map.ts', name, n, area: 'emoney' })),
  ...Object.entries(CASH_MOVE).map(([name, n]) => ({ source: 'center/cash/ledger-map.ts', name, n, area: 'cash' })),
  { source: 'center/admin/audit-trail.ts', name: 'ADJUSTMENT', n: ADJUSTMENT_LEDGER_CODE, area: 'center' },
  ...Object.entries(PREPAID_MOVE).map(([name, n]) => ({ source: 'center/prepaid/ledger-map.ts', name, n, area: 'prepaid' })),
  ...Object.entries(PASSWORD_MOVE).map(([name, n]) => ({ source: 'center/passwords/ledger-map.ts', name, n, area: 'passwords' })),
];
const MESSAGES: Num[] = Object.entries(MSG).map(([name, n]) => ({ source: 'protocol/codes.ts', name, n, area: ownerOf('messages', n)?.area ?? '?' }));

const duplicates = (xs: readonly Num[]): string[] => {
  const seen = new Map<number, Num>();
  const out: string[] = [];
  for (const x of xs) {
    const o = seen.get(x.n);
    if (o) out.push(`${x.n}: ${o.source} ${o.name} and ${x.source} ${x.name}`);
    else seen.set(x.n, x);
  }
  return out;
};
const outOfRange = (kind: NumberKind, xs: readonly Num[]): string[] =>
  xs.filter((x) => {
    const r = NUMBER_AREAS.find((a) => a.area === x.area)?.[kind];
    return !r || !inRange(x.n, r);
  }).map((x) => `${x.source} ${x.name} = ${x.n} (area ${x.area})`);
const overlaps = (rs: readonly { area: string; r: Range }[]): string[] =>
  rs.flatMap((a, i) => rs.slice(i + 1).filter((b) => a.r[0] <= b.r[1] && b.r[0] <= a.r[1]).map((b) => `${a.area} and ${b.area}`));

describe('core/numbers.ts: one registry of numbers', () => {
  it('gives no two rows overlapping ranges, and no prefix that starts another', () => {
    for (const kind of ['messages', 'wireResults', 'ledger'] as const) {
      const rs = NUMBER_AREAS.flatMap((a) => (a[kind] ? [{ area: a.area, r: a[kind] }] : []));
      expect(overlaps(rs), kind).toEqual([]);
      for (const { r } of rs) expect(r[0] <= r[1] && r[0] >= 0 && r[1] <= (kind === 'messages' ? 0xff : 0xffff), kind).toBe(true);
    }
    expect(new Set(NUMBER_AREAS.map((a) => a.area)).size).toBe(NUMBER_AREAS.length);
    const prefixes = NUMBER_AREAS.flatMap((a) => Object.values(a.errors));
    for (const p of prefixes) {
      expect(p, p).toMatch(/^[A-Z][A-Z0-9]*_$/);
      expect(prefixes.filter((q) => q.startsWith(p)), p).toEqual([p]);
    }
    expect(ownerOf('wireResults', WIRE_RESULT_OK)).toBeUndefined(); // OK belongs to every block, to no row
  });

  it('finds no duplicate and no out-of-range message code', () => {
    expect(MESSAGES.length).toBeGreaterThan(30);
    expect(duplicates(MESSAGES)).toEqual([]);
    expect(MESSAGES.filter((m) => m.area === '?').map((m) => m.name)).toEqual([]);
    // The codes the protocol already holds for the seeds still to come lie in their reserved rows.
    expect(ownerOf('messages', MSG.PREPAID_REQUEST)?.area).toBe('prepaid');
    expect(ownerOf('messages', MSG.VOUCHER_REDEEM_RESULT)?.area).toBe('vouchers');
    expect(ownerOf('messages', MSG.PASSWORD_REDEEM_RESULT)?.area).toBe('passwords');
    expect(ownerOf('messages', MSG.CASH_COLLECTION)?.area).toBe('cash');
    expect(ownerOf('messages', MSG.SETTLE_REFUSED)?.area).toBe('emoney');
    expect(ownerOf('messages', MSG.VALIDITY_NAK)?.area).toBe('validity');
    // NAK reasons are their own u8 space (TAG.REASON): unique among themselves.
    expect(new Set(Object.values(NAK_REASON)).size).toBe(Object.keys(NAK_REASON).length);
  });

  it('finds no duplicate and no out-of-range wire result code', () => {
    expect(WIRE.length).toBeGreaterThan(40);
    expect(duplicates(WIRE)).toEqual([]);
    expect(outOfRange('wireResults', WIRE)).toEqual([]);
  });

  it('finds no duplicate and no out-of-range ledger transfer code', () => {
    expect(LEDGER.length).toBeGreaterThanOrEqual(7);
    expect(duplicates(LEDGER)).toEqual([]);
    expect(outOfRange('ledger', LEDGER)).toEqual([]);
  });

  it("keeps the kiosk's copy of the result-code names equal to the center's table", () => {
    const center = Object.fromEntries(Object.entries(RESULT_CODES).map(([name, n]) => [n, name]));
    expect({ ...KIOSK_RESULT_CODES }).toEqual(center);
  });

  it("keeps the voucher till's copy of the result-code names equal to the center's and the HQ's tables", () => {
    const both = Object.fromEntries(Object.entries(VOUCHER_WIRE_RESULTS).map(([name, n]) => [n, name]));
    expect({ ...POS_VOUCHER_RESULT_CODES }).toEqual(both);
  });

  it("keeps the password till's copy of the result-code names equal to the TTP's table", () => {
    expect({ ...POS_PASSWORD_RESULT_CODES }).toEqual(Object.fromEntries(Object.entries(PASSWORD_RESULT_CODES).map(([name, n]) => [n, name])));
  });

  it('registers every error code under a prefix of its own area, and every named wire result is a registered code', async () => {
    await renderErrorsDoc(); // loads every errors.ts in the tree
    const wrong: string[] = [];
    const registered = new Set<string>();
    for (const [area, specs] of allRegistries()) {
      for (const code of Object.keys(specs)) {
        if (registered.has(code)) wrong.push(`${code} twice`);
        registered.add(code);
        const owner = errorPrefixOwner(code);
        if (owner?.registry !== area) wrong.push(`${area}: ${code} (prefix owned by ${owner?.registry ?? 'nobody'})`);
      }
    }
    expect(registered.size).toBeGreaterThan(50);
    expect(wrong).toEqual([]);
    // Every registry area has a row (a new area registers its prefix in core/numbers.ts).
    const rowRegistries = new Set(NUMBER_AREAS.flatMap((a) => Object.keys(a.errors)));
    expect([...allRegistries().keys()].filter((a) => !rowRegistries.has(a))).toEqual([]);
    const wireNames = [...Object.keys(RESULT_CODES), ...Object.keys(CASH_RESULT_CODES), ...Object.keys(PREPAID_RESULT_CODES), ...Object.keys(VOUCHER_WIRE_RESULTS)].filter((n) => n !== 'OK');
    expect(wireNames.filter((n) => !registered.has(n))).toEqual([]);
  });

  it('gives every code an HTTP route can answer an HTTP status and a registered remedy beside it', async () => {
    await renderErrorsDoc();
    const specs = new Map([...allRegistries().values()].flatMap((r) => Object.entries(r)));
    // The shared surface's answers (all but the two listener-start codes) and the admin API's.
    const surface = Object.keys(HttpErrors).filter((c) => c !== 'HTTP_PLAIN_NOT_LOOPBACK' && c !== 'HTTP_LISTEN_FAILED');
    const answered = [...surface, ...ADMIN_HTTP_ANSWERS];
    expect(answered.length).toBeGreaterThan(20);
    for (const code of answered) {
      const spec = specs.get(code);
      expect(spec?.action.length ?? 0, code).toBeGreaterThan(3);
      const status = spec?.http ?? 0;
      expect(status >= 400 && status <= 599, `${code} has HTTP status ${status}`).toBe(true);
    }
  });
});
