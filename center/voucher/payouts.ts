/**
 * Shop payouts (seed 002 flow 3): the captured value owed to an online shop
 * (`voucher-shop@<merchant>`) is paid periodically by a bank transfer through
 * the relay of seed 004, from the settlement center's own account at the
 * shop's bank to the shop's account there (the bank simulator has no
 * transfers between banks). Each payout is a row whose id is its
 * reconciliation id; the bank transfer id is derived from it, so a retry
 * after a crash or an unreachable bank is the same transfer.
 *
 *   sweep: payable > 0 and no payout pending → payout `pending` (SHOP_PAID: shop → voucher-payouts)
 *   pending ─claim─► bank transfer ─approved─► paid   (PAYOUT_SENT: voucher-payouts → voucher-center@B)
 *                                  ─declined─► failed (PAYOUT_FAILED: voucher-payouts → shop, payable again)
 *                                  ─unknown / short of funds─► pending (claim released, retried next sweep)
 *
 * One pending payout per shop (a unique index): two nodes sweeping at once
 * create one. The node that claims a pending payout (kit callClaims) is the
 * only one calling the bank for it. The engine is the kit's
 * (center/relay/bank-payouts.ts), shared with the prepaid vendors' payouts;
 * this file gives it the voucher table, accounts and moves.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import {
  BANK_PAYOUT_STATES, bankPayoutOf, bankPayoutRows, BankPayouts, PAYOUT_STATE_LIST, type BankPayout, type BankPayoutRow, type BankPayoutSpec, type BankPayoutSweep, type CenterAccount, type PayoutState,
} from '../relay/bank-payouts.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Relay } from '../relay/relay.js';
import type { AccountRef } from '../relay/types.js';
import type { SqlExecutor, Storage } from '../storage/types.js';
import { applyMoves, centerAt, centerLedgerAccount, move, PAYOUTS, shopAccount, voucherId } from './ledger-map.js';
import { VOUCHER_LIMITS as L } from './limits.js';

export { PAYOUT_STATE_LIST, type CenterAccount, type PayoutState };
export const PAYOUT_STATES = BANK_PAYOUT_STATES;
export const PAYOUT_ROWS = bankPayoutRows('voucher_payouts', 'merchant_id');
export type PayoutRow = BankPayoutRow;
export type Payout = BankPayout;
export const payoutOf = bankPayoutOf;

export interface PayoutConfig {
  readonly relay: Relay;
  /** Where each shop (merchant id) is paid. */
  readonly shops: ReadonlyMap<string, AccountRef>;
  /** The center's account at each bank. */
  readonly centerAccounts: ReadonlyMap<string, CenterAccount>;
}

/** The voucher capability's payouts on the kit's engine (center/relay/bank-payouts.ts): its table, accounts and moves. */
export const VOUCHER_PAYOUT_SPEC: BankPayoutSpec = {
  table: 'voucher_payouts',
  payeeColumn: 'merchant_id',
  idPrefix: 'vp_',
  what: 'voucher shop payout',
  failedCode: 'VOUCHER_PAYOUT_FAILED',
  claimMs: L.payoutClaimMs,
  sweepBatchMax: L.sweepBatchMax,
  payoutMinorMin: L.payoutMinorMin,
  transferId: (id) => voucherId('PAYOUT', id),
  payableAccount: shopAccount,
  centerLedgerAccount,
  moves: {
    decided: (shop, id, amount, currency) => move('SHOP_PAID', shopAccount(shop), PAYOUTS, amount, currency, [id]),
    sent: (bankCode, id, amount, currency) => move('PAYOUT_SENT', PAYOUTS, centerAt(bankCode), amount, currency, [id]),
    failed: (shop, id, amount, currency) => move('PAYOUT_FAILED', PAYOUTS, shopAccount(shop), amount, currency, [id]),
  },
  applyMoves,
};

export class Payouts {
  private readonly engine: BankPayouts;
  constructor(d: { storage: Storage; ledger: Ledger; clock: Clock; random: Random; log: Logger; currency: string; config: PayoutConfig }) {
    this.engine = new BankPayouts(VOUCHER_PAYOUT_SPEC, { ...d, config: { relay: d.config.relay, payees: d.config.shops, centerAccounts: d.config.centerAccounts } });
  }

  ensureAccounts(): Promise<void> {
    return this.engine.ensureAccounts();
  }

  /** One pass: a payout decided for every shop with a payable and none pending, then every pending payout no node is paying. */
  sweep(): Promise<BankPayoutSweep> {
    return this.engine.sweep();
  }
}

/** A shop's statement: what it was paid and what it is owed, with its payouts (newest first). */
export interface VoucherStatement {
  readonly merchantId: string;
  readonly currency: string;
  /** Captured over all time (refunds are counted apart). */
  readonly capturedMinor: number;
  readonly refundedMinor: number;
  readonly paidOutMinor: number;
  readonly pendingMinor: number;
  /** Owed and not yet in a payout (may be negative after a refund of value already paid out). */
  readonly payableMinor: number;
  readonly payouts: readonly Payout[];
}

export async function statementOf(q: SqlExecutor, merchantId: string, currency: string, limit: number): Promise<VoucherStatement> {
  const sums = await q.get(
    `SELECT CAST(COALESCE(SUM(captured), 0) AS TEXT) AS captured, CAST(COALESCE(SUM(refunded), 0) AS TEXT) AS refunded FROM voucher_redemptions WHERE merchant_id = ?`,
    [merchantId],
  );
  const paid = await q.get(
    `SELECT CAST(COALESCE(SUM(CASE WHEN state = 'paid' THEN amount ELSE 0 END), 0) AS TEXT) AS paid,
            CAST(COALESCE(SUM(CASE WHEN state = 'pending' THEN amount ELSE 0 END), 0) AS TEXT) AS pending
     FROM voucher_payouts WHERE merchant_id = ?`,
    [merchantId],
  );
  const acct = await q.get('SELECT CAST(credits_posted - debits_posted AS TEXT) AS payable FROM ledger_accounts WHERE id = ?', [shopAccount(merchantId)]);
  const payouts = await PAYOUT_ROWS.all(q, 'WHERE merchant_id = ? ORDER BY created_ms DESC, id LIMIT ?', [merchantId, limit]);
  return {
    merchantId,
    currency,
    capturedMinor: Number(sums?.['captured'] ?? 0),
    refundedMinor: Number(sums?.['refunded'] ?? 0),
    paidOutMinor: Number(paid?.['paid'] ?? 0),
    pendingMinor: Number(paid?.['pending'] ?? 0),
    payableMinor: Number(acct?.['payable'] ?? 0),
    payouts: payouts.map(payoutOf),
  };
}
