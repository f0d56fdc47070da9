/**
 * The demo's verdict: every kind of disagreement between the terminals, the
 * center's books, the banks and the cards fails its own DEMO_ check (the
 * end-to-end test shows they all pass on a real run).
 */
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../../center/ledger/audit.js';
import type { EmoneyReport } from '../../../center/emoney/reports.js';
import { formatMinor, eventLine } from '../../../sim/demo/progress.js';
import type { DemoEvent } from '../../../sim/demo/script.js';
import { countEvents, judge, type Facts } from '../../../sim/demo/summary.js';

const events: DemoEvent[] = [
  { kind: 'charge', atMs: 600, terminal: 'KIOSK-1', user: 'user1', bankCode: '0001', amountMinor: 8_000, expected: 'BANK_WRONG_PIN', result: 'declined', code: 'BANK_WRONG_PIN', asExpected: true },
  { kind: 'charge', atMs: 2_200, terminal: 'KIOSK-1', user: 'user1', bankCode: '0001', amountMinor: 8_000, expected: 'approved', result: 'approved', code: null, asExpected: true },
  { kind: 'purchase', atMs: 3_000, terminal: 'SHOP-A1', user: 'user1', amountMinor: 1_500, items: 3, expected: 'approved', result: 'approved', code: null, asExpected: true },
  { kind: 'purchase', atMs: 3_800, terminal: 'VEND-1', user: 'user1', amountMinor: 120, product: 'A1', expected: 'approved', result: 'approved', code: null, asExpected: true },
  { kind: 'settle', atMs: 4_000, terminal: 'SHOP-A1', records: 1, amountMinor: 1_500, left: 0, rejected: 0, receipt: 'SETTLE-20260601-100004000-SHOP-A1.JSON', result: 'done', code: null, asExpected: true },
  { kind: 'settle', atMs: 4_100, terminal: 'VEND-1', records: 1, amountMinor: 120, left: 0, rejected: 0, receipt: 'SETTLE-20260601-100004100-VEND-1.JSON', result: 'done', code: null, asExpected: true },
];

const audit = (ok: boolean): AuditReport => ({ ok, accounts: 5, transfers: 4, totals: [], checks: [] });

/** A consistent world after the events above: 8,000 charged at bank 0001, 1,620 spent and settled. */
function facts(): Facts {
  const report: EmoneyReport = {
    shops: [{ shopId: 'SHOP-A', bankCode: '0001', batches: 1, settledMinor: 1_500 }, { shopId: 'VENDING', bankCode: '0001', batches: 1, settledMinor: 120 }],
    banks: [{ bankCode: '0001', chargedMinor: 8_000, settledMinor: 1_620, providerNetMinor: 6_380 }],
    floatMinor: 6_380,
    charges: { declined: 1, issued: 1 },
    batches: { settled: 2 },
    flaggedRecords: 0,
  };
  const before = { usersBankMinor: 50_000, cardsMinor: 0, unsettledMinor: 0, shopsBankMinor: 0, totalMinor: 50_000 };
  const after = { usersBankMinor: 42_000, cardsMinor: 6_380, unsettledMinor: 0, shopsBankMinor: 1_620, totalMinor: 50_000 };
  const banks = [{ bankCode: '0001', chargedMinor: 8_000, settledMinor: 1_620, providerNetMinor: 6_380, providerBalanceMinor: 6_380 }];
  const receipts = {
    receipts: [
      { terminal: 'SHOP-A1', file: 'SETTLE-20260601-100004000-SHOP-A1.JSON', totalMinor: 1_500, records: 1 },
      { terminal: 'VEND-1', file: 'SETTLE-20260601-100004100-VEND-1.JSON', totalMinor: 120, records: 1 },
    ],
    unreadable: [],
  };
  return { events, report, banks, before, after, audits: [{ ledger: 'center', r: audit(true) }], counts: countEvents(events), receipts };
}

const failed = (f: Facts): string[] => judge(f).filter((c) => !c.ok).map((c) => c.code);

