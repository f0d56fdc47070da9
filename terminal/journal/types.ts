/** Rows of the terminal journal (terminal/journal/journal.ts). */

/** Names one offline purchase record: the card and its counter after the debit. */
export interface JournalRecordKey {
  /** 16 lowercase hex chars. */
  readonly mediumId: string;
  readonly cardCounter: number;
}

/** One offline purchase as the card signed it (seed 004), kept until settled and erased. */
export interface JournalPurchase extends JournalRecordKey {
  readonly amountMinor: number;
  readonly currency: string;
  readonly terminalId: string;
  /** 8 bytes the terminal sent to the card. */
  readonly terminalNonce: Buffer;
  /** The card's MAC (the "unique authenticator"). */
  readonly cardMac: Buffer;
}

export interface StoredPurchase extends JournalPurchase {
  readonly recordedAtMs: number;
  /** null while unsettled. */
  readonly settledAtMs: number | null;
}

/**
 * Why a record left the unsettled set without being paid (seed 004): the
 * center's verdict at settlement (FORGED, ALTERED, DUPLICATE), or a debit
 * whose answer never reached the terminal and the card later showed it made
 * (UNRECORDED: the holder is owed the amount, no card MAC) or could not show
 * either way (UNRESOLVED: the card had moved on; the center's records decide).
 */
export const ASIDE_REASONS = ['FORGED', 'ALTERED', 'DUPLICATE', 'UNRECORDED', 'UNRESOLVED'] as const;
export type AsideReason = (typeof ASIDE_REASONS)[number];

/** A record kept aside for the operator (never sent for settlement again). */
export interface AsideRecord extends Omit<StoredPurchase, 'cardMac' | 'terminalNonce' | 'settledAtMs'> {
  /** null for UNRECORDED / UNRESOLVED debits (the card's answer never reached the terminal). */
  readonly terminalNonce: Buffer | null;
  readonly cardMac: Buffer | null;
  readonly reason: AsideReason;
  readonly asideAtMs: number;
}

/** A DEBIT sent to a card whose answer has not come back (written before the APDU). */
export interface DebitInDoubt {
  readonly mediumId: string;
  /** The card's counter and balance read just before the DEBIT. */
  readonly counterBefore: number;
  readonly balanceBeforeMinor: number;
  readonly amountMinor: number;
  readonly currency: string;
  readonly terminalId: string;
}

export interface StoredDebitInDoubt extends DebitInDoubt {
  readonly startedAtMs: number;
}

/**
 * An outbox entry's state: `pending` (send or repeat with the same id),
 * `reverse` (a reversal is owed: the outcome is unknown and the flow was
 * abandoned), `done` (answered), `abandoned` (gave up after the attempt limit).
 */
export const OUTBOX_STATES = ['pending', 'reverse', 'done', 'abandoned'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
export type OpenOutboxState = Extract<OutboxState, 'pending' | 'reverse'>;

export interface OutboxInput {
  /** 32 lowercase hex chars: the request's idempotency key. */
  readonly transactionId: string;
  /** The role that owns the entry (it repeats or reverses it). */
  readonly role: string;
  /** What the request is, in the role's terms (e.g. `transaction`, `charge`, `issue`). */
  readonly kind: string;
  /** Whatever the role needs to rebuild the request (opaque to the journal). */
  readonly payload: Buffer;
  readonly state?: OpenOutboxState;
}

export interface OutboxEntry extends Omit<Required<OutboxInput>, 'state'> {
  readonly state: OutboxState;
  readonly attempts: number;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** The center's result code once answered. */
  readonly resultCode: number | null;
  /** Code of the last failed attempt (never a message: no secrets). */
  readonly lastError: string | null;
}

/** A note the bill validator stacked into the cash box. */
export interface CashNoteInput {
  readonly billType: number;
  readonly noteId: string;
  readonly amountMinor: number;
  readonly currency: string;
}

/** What the cash box holds by the journal (notes stacked since the last collection), per currency. */
export interface CashBoxContent {
  readonly currency: string;
  readonly notes: number;
  readonly amountMinor: number;
}

/** One cash collection: the content of the cash box, per currency, taken out under one id. */
export interface CashCollection {
  readonly collectionId: string;
  readonly collectedAtMs: number;
  readonly content: readonly CashBoxContent[];
}

/** A stacked note as sent to the center (CASH_NOTES_REPORT). */
export interface CashNoteToBook {
  /** 32 lowercase hex chars: the note's idempotency key. */
  readonly noteKey: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly stackedAtMs: number;
}

/** A collection (one currency) as sent to the center (CASH_COLLECTION). */
export interface CashCollectionToBook {
  readonly collectionId: string;
  readonly currency: string;
  /** The control count and total recorded at collection. */
  readonly notes: number;
  readonly amountMinor: number;
  readonly noteKeys: readonly string[];
  /** Notes of this collection the center has not answered yet (the collection waits for them). */
  readonly notesUnanswered: number;
}
