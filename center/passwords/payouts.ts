/**
 * The TTP pays its shops (seed 003: "the TTP pays the shop"): captured value
 * on `pw-payable@<shop>` is paid to the shop's bank account through the
 * relay of seed 004 (the kit's engine, center/relay/bank-payouts.ts, as the
 * vouchers' and prepaid vendors'), each payout a row whose id is the reconciliation id; the shop's
 * statement and the TTP's daily file for shops.
 *
 *   SHOP_PAID      pw-payable@S  → pw-payouts     a payout decided (its amount leaves the payable)
 *   PAYOUT_SENT    pw-payouts    → pw-bank@B      the bank moved it from the TTP's account at bank B
 *   PAYOUT_FAILED  pw-payouts    → pw-payable@S   the bank refused it for good: payable again
 *
 * The daily file (a business day in the TTP's time zone): one `sale` line
 * per redemption captured, dated by its request (an in-store sale, an
 * online sale, or a reservation: dated by its reservation), one `refund`
 * line per refund and one `payout` line per payout paid that day, each
 * with its shop and id; control totals per shop and for the file (counts and
 * sums; net = sales - refunds). Shops and the TTP reconcile by comparing
 * lines and totals, as the voucher HQs do (PROTOCOL.md §6.5.2).
 */
import { TesseraError } from '../../core/errors.js';
import type { NewAccount, NewTransfer } from '../ledger/types.js';
import type { SqlExecutor, Storage } from '../storage/types.js';
import { bankPayoutOf, BankPayouts, type BankPayout, type BankPayoutSpec } from '../relay/bank-payouts.js';
import { businessDayOf } from '../hq/daily-file.js';
import { applyMoves, derivedId, MOVE, payableOf } from './ledger-map.js';
import { PASSWORDS_LIMITS as L } from './limits.js';

export const PAYOUTS_CLEARING = 'pw-payouts';
export const bankAt = (bankCode: string): string => `pw-bank@${bankCode}`;

export const PASSWORD_PAYOUT_SPEC: BankPayoutSpec = {
  table: 'password_payouts',
  payeeColumn: 'merchant_id',
  idPrefix: 'pp_',
  what: 'password shop payout',
  failedCode: 'BANK_REFUSED',
  claimMs: L.payoutClaimMs,
  sweepBatchMax: L.sweepBatchMax,
  payoutMinorMin: L.payoutMinorMin,
  transferId: (id) => derivedId(id, 'payout-TRANSFER'),
  payableAccount: payableOf,
  centerLedgerAccount: (bankCode, currency) => ({ id: bankAt(bankCode), owner: 'ttp', institution: bankCode, kind: 'provider_at_bank', currency }),
  moves: {
    decided: (shop, id, amountMinor, currency) => transfer('SHOP_PAID', id, payableOf(shop), PAYOUTS_CLEARING, amountMinor, currency),
    sent: (bankCode, id, amountMinor, currency) => transfer('PAYOUT_SENT', id, PAYOUTS_CLEARING, bankAt(bankCode), amountMinor, currency),
    failed: (shop, id, amountMinor, currency) => transfer('PAYOUT_FAILED', id, PAYOUTS_CLEARING, payableOf(shop), amountMinor, currency),
  },
  applyMoves,
};

function transfer(step: 'SHOP_PAID' | 'PAYOUT_SENT' | 'PAYOUT_FAILED', payoutId: string, from: string, to: string, amountMinor: number, currency: string): NewTransfer {
  return { id: derivedId(payoutId, `payout-${step}`), debitAccountId: from, creditAccountId: to, amountMinor, currency, code: MOVE[step], reference: payoutId };
}

/** The payout engine's accounts besides the TTP's at each bank: the clearing account of decided payouts. */
export const payoutsClearingAccount = (currency: string): NewAccount => ({ id: PAYOUTS_CLEARING, owner: 'ttp', kind: 'clearing', currency, flags: { debitsMustNotExceedCredits: true } });

/** A payout config entry naming an id nothing books to (`passwords.payouts.shops[i].merchantId`), with what to put instead. */
export interface UnbookedPayoutShop {
  readonly index: number;
  readonly merchantId: string;
  /** The shop id its sales are booked to, when the entry named a merchant-API merchant id that has one. */
  readonly bookedAs: string | null;
}

