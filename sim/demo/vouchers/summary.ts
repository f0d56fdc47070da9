/**
 * The end of the voucher scene: what happened (from the tills', the web
 * shop's and the HQ's own answers), what the books say (the center's cards
 * and redemptions, the HQ's and the center's daily files, the ledger audit
 * with the voucher checks), and whether money was conserved: the money the
 * stores took for the cards they sold equals the value still on the cards,
 * plus the value held by open authorisations, plus the value the shop was
 * paid (captured, net of refunds). Every failed check names its DEMO_ code.
 */
import { auditLedger } from '../../../center/ledger/audit.js';
import { buildDailyFile } from '../../../center/hq/daily-file.js';
import type { Storage } from '../../../center/storage/types.js';
import type { HqDailyFile, VoucherApi } from '../../../center/voucher/api.js';
import { VOUCHER_AUDIT } from '../../../center/voucher/audit-check.js';
import type { Check } from '../check.js';
import type { HqFileEvent, IssueEvent, OrderEvent, PayoutEvent, SaleEvent, VoucherSceneRun } from './scene.js';
import { VOUCHER_CHAIN } from './plan.js';

export interface VoucherSummary {
  readonly printed: number;
  readonly sales: { approved: number; amountMinor: number; byTill: Record<string, number>; failed: number };
  readonly orders: { paid: number; amountMinor: number; multiCard: number; refused: Record<string, number>; failed: number };
  readonly shipped: number;
  /** The center's cards by state: count and value on them. */
  readonly cards: Record<string, { count: number; balanceMinor: number; heldMinor: number }>;
  /** The shop's redemptions at the center: captured net of refunds. */
  readonly redeemedMinor: number;
  readonly storesTookMinor: number;
  /** Paid out to the shop (its statement) and the shop's bank balance. */
  readonly paidOutMinor: number;
  readonly shopBankMinor: number;
  readonly onCardsMinor: number;
  readonly heldMinor: number;
  readonly hqDays: Array<{ day: string; activations: number; netFaceMinor: number; dueMinor: number; agrees: boolean }>;
  readonly audit: { ok: boolean; accounts: number; transfers: number; failed: string[] };
  readonly checks: Check[];
}

interface CardRow extends Record<string, unknown> {
  state: string;
  n: number;
  balance: number;
  held: number;
}

