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
 * only one calling the bank for it.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { callClaims, UNCLAIMED } from '../kit/claims.js';
import { int, nullable, oneOf, rowMapper, text, type MappedRow } from '../kit/rows.js';
import { stateMachine, updateState } from '../kit/transitions.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Relay } from '../relay/relay.js';
import type { AccountRef } from '../relay/types.js';
import type { SqlExecutor, Storage } from '../storage/types.js';
import { applyMoves, centerAt, centerLedgerAccount, move, PAYOUTS, shopAccount, voucherId } from './ledger-map.js';
import { VOUCHER_LIMITS as L } from './limits.js';

export const PAYOUT_STATE_LIST = ['pending', 'paid', 'failed'] as const;
export type PayoutState = (typeof PAYOUT_STATE_LIST)[number];

export const PAYOUT_STATES = stateMachine<PayoutState>('voucher payout', {
  initial: ['pending'],
  next: { pending: ['paid', 'failed'], paid: [], failed: [] },
});

export const PAYOUT_ROWS = rowMapper('voucher_payouts', {
  id: text('id'),
  merchantId: text('merchant_id'),
  bankCode: text('bank_code'),
  state: oneOf('state', PAYOUT_STATE_LIST),
  amount: int('amount'),
  currency: text('currency'),
  transferId: text('transfer_id'),
  code: nullable(text('code')),
  claimUntilMs: nullable(int('claim_until_ms')),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
});
export type PayoutRow = MappedRow<typeof PAYOUT_ROWS>;

/** The center's own account at a bank, with its security code (read from its 0600 file; never stored or logged). */
export interface CenterAccount extends AccountRef {
  readonly securityCode: string;
}

export interface PayoutConfig {
  readonly relay: Relay;
  /** Where each shop (merchant id) is paid. */
  readonly shops: ReadonlyMap<string, AccountRef>;
  /** The center's account at each bank. */
  readonly centerAccounts: ReadonlyMap<string, CenterAccount>;
}

/** A payout as the shop's statement shows it. */
export interface Payout {
  /** The reconciliation id (also on the shop's bank statement through the transfer id). */
  readonly payoutId: string;
  readonly state: PayoutState;
  readonly amountMinor: number;
  readonly currency: string;
  readonly bankCode: string;
  /** The bank transfer's id (32 hex), derived from the payout id. */
  readonly transferId: string;
  readonly code: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export const payoutOf = (p: PayoutRow): Payout => ({
  payoutId: p.id, state: p.state, amountMinor: p.amount, currency: p.currency, bankCode: p.bankCode, transferId: p.transferId, code: p.code, createdAtMs: p.createdMs, updatedAtMs: p.updatedMs,
});

const CALLS = callClaims('voucher_payouts', L.payoutClaimMs);

export class Payouts {
  constructor(
    private readonly d: { storage: Storage; ledger: Ledger; clock: Clock; random: Random; log: Logger; currency: string; config: PayoutConfig },
  ) {}

  async ensureAccounts(): Promise<void> {
    await this.d.ledger.createAccounts([...this.d.config.centerAccounts.keys()].map((b) => centerLedgerAccount(b, this.d.currency)));
  }

  /** One pass: a payout decided for every shop with a payable and none pending, then every pending payout no node is paying. */
  async sweep(): Promise<{ payoutsDecided: number; payoutsPaid: number; payoutsFailed: number }> {
    let payoutsDecided = 0;
    for (const [merchantId, account] of this.d.config.shops) if (await this.decide(merchantId, account)) payoutsDecided++;
    const nowMs = this.d.clock.nowMs();
    const due = await this.d.storage.read((q) => PAYOUT_ROWS.all(q, `WHERE state = 'pending' AND ${UNCLAIMED} ORDER BY created_ms LIMIT ?`, [nowMs, L.sweepBatchMax]));
    let payoutsPaid = 0;
    let payoutsFailed = 0;
    for (const p of due) {
      const out = await this.pay(p);
      if (out === 'paid') payoutsPaid++;
      if (out === 'failed') payoutsFailed++;
    }
    return { payoutsDecided, payoutsPaid, payoutsFailed };
  }

  private async decide(merchantId: string, account: AccountRef): Promise<boolean> {
    if (!this.d.config.centerAccounts.has(account.bankCode)) return false;
    const [shop] = await this.d.ledger.lookupAccounts([shopAccount(merchantId)]);
    const payable = shop ? shop.creditsPostedMinor - shop.debitsPostedMinor : 0;
    if (payable < L.payoutMinorMin) return false;
    const nowMs = this.d.clock.nowMs();
    return this.d.storage.transact(async (tx) => {
      if (await tx.get(`SELECT id FROM voucher_payouts WHERE merchant_id = ? AND state = 'pending'`, [merchantId])) return false;
      const id = `vp_${this.d.random.bytes(12).toString('hex')}`;
      PAYOUT_STATES.check(null, 'pending');
      await tx.run(
        'INSERT INTO voucher_payouts (id, merchant_id, bank_code, state, amount, currency, transfer_id, code, claim_until_ms, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,NULL,NULL,?,?)',
        [id, merchantId, account.bankCode, 'pending', payable, this.d.currency, voucherId('PAYOUT', id), nowMs, nowMs],
      );
      await applyMoves(tx, this.d.ledger, [move('SHOP_PAID', shopAccount(merchantId), PAYOUTS, payable, this.d.currency, [id])]);
      return true;
    });
  }

  private async pay(p: PayoutRow): Promise<'paid' | 'failed' | 'pending' | 'skipped'> {
    const shop = this.d.config.shops.get(p.merchantId);
    const from = this.d.config.centerAccounts.get(p.bankCode);
    if (!shop || !from || shop.bankCode !== p.bankCode) return 'skipped';
    if (!(await this.d.storage.transact((tx) => CALLS.claim(tx, p.id, ['pending'], this.d.clock.nowMs())))) return 'skipped';
    const out = await this.d.config.relay.transfer({ transferId: p.transferId, from, to: shop, amountMinor: p.amount, currency: p.currency, pin: from.securityCode });
    if (out.inDoubt || out.code === 'BANK_INSUFFICIENT_FUNDS') {
      await this.d.storage.transact((tx) => CALLS.release(tx, p.id));
      this.d.log.warn({ payoutId: p.id, merchantId: p.merchantId, code: out.code }, 'voucher shop payout pending');
      return 'pending';
    }
    const to: PayoutState = out.approved ? 'paid' : 'failed';
    const done = await this.d.storage.transact(async (tx) => {
      const cur = await PAYOUT_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [p.id]);
      if (cur?.state !== 'pending') return false;
      await updateState(tx, PAYOUT_ROWS, PAYOUT_STATES, cur, { state: to, code: out.code, claimUntilMs: null, updatedMs: this.d.clock.nowMs() });
      await applyMoves(tx, this.d.ledger, [
        out.approved
          ? move('PAYOUT_SENT', PAYOUTS, centerAt(p.bankCode), p.amount, p.currency, [p.id])
          : move('PAYOUT_FAILED', PAYOUTS, shopAccount(p.merchantId), p.amount, p.currency, [p.id]),
      ]);
      return true;
    });
    if (!done) return 'skipped';
    if (out.approved) this.d.log.info({ payoutId: p.id, merchantId: p.merchantId, amount: p.amount }, 'voucher shop paid');
    else this.d.log.error({ payoutId: p.id, merchantId: p.merchantId, code: out.code }, 'voucher shop payout refused by the bank: VOUCHER_PAYOUT_FAILED');
    return to === 'paid' ? 'paid' : 'failed';
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