/**
 * The payout config's shops that nothing books sales to: an id is booked to
 * when it is a store terminal's owner id (in-store sales), a merchant-API
 * merchant's shop id, or the merchant id of a merchant without a shop id
 * (online sales, merchant-routes.ts bookedIdOf), or already has a payable.
 * Such an entry pays nobody: the center warns at start (PASSWORD_PAYOUT_SHOP_UNKNOWN).
 */
export async function unbookedPayoutShops(storage: Storage, shops: readonly string[]): Promise<UnbookedPayoutShop[]> {
  const booked = new Set<string>();
  const byMerchantId = new Map<string, string>();
  // Each source read on its own: a table of a module that is not installed (no terminals, no merchant API) is simply no source.
  const tryRead = async (sql: string): Promise<Array<Record<string, unknown>>> => {
    try {
      return await storage.read((q) => q.all<Record<string, unknown>>(sql, []));
    } catch {
      return [];
    }
  };
  for (const r of await tryRead("SELECT owner_id FROM terminals WHERE owner_kind = 'store'")) booked.add(String(r['owner_id']));
  for (const r of await tryRead('SELECT id, shop_id FROM merchants')) {
    if (r['shop_id'] === null || r['shop_id'] === undefined) booked.add(String(r['id']));
    else {
      booked.add(String(r['shop_id']));
      byMerchantId.set(String(r['id']), String(r['shop_id']));
    }
  }
  for (const r of await tryRead("SELECT id FROM ledger_accounts WHERE id LIKE 'pw-payable@%'")) booked.add(String(r['id']).slice('pw-payable@'.length));
  return shops.flatMap((merchantId, index) => (booked.has(merchantId) ? [] : [{ index, merchantId, bookedAs: byMerchantId.get(merchantId) ?? null }]));
}

/** One sale of a shop, as its statement lists it (the request id names the till's TRANSACTION_ID: pos:<terminal>:<hex>). */
export interface StatementSale {
  readonly redemptionId: string;
  readonly requestId: string;
  readonly serial: string;
  readonly state: string;
  readonly capturedMinor: number;
  readonly refundedMinor: number;
  readonly atMs: number;
}

export interface PasswordStatement {
  readonly merchantId: string;
  readonly capturedMinor: number;
  readonly refundedMinor: number;
  readonly paidOutMinor: number;
  readonly pendingMinor: number;
  /** Owed and not yet in a payout (negative after a refund of value already paid out). */
  readonly payableMinor: number;
  readonly payouts: readonly BankPayout[];
  /** The latest redemptions, newest first. */
  readonly sales: readonly StatementSale[];
}

export async function statementIn(q: SqlExecutor, payouts: BankPayouts | null, merchantId: string, limit: number): Promise<PasswordStatement> {
  const sums = await q.get(
    'SELECT CAST(COALESCE(SUM(captured), 0) AS TEXT) AS captured, CAST(COALESCE(SUM(refunded), 0) AS TEXT) AS refunded FROM password_redemptions WHERE merchant_id = ?',
    [merchantId],
  );
  const acct = await q.get('SELECT CAST(credits_posted - debits_posted AS TEXT) AS payable FROM ledger_accounts WHERE id = ?', [payableOf(merchantId)]);
  const paid = await q.get(
    `SELECT CAST(COALESCE(SUM(CASE WHEN state = 'paid' THEN amount ELSE 0 END), 0) AS TEXT) AS paid,
            CAST(COALESCE(SUM(CASE WHEN state = 'pending' THEN amount ELSE 0 END), 0) AS TEXT) AS pending
     FROM password_payouts WHERE merchant_id = ?`,
    [merchantId],
  );
  const list = payouts ? (await payouts.list(q, merchantId, limit)).map(bankPayoutOf) : [];
  const sales = await q.all<Record<string, unknown>>(
    'SELECT id, request_id, password_id, state, captured, refunded, created_ms FROM password_redemptions WHERE merchant_id = ? ORDER BY created_ms DESC, id LIMIT ?',
    [merchantId, limit],
  );
  return {
    merchantId, capturedMinor: Number(sums?.['captured'] ?? 0), refundedMinor: Number(sums?.['refunded'] ?? 0), paidOutMinor: Number(paid?.['paid'] ?? 0), pendingMinor: Number(paid?.['pending'] ?? 0),
    payableMinor: Number(acct?.['payable'] ?? 0), payouts: list,
    sales: sales.map((r) => ({
      redemptionId: String(r['id']), requestId: String(r['request_id']), serial: String(r['password_id']), state: String(r['state']),
      capturedMinor: Number(r['captured']), refundedMinor: Number(r['refunded']), atMs: Number(r['created_ms']),
    })),
  };
}

