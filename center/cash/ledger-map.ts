/**
 * How cash taken by a terminal's bill validator maps onto the center's ledger.
 *
 *   cash-box@<T>        cash          notes physically in terminal T's cash box (asset: debit-normal;
 *                                     flagged credits-must-not-exceed-debits: it never goes negative)
 *   cash-takings@<T>    cash_takings  cash taken at T and owed on (to the customer it was taken from:
 *                                     a later role, the prepaid issuer, moves it on to the customer's value)
 *   cash-collected@<T>  cash          notes taken out of T's box by a collection, in the collector's hands
 *                                     (cash in transit until counted in at the bank: a later step)
 *
 *   note stacked   cash-takings@T → cash-box@T        (debit cash-box@T), one transfer per note key
 *   collection     cash-box@T     → cash-collected@T  (debit cash-collected@T), one per collection and currency
 *
 * So cash-box@T's balance (debits − credits) is what the box holds by the
 * center's books, and must equal the terminal journal's uncollected notes.
 */
import { assertNumbersIn } from '../../core/numbers.js';
import { applyMoves, derivedId } from '../kit/ledger-moves.js';
import type { Ledger } from '../ledger/ledger.js';
import type { NewAccount, NewTransfer } from '../ledger/types.js';
import type { Tx } from '../storage/types.js';

export const cashBox = (terminalId: string): string => `cash-box@${terminalId}`;
export const cashTakings = (terminalId: string): string => `cash-takings@${terminalId}`;
export const cashCollected = (terminalId: string): string => `cash-collected@${terminalId}`;

/** Ledger transfer codes of the cash flows. */
export const CASH_MOVE = { NOTE_STACKED: 501, CASH_COLLECTED: 502 } as const;
assertNumbersIn('cash', 'ledger', CASH_MOVE); // 5xx (core/numbers.ts)

/** A ledger id derived from the terminal, the step and the terminal's id, so a repeat reuses it. */
export function cashTransferId(terminalId: string, step: keyof typeof CASH_MOVE, id: string): string {
  return derivedId('cash', step, terminalId, id);
}

export function noteStacked(terminalId: string, noteKey: string, amountMinor: number, currency: string): NewTransfer {
  return {
    id: cashTransferId(terminalId, 'NOTE_STACKED', noteKey), debitAccountId: cashBox(terminalId), creditAccountId: cashTakings(terminalId),
    amountMinor, currency, code: CASH_MOVE.NOTE_STACKED, reference: `note ${noteKey}`,
  };
}

export function cashCollectedMove(terminalId: string, collectionId: string, amountMinor: number, currency: string): NewTransfer {
  return {
    id: cashTransferId(terminalId, 'CASH_COLLECTED', `${collectionId}/${currency}`), debitAccountId: cashCollected(terminalId), creditAccountId: cashBox(terminalId),
    amountMinor, currency, code: CASH_MOVE.CASH_COLLECTED, reference: `collection ${collectionId}`,
  };
}

/** The three accounts of terminal T (idempotent: `exists` for a repeat). */
export function cashAccounts(terminalId: string, currency: string): NewAccount[] {
  const owner = `terminal ${terminalId}`;
  return [
    { id: cashBox(terminalId), owner, kind: 'cash', currency, flags: { creditsMustNotExceedDebits: true } },
    { id: cashTakings(terminalId), owner, kind: 'cash_takings', currency },
    { id: cashCollected(terminalId), owner, kind: 'cash', currency },
  ];
}

/** Applies the moves inside the caller's unit (kit/ledger-moves.ts); a refusal is CASH_LEDGER_REFUSED and rolls the unit back. */
export function applyCashMoves(tx: Tx, ledger: Ledger, transfers: readonly NewTransfer[]): Promise<void> {
  return applyMoves(tx, ledger, transfers, 'CASH_LEDGER_REFUSED');
}
