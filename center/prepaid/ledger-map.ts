/**
 * How prepaid moves map onto the center's ledger (the prepaid center's books).
 *
 *   prepaid-paid-in           external           value paid in at the prepaid terminals (cash, purse card):
 *                                                 the money the holders handed over (debit-normal)
 *   prepaid@<medium id>       prepaid_liability  the balance held for one medium (¶0038), never negative
 *   vendor-payable@<vendor>   merchant           owed to a software vendor or goods seller, not yet paid out
 *   provider-fee@<provider>   fees               the provider's usage fees, owed to the provider
 *   prepaid-payouts           clearing           payouts decided, bank transfer not yet done
 *   prepaid-center@<bank>     provider_at_bank   the prepaid center's account at a payee's bank (payouts leave it)
 *
 *   issued           prepaid-paid-in      → prepaid@M     (an issue with no payment record: the api, the operator)
 *   issued, cash     cash-takings@T       → prepaid@M     (PREPAID_ISSUE paid with notes stacked at terminal T:
 *                                                          the cash module booked them cash-takings@T → cash-box@T
 *                                                          in the same unit; center/cash collects cash-box@T)
 *   issued, purse    purse-takings@T      → prepaid@M     (PREPAID_ISSUE paid by a purse-card debit record at T:
 *                                                          e-money booked emoney-float → purse-takings@T (PURSE_PAID)
 *                                                          in the same unit: the e-money left the card, the medium
 *                                                          holds it now; center/emoney/purse-payments.ts)
 *   vendor paid      prepaid@M            → vendor-payable@V
 *   provider fee     prepaid@M            → provider-fee@P
 *   recovered        prepaid@M (frozen)   → prepaid@M' (the replacement medium)
 *   payout decided   vendor-payable@V | provider-fee@P → prepaid-payouts   (center/prepaid/payouts.ts)
 *   payout sent      prepaid-payouts      → prepaid-center@B   the bank moved it from the center's account at bank B
 *   payout failed    prepaid-payouts      → vendor-payable@V | provider-fee@P   the bank refused it for good: payable again
 *
 * So value paid in = Σ prepaid@* + Σ vendor-payable@* + Σ provider-fee@*
 * + prepaid-payouts + value paid out (the credits of prepaid-center@*), and
 * Σ prepaid@* = Σ prepaid_media.balance (the audit check).
 */
import { assertNumbersIn } from '../../core/numbers.js';
import { applyMoves as applyKitMoves, derivedId } from '../kit/ledger-moves.js';
import type { Ledger } from '../ledger/ledger.js';
import type { NewAccount, NewTransfer } from '../ledger/types.js';
import type { Tx } from '../storage/types.js';

export const PAID_IN = 'prepaid-paid-in';
export const mediumAccount = (mediumId: string): string => `prepaid@${mediumId}`;
export const vendorPayable = (vendor: string): string => `vendor-payable@${vendor}`;
export const providerFee = (provider: string): string => `provider-fee@${provider}`;
/** Payouts decided (a vendor's payable or a provider's fees), bank transfer not yet done. */
export const PAYOUTS = 'prepaid-payouts';
/** The prepaid center's own account at a bank (payouts leave it). */
export const prepaidCenterAt = (bankCode: string): string => `prepaid-center@${bankCode}`;

/** Ledger transfer codes of the prepaid flows (seed 000: 1-99). */
export const PREPAID_MOVE = { ISSUED: 1, VENDOR_PAID: 2, PROVIDER_FEE: 3, RECOVERED: 4, ISSUED_CASH: 5, ISSUED_PURSE: 6, PAYOUT_DECIDED: 7, PAYOUT_SENT: 8, PAYOUT_FAILED: 9 } as const;
assertNumbersIn('prepaid', 'ledger', PREPAID_MOVE);
export type PrepaidMove = keyof typeof PREPAID_MOVE;

export function move(kind: PrepaidMove, requestId: string, debit: string, credit: string, amountMinor: number, currency: string): NewTransfer {
  return { id: derivedId('prepaid', kind, requestId), debitAccountId: debit, creditAccountId: credit, amountMinor, currency, code: PREPAID_MOVE[kind], reference: requestId };
}

/** The accounts a move needs (idempotent: `exists` is fine). */
export function accountsFor(currency: string, o: { mediumId?: string; vendor?: string; provider?: string }): NewAccount[] {
  const out: NewAccount[] = [{ id: PAID_IN, owner: 'prepaid-center', kind: 'external', currency }];
  if (o.mediumId) out.push({ id: mediumAccount(o.mediumId), owner: 'prepaid-holder', kind: 'prepaid_liability', currency, flags: { debitsMustNotExceedCredits: true }, reference: o.mediumId });
  if (o.vendor) out.push({ id: vendorPayable(o.vendor), owner: o.vendor, kind: 'merchant', currency });
  if (o.provider) out.push({ id: providerFee(o.provider), owner: o.provider, kind: 'fees', currency });
  return out;
}

/** The payout accounts: the clearing account, and the center's account at each bank it pays from. */
export function payoutAccounts(currency: string, bankCodes: readonly string[]): NewAccount[] {
  return [
    { id: PAYOUTS, owner: 'prepaid-center', kind: 'clearing', currency },
    ...bankCodes.map((b): NewAccount => ({ id: prepaidCenterAt(b), owner: 'prepaid-center', institution: b, kind: 'provider_at_bank', currency })),
  ];
}

export async function ensureAccounts(tx: Tx, ledger: Ledger, accounts: readonly NewAccount[]): Promise<void> {
  await ledger.createAccountsIn(tx, accounts, false);
}

/** Applies prepaid moves in the caller's unit; a refusal is PREPAID_LEDGER_REFUSED and rolls the unit back. */
export function applyMoves(tx: Tx, ledger: Ledger, transfers: readonly NewTransfer[]): Promise<void> {
  return applyKitMoves(tx, ledger, transfers, 'PREPAID_LEDGER_REFUSED');
}