describe('demo summary', () => {
  it('counts outcomes and amounts, declines by code', () => {
    const c = countEvents(events);
    expect(c.charges).toEqual({ approved: 1, approvedMinor: 8_000, declined: { BANK_WRONG_PIN: 1 }, failed: 0 });
    expect(c.purchases).toEqual({ approved: 2, amountMinor: 1_620, byTerminal: { 'SHOP-A1': { count: 1, amountMinor: 1_500 }, 'VEND-1': { count: 1, amountMinor: 120 } }, declined: {}, failed: 0, scanned: 1 });
    expect(c.settlements).toEqual({ settled: 2, records: 2, amountMinor: 1_620, failed: 0 });
  });

  it('passes a consistent world', () => {
    expect(failed(facts())).toEqual([]);
  });

  it('fails each disagreement with its code', () => {
    const f = facts();
    expect(failed({ ...f, banks: [{ ...f.banks[0]!, providerBalanceMinor: 6_379 }] })).toEqual(['DEMO_POSITION_MISMATCH']);
    expect(failed({ ...f, report: { ...f.report, floatMinor: 6_390 } })).toEqual(['DEMO_POSITION_MISMATCH']);
    expect(failed({ ...f, after: { ...f.after, shopsBankMinor: 1_630, totalMinor: 50_010 } })).toEqual(['DEMO_MONEY_NOT_CONSERVED']);
    expect(failed({ ...f, audits: [{ ledger: 'bank 0001', r: audit(false) }] })).toEqual(['DEMO_AUDIT_FAILED']);
    expect(failed({ ...f, report: { ...f.report, batches: { settled: 1, acked: 1 } } })).toEqual(['DEMO_SETTLEMENT_INCOMPLETE']);
    expect(failed({ ...f, report: { ...f.report, charges: { declined: 1, issued: 1, approved: 1 } } })).toEqual(['DEMO_SETTLEMENT_INCOMPLETE']);
    const unexpected = events.map((e) => (e.kind === 'charge' && e.expected !== 'approved' ? { ...e, result: 'approved', code: null, asExpected: false } : e));
    expect(failed({ ...f, events: unexpected })).toContain('DEMO_UNEXPECTED_OUTCOME');
    expect(failed({ ...f, report: { ...f.report, charges: { declined: 1, issued: 2 } } })).toEqual(['DEMO_UNEXPECTED_OUTCOME']);
    // Receipts read back from the media: missing, extra, unreadable, or a total / record count that is not what was settled.
    const [ra, rv] = f.receipts.receipts;
    for (const receipts of [[ra!], [ra!, rv!, { ...rv!, file: 'SETTLE-X.JSON' }], [ra!, { ...rv!, totalMinor: 130 }], [{ ...ra!, records: 2 }, rv!]]) {
      expect(failed({ ...f, receipts: { receipts, unreadable: [] } })).toEqual(['DEMO_RECEIPT_MISMATCH']);
    }
    expect(failed({ ...f, receipts: { ...f.receipts, unreadable: ['VEND-1/SETTLE-Y.JSON:DEV_FILE_CORRUPT'] } })).toEqual(['DEMO_RECEIPT_MISMATCH']);
  });

  it('prints one terse line per event with integer amounts', () => {
    expect(formatMinor(1_234_560)).toBe('1,234,560 JPY');
    expect(formatMinor(0)).toBe('0 JPY');
    expect(eventLine(events[0]!)).toBe('   0.6s  KIOSK-1  charge    user1   bank 0001    8,000 JPY  DECLINED BANK_WRONG_PIN (planned decline)');
    expect(eventLine(events[3]!)).toBe('   3.8s  VEND-1   purchase  user1   item A1        120 JPY  ok');
    expect(eventLine(events[2]!)).toBe('   3.0s  SHOP-A1  purchase  user1   3 scanned    1,500 JPY  ok');
    expect(eventLine(events[4]!)).toBe('   4.0s  SHOP-A1  settle    1 records            1,500 JPY  ok, receipt on medium');
    expect(eventLine({ ...(events[4] as Extract<DemoEvent, { kind: 'settle' }>), left: 1, asExpected: false })).toContain('(1 left)');
  });
});
