/**
 * How e-money moves map onto the center's ledger (the provider's books).
 *
 *   provider@<bank>         provider_at_bank  the provider's deposit at that bank (asset: debit-normal)
 *   charge-clearing@<bank>  clearing          bank approved a charge, card not yet credited (owed to the user)
 *   emoney-float            emoney_float      e-money on cards and in unsettled shop records (owed to holders)
 *   settle-clearing@<bank>  clearing          records accepted for a shop at that bank, bank transfer not yet done
 *
 *   charge approved   provider@B        → charge-clearing@B   (debit provider@B: money arrived at bank B)
 *   card credited     charge-clearing@B → emoney-float
 *   charge reversed   charge-clearing@B → provider@B          (the bank returned it to the user)
 *   records accepted  emoney-float      → settle-clearing@B
 *   shop paid         settle-clearing@B → provider@B          (money left the provider's account at bank B)
 *   purse payment     emoney-float      → purse-takings@T     (a card's debit record paid at online terminal T of
 *                                                             another capability: the prepaid issuer; purse-payments.ts)
 *
 * So provider@B's balance (debits − credits) is the provider's net position
 * at bank B and must equal the bank's own balance of that account.
 */
import { assertNumbersIn } from '../../core/numbers.js';
import { applyMoves as applyKitMoves, derivedId as kitDerivedId } from '../kit/ledger-moves.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Tx } from '../storage/types.js';
import type { NewAccount, NewTransfer } from '../ledger/types.js';

export const FLOAT = 'emoney-float';
export const providerAt = (bank: string): string => `provider@${bank}`;
export const chargeClearing = (bank: string): string => `charge-clearing@${bank}`;
export const settleClearing = (bank: string): string => `settle-clearing@${bank}`;

/** Ledger transfer codes of the e-money flows. */
export const MOVE = { CHARGE_APPROVED: 401, CARD_CREDITED: 402, CHARGE_REVERSED: 403, RECORDS_ACCEPTED: 404, SHOP_PAID: 405, PURSE_PAID: 406 } as const;
assertNumbersIn('emoney', 'ledger', MOVE); // 4xx (core/numbers.ts)
type Move = Exclude<keyof typeof MOVE, 'PURSE_PAID'>; // PURSE_PAID: purse-payments.ts (per terminal, not per bank)

/** A ledger/bank id derived from an e-money id and a step, so a retried step reuses its id. */
export function derivedId(id: string, step: string): string {
  return kitDerivedId('emoney', step, id);
}

const ROUTE: Record<Move, (bank: string) => [string, string]> = {
  CHARGE_APPROVED: (b) => [providerAt(b), chargeClearing(b)],
  CARD_CREDITED: (b) => [chargeClearing(b), FLOAT],
  CHARGE_REVERSED: (b) => [chargeClearing(b), providerAt(b)],
  RECORDS_ACCEPTED: (b) => [FLOAT, settleClearing(b)],
  SHOP_PAID: (b) => [settleClearing(b), providerAt(b)],
};

export function move(kind: Move, id: string, bank: string, amountMinor: number, currency: string): NewTransfer {
  const [debitAccountId, creditAccountId] = ROUTE[kind](bank);
  return { id: derivedId(id, kind), debitAccountId, creditAccountId, amountMinor, currency, code: MOVE[kind], reference: id };
}

/** Creates the accounts for every bank the provider works with (idempotent). */
export async function ensureEmoneyAccounts(ledger: Ledger, banks: readonly string[], currency: string): Promise<void> {
  const accounts: NewAccount[] = [{ id: FLOAT, owner: 'provider', kind: 'emoney_float', currency }];
  for (const b of banks) {
    accounts.push(
      { id: providerAt(b), owner: 'provider', institution: b, kind: 'provider_at_bank', currency },
      { id: chargeClearing(b), owner: 'provider', institution: b, kind: 'clearing', currency },
      { id: settleClearing(b), owner: 'provider', institution: b, kind: 'clearing', currency },
    );
  }
  await ledger.createAccounts(accounts);
}

/** Applies e-money moves in the caller's unit (kit/ledger-moves.ts); a refusal is EMONEY_LEDGER_REFUSED and rolls the unit back. */
export function applyMoves(tx: Tx, ledger: Ledger, transfers: readonly NewTransfer[]): Promise<void> {
  return applyKitMoves(tx, ledger, transfers, 'EMONEY_LEDGER_REFUSED');
}
