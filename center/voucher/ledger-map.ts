/**
 * How voucher money moves map onto the center's ledger (the settlement
 * center's books, seed 002). Ledger codes 200-299 (core/numbers.ts).
 *
 *   voucher-hq@<hq>         clearing           what the HQ owes for cards its stores sold (debit-normal)
 *   voucher-liability       voucher_liability  value on active cards, spendable (credit-normal, never negative)
 *   voucher-authorized      voucher_liability  value held by open authorisations (credit-normal, never negative)
 *   voucher-shop@<merchant> merchant           captured value owed to an online shop, not yet paid out
 *   voucher-breakage        fees               value left on cards at their expiry (the center's income)
 *   voucher-commission      fees               the HQs' commission (the center's cost, debit-normal)
 *   voucher-funds           external           money the HQs paid in (the center's treasury)
 *   voucher-payouts         clearing           payouts decided, bank transfer not yet done
 *   voucher-center@<bank>   provider_at_bank   the center's account at a shop's bank (payouts leave it)
 *
 *   ACTIVATED      voucher-hq@H        → voucher-liability     a till sold a card (face or keyed value)
 *   HELD           voucher-liability   → voucher-authorized    a redemption reserved value on its cards
 *   CAPTURED       voucher-authorized  → voucher-shop@M        the shop took the (captured part of the) hold
 *   RELEASED       voucher-authorized  → voucher-liability     cancel, authorisation expiry, the uncaptured rest
 *   REFUNDED       voucher-shop@M      → voucher-liability     a refund back onto the cards it came from
 *   UNDONE         voucher-liability   → voucher-hq@H          a void or a reversal of an activation
 *   EXPIRED        voucher-liability   → voucher-breakage      a card's unused value at its expiry
 *   HQ_PAID        voucher-funds       → voucher-hq@H          the HQ paid a day's due
 *   HQ_COMMISSION  voucher-commission  → voucher-hq@H          the HQ's commission of that day
 *   SHOP_PAID      voucher-shop@M      → voucher-payouts       a payout to the shop decided (its amount leaves the payable)
 *   PAYOUT_SENT    voucher-payouts     → voucher-center@B      the bank moved it from the center's account at bank B
 *   PAYOUT_FAILED  voucher-payouts     → voucher-shop@M        the bank refused it for good: payable again
 *
 * Transfer ids are derived from the flow's own ids (derivedId('voucher', step, …)),
 * so a retried step books nothing twice.
 */
import { assertNumbersIn } from '../../core/numbers.js';
import { applyMoves as applyKitMoves, derivedId } from '../kit/ledger-moves.js';
import type { Ledger } from '../ledger/ledger.js';
import type { NewAccount, NewTransfer } from '../ledger/types.js';
import type { Tx } from '../storage/types.js';

export const LIABILITY = 'voucher-liability';
export const AUTHORIZED = 'voucher-authorized';
export const BREAKAGE = 'voucher-breakage';
export const COMMISSION = 'voucher-commission';
export const FUNDS = 'voucher-funds';
export const PAYOUTS = 'voucher-payouts';
export const hqAccount = (hqId: string): string => `voucher-hq@${hqId}`;
export const shopAccount = (merchantId: string): string => `voucher-shop@${merchantId}`;
export const centerAt = (bankCode: string): string => `voucher-center@${bankCode}`;

/** Ledger transfer codes of the voucher flows. */
export const MOVE = {
  ACTIVATED: 201,
  HELD: 202,
  CAPTURED: 203,
  RELEASED: 204,
  REFUNDED: 205,
  UNDONE: 206,
  EXPIRED: 207,
  HQ_PAID: 208,
  HQ_COMMISSION: 209,
  SHOP_PAID: 210,
  PAYOUT_SENT: 211,
  PAYOUT_FAILED: 212,
} as const;
assertNumbersIn('vouchers', 'ledger', MOVE);
export type Move = keyof typeof MOVE;

/** A ledger id for a voucher step: the capability, the step and the flow's ids. */
export function voucherId(step: string, ...parts: string[]): string {
  return derivedId('voucher', step, ...parts);
}

/** One move: `from` is debited, `to` credited; the id is derived from the step and `ids`. */
export function move(kind: Move, from: string, to: string, amountMinor: number, currency: string, ids: readonly string[]): NewTransfer {
  return { id: voucherId(kind, ...ids), debitAccountId: from, creditAccountId: to, amountMinor, currency, code: MOVE[kind], reference: ids.join(':').slice(0, 64) };
}

/** The accounts every voucher center has (idempotent). */
export async function ensureVoucherAccounts(ledger: Ledger, currency: string): Promise<void> {
  const never = { debitsMustNotExceedCredits: true };
  const accounts: NewAccount[] = [
    { id: LIABILITY, owner: 'voucher-center', kind: 'voucher_liability', currency, flags: never },
    { id: AUTHORIZED, owner: 'voucher-center', kind: 'voucher_liability', currency, flags: never },
    { id: BREAKAGE, owner: 'voucher-center', kind: 'fees', currency },
    { id: COMMISSION, owner: 'voucher-center', kind: 'fees', currency },
    { id: FUNDS, owner: 'voucher-center', kind: 'external', currency },
    { id: PAYOUTS, owner: 'voucher-center', kind: 'clearing', currency },
  ];
  await ledger.createAccounts(accounts);
}

/** The per-party accounts a step needs, created in the step's own unit (idempotent: `exists` is fine). */
export async function ensurePartyAccounts(tx: Tx, ledger: Ledger, accounts: readonly NewAccount[]): Promise<void> {
  if (accounts.length > 0) await ledger.createAccountsIn(tx, accounts, false);
}

export const hqLedgerAccount = (hqId: string, currency: string): NewAccount => ({ id: hqAccount(hqId), owner: hqId, kind: 'clearing', currency });
export const shopLedgerAccount = (merchantId: string, currency: string): NewAccount => ({ id: shopAccount(merchantId), owner: merchantId, kind: 'merchant', currency });
export const centerLedgerAccount = (bankCode: string, currency: string): NewAccount => ({ id: centerAt(bankCode), owner: 'voucher-center', institution: bankCode, kind: 'provider_at_bank', currency });

/** Applies voucher moves in the caller's unit; a refusal is VOUCHER_LEDGER_REFUSED and rolls the unit back. */
export function applyMoves(tx: Tx, ledger: Ledger, transfers: readonly NewTransfer[]): Promise<void> {
  return applyKitMoves(tx, ledger, transfers.filter((t) => (t.amountMinor ?? 0) > 0), 'VOUCHER_LEDGER_REFUSED');
}