export async function summarizeVouchers(run: VoucherSceneRun, o: { storage: Storage; api: VoucherApi }): Promise<VoucherSummary> {
  const events = run.events;
  const sales = events.filter((e): e is SaleEvent => e.kind === 'sale');
  const orders = events.filter((e): e is OrderEvent => e.kind === 'order');
  const reconciled = events.filter((e): e is HqFileEvent => e.kind === 'hq-file');
  const sold = sales.filter((e) => e.result === 'approved');
  const payout = events.find((e): e is PayoutEvent => e.kind === 'payout');
  const paid = orders.filter((e) => e.result === 'paid' || e.result === 'authorized');
  const byTill: Record<string, number> = {};
  for (const s of sold) byTill[s.terminal] = (byTill[s.terminal] ?? 0) + 1;
  const refused: Record<string, number> = {};
  for (const x of orders.filter((e) => e.result === 'refused')) refused[x.code ?? 'refused'] = (refused[x.code ?? 'refused'] ?? 0) + 1;

  const rows = await o.storage.read((q) =>
    q.all<CardRow>('SELECT state, COUNT(*) AS n, COALESCE(SUM(balance), 0) AS balance, COALESCE(SUM(held), 0) AS held FROM voucher_cards WHERE hq_id = ? GROUP BY state ORDER BY state', [VOUCHER_CHAIN.hqId]),
  );
  const cards: VoucherSummary['cards'] = {};
  for (const r of rows) cards[r.state] = { count: Number(r.n), balanceMinor: Number(r.balance), heldMinor: Number(r.held) };
  const merchantId = run.shop?.merchantId ?? '';
  const red = await o.storage.read((q) =>
    q.get<{ captured: number; refunded: number }>('SELECT COALESCE(SUM(captured), 0) AS captured, COALESCE(SUM(refunded), 0) AS refunded FROM voucher_redemptions WHERE merchant_id = ?', [merchantId]),
  );
  const redeemedMinor = Number(red?.captured ?? 0) - Number(red?.refunded ?? 0);
  const onCardsMinor = Object.values(cards).reduce((s, c) => s + c.balanceMinor, 0);
  const heldMinor = Object.values(cards).reduce((s, c) => s + c.heldMinor, 0);
  const storesTookMinor = sold.reduce((s, e) => s + e.amountMinor, 0);

  const files: Array<{ day: string; hq: HqDailyFile | null; center: HqDailyFile | null; reconciled: boolean }> = [];
  for (const day of run.days) {
    const hq = run.chain ? await run.chain.hqStorage.read((q) => buildDailyFile(q, run.chain!.section, day)) : null;
    const center = await o.api.dailyFile(VOUCHER_CHAIN.hqId, day).catch(() => null);
    files.push({ day, hq, center, reconciled: reconciled.some((r) => r.day === day && r.result === 'done' && r.differences === 0) });
  }
  const audit = await auditLedger(o.storage, [VOUCHER_AUDIT]);
  const auditFailed = audit.checks.filter((c) => !c.ok).map((c) => c.name);

  const activated = Object.entries(cards).filter(([state]) => state !== 'issued' && state !== 'voided').reduce((s, [, c]) => s + c.count, 0);
  const unsold = cards['issued'];
  const checks: Check[] = [
    { code: 'DEMO_UNEXPECTED_OUTCOME', name: 'vouchers: every step ended as planned (sales at the tills, payments at the web shop and the planned refusal, shipping, the payout, the HQ\'s daily file)', ok: events.length > 0 && events.every((e) => e.asExpected) },
    {
      code: 'DEMO_UNEXPECTED_OUTCOME',
      name: 'vouchers: the center activated exactly the cards the tills sold; the cards left on the rack hold nothing',
      ok: activated === sold.length && (unsold === undefined || (unsold.balanceMinor === 0 && unsold.heldMinor === 0)),
    },
    {
      code: 'DEMO_MONEY_NOT_CONSERVED',
      name: 'vouchers: money the stores took = value on the cards + value held + value redeemed by the shop',
      ok: storesTookMinor > 0 && storesTookMinor === onCardsMinor + heldMinor + redeemedMinor,
    },
    {
      code: 'DEMO_POSITION_MISMATCH',
      name: "vouchers: the HQ's daily file = the center's (lines and control totals), its net face value = what the stores took, due = net less commission",
      ok:
        files.length > 0 &&
        files.every((f) => f.reconciled && f.hq !== null && f.center !== null && sameFile(f.hq, f.center) && f.hq.dueMinor === f.hq.netFaceMinor - f.hq.commissionMinor) &&
        files.reduce((s, f) => s + (f.hq?.netFaceMinor ?? 0), 0) === storesTookMinor,
    },
    {
      code: 'DEMO_POSITION_MISMATCH',
      name: "vouchers: what the web shop's orders were paid = what the center's redemptions captured for it",
      ok: paid.reduce((s, e) => s + e.amountMinor, 0) === redeemedMinor,
    },
    {
      code: 'DEMO_SETTLEMENT_INCOMPLETE',
      name: "vouchers: the shop was paid out what it was paid (its statement and its bank account), nothing left payable",
      ok: payout !== undefined && payout.result === 'done' && payout.paidOutMinor === redeemedMinor && payout.bankMinor === redeemedMinor,
    },
    { code: 'DEMO_AUDIT_FAILED', name: 'vouchers: ledger audit of the center with the voucher checks (liability = value on the cards)', ok: audit.ok },
  ];
  return {
    printed: events.filter((e): e is IssueEvent => e.kind === 'issue').reduce((s, e) => s + e.count, 0),
    sales: { approved: sold.length, amountMinor: storesTookMinor, byTill, failed: sales.length - sold.length },
    orders: { paid: paid.length, amountMinor: paid.reduce((s, e) => s + e.amountMinor, 0), multiCard: paid.filter((e) => e.cards > 1).length, refused, failed: orders.filter((e) => e.result === 'error' || e.result === 'in-doubt').length },
    shipped: events.filter((e) => e.kind === 'ship' && e.asExpected).length,
    cards,
    redeemedMinor,
    storesTookMinor,
    paidOutMinor: payout?.paidOutMinor ?? 0,
    shopBankMinor: payout?.bankMinor ?? 0,
    onCardsMinor,
    heldMinor,
    hqDays: files.map((f) => ({ day: f.day, activations: f.hq?.activations ?? 0, netFaceMinor: f.hq?.netFaceMinor ?? 0, dueMinor: f.hq?.dueMinor ?? 0, agrees: f.reconciled && f.hq !== null && f.center !== null && sameFile(f.hq, f.center) })),
    audit: { ok: audit.ok, accounts: audit.accounts, transfers: audit.transfers, failed: auditFailed },
    checks,
  };
}

/** The two files agree: control totals, and the same lines (by request id, serial, amount, kind). */
function sameFile(a: HqDailyFile, b: HqDailyFile): boolean {
  const key = (f: HqDailyFile): string[] => f.lines.map((l) => `${l.requestId}|${l.serial}|${l.amount}|${l.kind}`).sort();
  return (
    a.activations === b.activations && a.activatedMinor === b.activatedMinor && a.voids === b.voids && a.voidedMinor === b.voidedMinor &&
    a.netFaceMinor === b.netFaceMinor && a.commissionMinor === b.commissionMinor && a.dueMinor === b.dueMinor && JSON.stringify(key(a)) === JSON.stringify(key(b))
  );
}
