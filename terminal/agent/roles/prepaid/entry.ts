/**
 * The issue's journal entry (outbox payload): everything the request needs
 * to be sent again with the same id after a restart, and its step. The
 * medium's file is not kept: the center answers a repeat with the same file
 * byte for byte (the issue is idempotent by its id).
 */
import type { CashNoteToBook } from '../../../journal/types.js';
import type { OutboxEntry } from '../../../journal/types.js';

export const PREPAID_ISSUER = 'prepaid-issuer';
export const ISSUE_KIND = 'prepaid-issue';

export interface IssueEntry {
  readonly v: 1;
  readonly amountMinor: number;
  readonly currency: string;
  /** Cash: the notes credited to this issue (their keys are the center's booking keys); none for a purse payment. */
  readonly notes: readonly CashNoteToBook[];
  /** Purse: the card's debit record paying this issue (hex fields), journalled with the entry as the card answered. */
  readonly purse?: PurseRecordEntry;
  /** requested: sent or to send; answered: the center issued `mediumId`, its file not yet on a medium. */
  readonly stage: 'requested' | 'answered';
  readonly mediumId?: string;
}

/** A purse debit record as the outbox payload keeps it (JSON: the byte fields in hex). */
export interface PurseRecordEntry {
  readonly cardId: string;
  readonly cardCounter: number;
  readonly amountMinor: number;
  readonly currency: string;
  readonly terminalId: string;
  readonly terminalNonce: string;
  readonly cardMac: string;
}

export const encodeEntry = (e: IssueEntry): Buffer => Buffer.from(JSON.stringify(e), 'utf8');

export function decodeEntry(entry: OutboxEntry): IssueEntry {
  return JSON.parse(entry.payload.toString('utf8')) as IssueEntry;
}
