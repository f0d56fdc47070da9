/**
 * The end of a run: what happened (counts and amounts from the terminals'
 * outcomes), what the books say (the center's e-money report, the banks'
 * balances of the provider's accounts), whether money was conserved, the
 * settlement receipts read back from the shops' media, and the ledger audit
 * of the center and of each bank. Every check that fails
 * names its DEMO_ code; the run passes only when all pass.
 */
import { auditLedger, type AuditReport } from '../../center/ledger/audit.js';
import { emoneyReport, type EmoneyReport } from '../../center/emoney/reports.js';
import type { Clock } from '../../core/clock.js';
import type { DemoCast } from './cast.js';
import { DEMO_LIMITS } from './limits.js';
import type { DemoCode } from './errors.js';
import { readReceipts, type DemoReceipts } from './media.js';
import { moneySnapshot, type MoneySnapshot } from './money.js';
import type { ChargeEvent, DemoEvent, PurchaseEvent, SettleEvent } from './script.js';
import type { DemoWorld } from './world.js';
import type { VoucherSummary } from './vouchers/summary.js';
import type { PasswordSummary } from './passwords/summary.js';
import type { PrepaidSummary } from './prepaid/summary.js';

export interface BankPosition {
  readonly bankCode: string;
  readonly chargedMinor: number;
  readonly settledMinor: number;
  /** The provider's net position at this bank in the center's ledger. */
  readonly providerNetMinor: number;
  /** The bank's own balance of the provider's account. */
  readonly providerBalanceMinor: number;
}

export type { Check } from './check.js';
import type { Check } from './check.js';

export interface DemoSummary {
  readonly charges: { approved: number; approvedMinor: number; declined: Record<string, number>; failed: number };
  readonly purchases: {
    approved: number; amountMinor: number; byTerminal: Record<string, { count: number; amountMinor: number }>; declined: Record<string, number>; failed: number;
    /** Approved purchases paid for goods scanned at the till. */
    scanned: number;
  };
  readonly settlements: { settled: number; records: number; amountMinor: number; failed: number };
  /** Settlement receipts read back from the shops' media. */
  readonly receipts: { written: number; totalMinor: number; unreadable: number };
  readonly banks: BankPosition[];
  /** E-money the center says is out (on cards and in unsettled records). */
  readonly floatMinor: number;
  readonly money: { before: MoneySnapshot; after: MoneySnapshot };
  readonly audits: Array<{ ledger: string; ok: boolean; accounts: number; transfers: number }>;
  readonly centerCharges: Record<string, number>;
  readonly centerBatches: Record<string, number>;
  readonly checks: Check[];
  readonly ok: boolean;
  /** The voucher scene's summary (its checks are in `checks` too). */
  readonly vouchers?: VoucherSummary;
  /** The settlement-password scene's summary (its checks are in `checks` too). */
  readonly passwords?: PasswordSummary;
  /** The prepaid-medium scene's summary (its checks are in `checks` too). */
  readonly prepaid?: PrepaidSummary;
}

/** Charge states that mean money or a card credit is still on its way. */
const CHARGE_IN_FLIGHT = ['requested', 'approved', 'authorized', 'unknown', 'reversing'];

/**
 * Waits (bounded by DEMO_LIMITS.settleInFlightMs) until no charge is in
 * flight: a kiosk step that gave up leaves its charge to the sweep, which
 * reverses it within a few sweeps; the money checks must see the end state,
 * not a reversal half done. Returns the charges still in flight (0 normally).
 */
export async function waitForChargesSettled(world: DemoWorld, clock: Clock): Promise<number> {
  const deadline = clock.monoMs() + DEMO_LIMITS.settleInFlightMs;
  for (;;) {
    await world.center.emoney.idle();
    const { charges } = await emoneyReport(world.center.storage);
    const inFlight = CHARGE_IN_FLIGHT.reduce((s, k) => s + (charges[k] ?? 0), 0);
    if (inFlight === 0 || clock.monoMs() >= deadline) return inFlight;
    await clock.sleep(DEMO_LIMITS.sweepIntervalMs);
  }
}

export async function summarize(world: DemoWorld, cast: DemoCast, events: readonly DemoEvent[], before: MoneySnapshot): Promise<DemoSummary> {
  const report = await emoneyReport(world.center.storage);
  const after = await moneySnapshot(world, cast);
  const banks = await positions(world, cast, report);
  const audits = await auditAll(world);
  const receipts = await readReceipts(world.drives);
  const counts = countEvents(events);
  const checks = judge({ events, report, banks, before, after, audits, counts, receipts });
  return {
    ...counts,
    receipts: { written: receipts.receipts.length, totalMinor: receipts.receipts.reduce((s, r) => s + r.totalMinor, 0), unreadable: receipts.unreadable.length },
    banks,
    floatMinor: report.floatMinor,
    money: { before, after },
    audits: audits.map(({ ledger, r }) => ({ ledger, ok: r.ok, accounts: r.accounts, transfers: r.transfers })),
    centerCharges: report.charges,
    centerBatches: report.batches,
    checks,
    ok: checks.every((c) => c.ok),
  };
}

async function positions(world: DemoWorld, cast: DemoCast, report: EmoneyReport): Promise<BankPosition[]> {
  const out: BankPosition[] = [];
  for (const p of cast.provider) {
    const line = report.banks.find((b) => b.bankCode === p.bankCode);
    out.push({
      bankCode: p.bankCode,
      chargedMinor: line?.chargedMinor ?? 0,
      settledMinor: line?.settledMinor ?? 0,
      providerNetMinor: line?.providerNetMinor ?? 0,
      providerBalanceMinor: await world.banks.balance(p),
    });
  }
  return out;
}

