import { defineErrors, TesseraError } from '../../core/errors.js';

/**
 * Error codes of the terminal agent, its config and its journal. Pinned by
 * test/terminal/agent/errors.test.ts. Messages and details carry ids, paths
 * and lengths, never a key or a PIN.
 */
export const TERM_ERRORS = defineErrors('terminal', 'TERM_', {
  // ------------------------------------------------------------ config
  TERM_CONFIG_UNREADABLE: {
    meaning: 'The terminal config file could not be read or is not JSON.',
    action: 'Check the --config path and that the file is valid JSON.',
  },
  TERM_CONFIG_INVALID: {
    meaning: 'The terminal config failed validation; details.problems lists each bad field by path.',
    action: 'Fix the named fields (see terminal/config/schema.ts for the shape and defaults).',
  },
  TERM_KEY_FILE: {
    meaning: 'The terminal key file is missing, unreadable, or not exactly 32 bytes (raw, or 64 hex chars).',
    action: 'Provision the terminal key again (32 bytes, hex or raw) at the configured keyFile path.',
  },
  TERM_KEY_FILE_PERMISSIONS: {
    meaning: 'The terminal key file is readable or writable by group or others.',
    action: 'Restrict it to the agent user: chmod 600 <keyFile>.',
  },
  TERM_UNKNOWN_ROLE: {
    meaning: 'The configured role has no implementation registered in this build.',
    action: 'Use one of the roles listed in details.known, or install the build that provides it.',
  },
  // ------------------------------------------------------------ journal
  TERM_JOURNAL_OPEN: {
    meaning: 'The local journal (SQLite) could not be opened or migrated.',
    action: 'Check the journal path, its directory permissions and free disk space; never delete a journal with unsettled records.',
  },
  TERM_JOURNAL_FULL: {
    meaning: 'The journal holds its maximum of unsettled records or open outbox entries; nothing new is accepted.',
    action: 'Settle (shop/vending) or restore the center link so pending requests drain, then retry.',
  },
  TERM_JOURNAL_DUPLICATE: {
    meaning: 'A record or outbox entry with the same key but different content is already in the journal.',
    action: 'Investigate: the card counter or transaction id was reused; keep the journal for audit.',
  },
  TERM_JOURNAL_MISMATCH: {
    meaning: 'A settle or erase named records that are not in the journal in the expected state; nothing was changed.',
    action: 'Repeat the settlement; if it repeats, compare the center result with `tessera terminal` journal listing.',
  },
  TERM_JOURNAL_UNKNOWN_ENTRY: {
    meaning: 'An outbox operation named a transaction id the journal does not hold.',
    action: 'Programming error in a role, or the journal was replaced: keep the logs and report.',
  },
  // ------------------------------------------------------------ card flow
  TERM_FOREIGN_CARD: {
    meaning: 'The inserted card has no Tessera purse application; it was released.',
    action: 'Tell the holder the card is not accepted here.',
  },
  TERM_CARD_REMOVED: {
    meaning: 'The card was taken out before the flow finished; the journal keeps any request whose outcome is unknown.',
    action: 'Nothing: an unanswered transaction is repeated (same id) when the link allows.',
  },
  TERM_CARD_UNREADABLE: {
    meaning: 'The card could not be read (mute, I/O error, unexpected status word); it was released.',
    action: 'Ask the holder to insert the card again; if it repeats, the card or reader is faulty.',
  },
  TERM_CARD_NAK: {
    meaning: 'The center refused the validity check (details.reason); the card was returned, or captured if details.captured.',
    action: 'Follow the NAK reason: a captured card goes to the capture procedure.',
  },
  TERM_CENTER_UNREACHABLE: {
    meaning: 'No center answered in time (all addresses tried); the card was released, no transaction was made.',
    action: 'Check the network and the center addresses in the config.',
  },
  TERM_CENTER_REFUSED: {
    meaning: 'The center refused this terminal at the handshake (unknown terminal id or wrong key).',
    action: 'Register the terminal at the center and provision its key (keyRef) again.',
  },
  TERM_TX_UNANSWERED: {
    meaning: 'A transaction request got no answer after every attempt; it stays in the journal outbox and is repeated with the same id.',
    action: 'Nothing at once; if the outbox does not drain, check the link to the center.',
  },
  TERM_TX_DECLINED: {
    meaning: 'The center declined the transaction (details.resultCode).',
    action: 'Tell the holder; the result code names the reason.',
  },
  TERM_FLOW_TIMEOUT: {
    meaning: 'A card flow exceeded its time limit and was abandoned; the card was released.',
    action: 'Check the center latency and the reader; the journal keeps any unanswered request.',
  },
  TERM_INPUT_TIMEOUT: {
    meaning: 'The keypad gave no input (amount, PIN) in time.',
    action: 'Nothing: the holder walked away; the card was released.',
  },
  TERM_ROLE_FAILED: {
    meaning: 'A role handler failed with an uncoded error (programming error); the card was released.',
    action: 'Keep the logs and report; the agent keeps serving.',
  },
  TERM_NOT_SUPPORTED: {
    meaning: 'The role does not handle this kind of input (a scan or a command).',
    action: 'Check which inputs the configured role accepts.',
  },
});

export type TermErrorCode = keyof typeof TERM_ERRORS;

export function termError(code: TermErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): TesseraError<TermErrorCode> {
  return new TesseraError(code, message, details, cause === undefined ? undefined : { cause });
}
