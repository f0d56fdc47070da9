/**
 * How password moves map onto the center's ledger: the TTP's books. The
 * documented choice (README.md "Money"): the **issuer prefunds at issue**,
 * so the value of every outstanding password is the TTP's liability, held
 * on its own accounts, and a shop is never paid with money the TTP has not
 * received.
 *
 *   pw-funds@<issuer>   credit_company  what the issuer has paid the TTP for passwords (debit: received)
 *   pw-outstanding      ttp             spendable value of live passwords, owed to their holders (liability)
 *   pw-reserved         clearing        value held by open reservations of shops
 *   pw-payable@<shop>   merchant        captured value owed to the shop (paid out by the settlement, not this module)
 *
 *   ISSUE     pw-funds@I      → pw-outstanding     the issuer prefunds the password
 *   RESERVE   pw-outstanding  → pw-reserved        a shop holds value (sale: reserve and capture in one step)
 *   CAPTURE   pw-reserved     → pw-payable@S       the shop takes (part of) its reservation
 *   RELEASE   pw-reserved     → pw-outstanding     cancel, deadline passed, or the uncaptured rest
 *   REFUND    pw-payable@S    → pw-outstanding     a shop gives captured value back onto the password
 *   RETURN    pw-outstanding  → pw-funds@I         unused value back to the issuer (delivery failed, expired, revoked, single-use rest)
 *
 * Shop payouts (payouts.ts, through the bank relay):
 *   SHOP_PAID      pw-payable@S  → pw-payouts       a payout decided
 *   PAYOUT_SENT    pw-payouts    → pw-bank@B        paid from the TTP's account at bank B
 *   PAYOUT_FAILED  pw-payouts    → pw-payable@S     refused by the bank: payable again
 *
 * pw-outstanding and pw-reserved must not go negative (ledger flags), and
 * the audit (audit-check.ts) holds them equal to the passwords' own rows.
 */
import { assertNumbersIn } from '../../core/numbers.js';
import { applyMoves as applyKitMoves, derivedId as kitDerivedId } from '../kit/ledger-moves.js';
import type { Ledger } from '../ledger/ledger.js';
import type { NewAccount, NewTransfer } from '../ledger/types.js';
import type { Tx } from '../storage/types.js';

export const OUTSTANDING = 'pw-outstanding';
export const RESERVED = 'pw-reserved';
export const fundsOf = (issuer: string): string => `pw-funds@${issuer}`;
export const payableOf = (merchantId: string): string => `pw-payable@${merchantId}`;

/** Ledger transfer codes of the password flows (3xx: seed 003). */
export const MOVE = { ISSUE: 301, RESERVE: 302, CAPTURE: 303, RELEASE: 304, REFUND: 305, RETURN: 306, SHOP_PAID: 307, PAYOUT_SENT: 308, PAYOUT_FAILED: 309 } as const;
assertNumbersIn('passwords', 'ledger', MOVE);
/** The flows' own moves (the payouts' three are booked by payouts.ts through the kit). */
export type Move = Exclude<keyof typeof MOVE, 'SHOP_PAID' | 'PAYOUT_SENT' | 'PAYOUT_FAILED'>;

/** A ledger id derived from a password flow's id and its step, so a retried step books the same transfer. */
export function derivedId(id: string, step: string): string {
  return kitDerivedId('passwords', step, id);
}

export interface MoveParties {
  readonly issuer: string;
  readonly merchantId?: string;
}

function route(kind: Move, p: MoveParties): [string, string] {
  const shop = (): string => payableOf(p.merchantId!);
  switch (kind) {
    case 'ISSUE': return [fundsOf(p.issuer), OUTSTANDING];
    case 'RESERVE': return [OUTSTANDING, RESERVED];
    case 'CAPTURE': return [RESERVED, shop()];
    case 'RELEASE': return [RESERVED, OUTSTANDING];
    case 'REFUND': return [shop(), OUTSTANDING];
    case 'RETURN': return [OUTSTANDING, fundsOf(p.issuer)];
  }
}

/** One move; `stepId` is unique per step of the flow (derived into the transfer id). */
export function move(kind: Move, stepId: string, p: MoveParties, amountMinor: number, currency: string, reference: string): NewTransfer {
  const [debitAccountId, creditAccountId] = route(kind, p);
  return { id: derivedId(stepId, kind), debitAccountId, creditAccountId, amountMinor, currency, code: MOVE[kind], reference };
}

/** The accounts of an issuer and the TTP's own (idempotent). */
export function issuerAccounts(issuer: string, currency: string): NewAccount[] {
  return [
    { id: fundsOf(issuer), owner: issuer, kind: 'credit_company', currency },
    { id: OUTSTANDING, owner: 'ttp', kind: 'ttp', currency, flags: { debitsMustNotExceedCredits: true } },
    { id: RESERVED, owner: 'ttp', kind: 'clearing', currency, flags: { debitsMustNotExceedCredits: true } },
  ];
}

export const payableAccount = (merchantId: string, currency: string): NewAccount => ({ id: payableOf(merchantId), owner: merchantId, kind: 'merchant', currency });

/** Applies moves in the caller's unit; a refusal is PASSWORD_LEDGER_REFUSED and rolls the unit back. */
export function applyMoves(tx: Tx, ledger: Ledger, transfers: readonly NewTransfer[]): Promise<void> {
  return applyKitMoves(tx, ledger, transfers.filter((t) => (t.amountMinor ?? 0) > 0), 'PASSWORD_LEDGER_REFUSED');
}