async function auditAll(world: DemoWorld): Promise<Array<{ ledger: string; r: AuditReport }>> {
  const out = [{ ledger: 'center', r: await auditLedger(world.center.storage) }];
  for (const [code, b] of world.banks.byCode) out.push({ ledger: `bank ${code}`, r: await auditLedger(b.host.storage) });
  return out;
}

export function countEvents(events: readonly DemoEvent[]): Pick<DemoSummary, 'charges' | 'purchases' | 'settlements'> {
  const charges = events.filter((e): e is ChargeEvent => e.kind === 'charge');
  const purchases = events.filter((e): e is PurchaseEvent => e.kind === 'purchase');
  const settles = events.filter((e): e is SettleEvent => e.kind === 'settle');
  const ok = (e: DemoEvent): boolean => e.result === 'approved' || e.result === 'done';
  const sum = (xs: readonly { amountMinor: number }[]): number => xs.reduce((s, x) => s + x.amountMinor, 0);
  const declines = (xs: readonly DemoEvent[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const x of xs.filter((e) => e.result === 'declined')) out[x.code ?? 'declined'] = (out[x.code ?? 'declined'] ?? 0) + 1;
    return out;
  };
  const byTerminal: Record<string, { count: number; amountMinor: number }> = {};
  for (const p of purchases.filter(ok)) {
    const t = (byTerminal[p.terminal] ??= { count: 0, amountMinor: 0 });
    t.count += 1;
    t.amountMinor += p.amountMinor;
  }
  const settled = settles.filter((e) => ok(e) && e.left === 0);
  return {
    charges: { approved: charges.filter(ok).length, approvedMinor: sum(charges.filter(ok)), declined: declines(charges), failed: charges.filter((e) => !ok(e) && e.result !== 'declined').length },
    purchases: {
      approved: purchases.filter(ok).length, amountMinor: sum(purchases.filter(ok)), byTerminal, declined: declines(purchases),
      failed: purchases.filter((e) => !ok(e) && e.result !== 'declined').length, scanned: purchases.filter((e) => ok(e) && e.items !== undefined).length,
    },
    settlements: { settled: settled.length, records: settled.reduce((s, e) => s + e.records, 0), amountMinor: sum(settled), failed: settles.length - settled.length },
  };
}

export interface Facts {
  readonly events: readonly DemoEvent[];
  readonly report: EmoneyReport;
  readonly banks: readonly BankPosition[];
  readonly before: MoneySnapshot;
  readonly after: MoneySnapshot;
  readonly audits: ReadonlyArray<{ ledger: string; r: AuditReport }>;
  readonly counts: Pick<DemoSummary, 'charges' | 'purchases' | 'settlements'>;
  readonly receipts: DemoReceipts;
}

export function judge(f: Facts): Check[] {
  const inFlight = CHARGE_IN_FLIGHT.reduce((s, k) => s + (f.report.charges[k] ?? 0), 0);
  const batchesNotSettled = Object.entries(f.report.batches).filter(([state]) => state !== 'settled').reduce((s, [, n]) => s + n, 0);
  const settledTotal = f.report.shops.reduce((s, x) => s + x.settledMinor, 0);
  return [
    { code: 'DEMO_UNEXPECTED_OUTCOME', name: 'every step ended as planned (approvals and declines)', ok: f.events.every((e) => e.kind === 'settle' || e.asExpected) },
    {
      code: 'DEMO_UNEXPECTED_OUTCOME',
      name: 'the center issued what the kiosks credited and settled what the shops sold',
      ok: (f.report.charges['issued'] ?? 0) === f.counts.charges.approved && settledTotal === f.counts.purchases.amountMinor,
    },
    {
      code: 'DEMO_SETTLEMENT_INCOMPLETE',
      name: 'every shop settled and paid; no charge left in flight',
      ok: f.events.filter((e) => e.kind === 'settle').every((e) => e.asExpected) && f.after.unsettledMinor === 0 && batchesNotSettled === 0 && inFlight === 0,
    },
    { code: 'DEMO_POSITION_MISMATCH', name: "provider's net position = bank's balance of its account, per bank", ok: f.banks.every((b) => b.providerNetMinor === b.providerBalanceMinor) },
    { code: 'DEMO_POSITION_MISMATCH', name: 'e-money float = e-money on cards + unsettled records', ok: f.report.floatMinor === f.after.cardsMinor + f.after.unsettledMinor },
    { code: 'DEMO_MONEY_NOT_CONSERVED', name: "users' bank + cards + unsettled records + shops' bank unchanged", ok: f.before.totalMinor === f.after.totalMinor },
    {
      code: 'DEMO_RECEIPT_MISMATCH',
      name: "a receipt on each shop's medium per settlement, its total = the settled total",
      ok: receiptsAgree(f.events, f.receipts) && f.receipts.receipts.reduce((s, r) => s + r.totalMinor, 0) === settledTotal,
    },
    { code: 'DEMO_AUDIT_FAILED', name: 'ledger audit of the center and of each bank', ok: f.audits.every((a) => a.r.ok) },
  ];
}

/** Every settlement that settled records left exactly one readable receipt on its shop's medium, for what it settled; no other receipt. */
function receiptsAgree(events: readonly DemoEvent[], r: DemoReceipts): boolean {
  const settled = events.filter((e): e is SettleEvent => e.kind === 'settle' && e.result === 'done' && e.records > 0);
  if (r.unreadable.length > 0 || r.receipts.length !== settled.length) return false;
  return settled.every((e) => {
    const mine = r.receipts.filter((x) => x.terminal === e.terminal);
    return mine.length === 1 && mine[0]!.totalMinor === e.amountMinor && mine[0]!.records === e.records;
  });
}