export interface DailyLine {
  readonly kind: 'sale' | 'refund' | 'payout';
  readonly merchantId: string;
  /** The redemption, refund or payout id (a payout's is its reconciliation id). */
  readonly id: string;
  readonly amountMinor: number;
}

export interface ShopTotals {
  readonly merchantId: string;
  readonly sales: number;
  readonly salesMinor: number;
  readonly refunds: number;
  readonly refundedMinor: number;
  readonly payouts: number;
  readonly paidOutMinor: number;
  readonly netMinor: number;
}

export interface ShopDailyFile {
  readonly businessDay: string;
  readonly timeZone: string;
  readonly lines: readonly DailyLine[];
  readonly shops: readonly ShopTotals[];
  /** The file's control totals: the sums of the shops'. */
  readonly totals: Omit<ShopTotals, 'merchantId'> & { readonly lines: number };
}

/** The day's file for every shop (merchantId null) or one. */
export async function dailyFileIn(q: SqlExecutor, day: string, timeZone: string, merchantId: string | null): Promise<ShopDailyFile> {
  const dayMs = Date.parse(`${day}T00:00:00Z`);
  // The round trip refuses days a month does not have (2026-02-30 parses as 2026-03-02).
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(day) || Number.isNaN(dayMs) || new Date(dayMs).toISOString().slice(0, 10) !== day) throw new TesseraError('PASSWORD_BAD_REQUEST', 'the business day is not YYYY-MM-DD', { field: 'day' });
  const dayOf = businessDayOf(timeZone);
  const noon = Date.parse(`${day}T12:00:00Z`);
  const window = [noon - 36 * 3_600_000, noon + 36 * 3_600_000, ...(merchantId === null ? [] : [merchantId])];
  const shop = merchantId === null ? '' : ' AND merchant_id = ?';
  const rows = async (sql: string): Promise<Array<{ id: string; merchant_id: string; amount: unknown; at: unknown }>> => (await q.all(`${sql}${shop} ORDER BY id`, window)) as never;
  const lines: DailyLine[] = [];
  const add = (kind: DailyLine['kind'], rs: Awaited<ReturnType<typeof rows>>): void => {
    for (const r of rs) if (dayOf(Number(r.at)) === day) lines.push({ kind, merchantId: r.merchant_id, id: r.id, amountMinor: Number(r.amount) });
  };
  add('sale', await rows('SELECT id, merchant_id, captured AS amount, created_ms AS at FROM password_redemptions WHERE captured > 0 AND created_ms BETWEEN ? AND ?'));
  add('refund', await rows('SELECT id, merchant_id, amount, created_ms AS at FROM password_refunds WHERE created_ms BETWEEN ? AND ?'));
  add('payout', await rows("SELECT id, merchant_id, amount, updated_ms AS at FROM password_payouts WHERE state = 'paid' AND updated_ms BETWEEN ? AND ?"));
  const shops = [...new Set(lines.map((l) => l.merchantId))].sort().map((m) => totalsOf(m, lines.filter((l) => l.merchantId === m)));
  const sum = (k: keyof Omit<ShopTotals, 'merchantId'>): number => shops.reduce((s, x) => s + x[k], 0);
  return {
    businessDay: day, timeZone, lines, shops,
    totals: { lines: lines.length, sales: sum('sales'), salesMinor: sum('salesMinor'), refunds: sum('refunds'), refundedMinor: sum('refundedMinor'), payouts: sum('payouts'), paidOutMinor: sum('paidOutMinor'), netMinor: sum('netMinor') },
  };
}

function totalsOf(merchantId: string, ls: readonly DailyLine[]): ShopTotals {
  const of = (k: DailyLine['kind']): [number, number] => {
    const x = ls.filter((l) => l.kind === k);
    return [x.length, x.reduce((s, l) => s + l.amountMinor, 0)];
  };
  const [sales, salesMinor] = of('sale');
  const [refunds, refundedMinor] = of('refund');
  const [payouts, paidOutMinor] = of('payout');
  return { merchantId, sales, salesMinor, refunds, refundedMinor, payouts, paidOutMinor, netMinor: salesMinor - refundedMinor };
}
