import { defineErrors, TesseraError } from '../../core/errors.js';

/**
 * Rewritable-medium prepaid (seed 000): the medium file codec (read by the
 * client and the prepaid center alike, so it lives here and not under
 * center/) and the prepaid center's refusals. One registry for the whole
 * capability (core/numbers.ts: prefix PREPAID_); center/prepaid/errors.ts
 * re-exports it. Messages name offsets, lengths and ids, never key or
 * password bytes.
 */
export const PREPAID_ERRORS = defineErrors('prepaid', 'PREPAID_', {
  // -- the medium file (protocol/prepaid/medium.ts, docs/MEDIUM.md) --
  PREPAID_FILE_TRUNCATED: {
    meaning: 'A prepaid information file is shorter than its fixed part or than its own log count says (a torn write or a cut copy).',
    action: 'Read the other mirror slot of the medium; if neither slot is whole, the holder recovers the value through the operator procedure (docs/PREPAID.md).',
    http: 422,
  },
  PREPAID_FILE_BAD_MAGIC: {
    meaning: 'The file does not start with the prepaid medium magic "TSPM": it is not a prepaid information file.',
    action: 'Check that the right medium is in the drive.',
    http: 422,
  },
  PREPAID_FILE_VERSION: {
    meaning: 'The file has a format version this program does not read.',
    action: 'Update the client or center software; a medium is never rewritten in a version the center does not issue.',
    http: 422,
  },
  PREPAID_FILE_MALFORMED: {
    meaning: 'A field of the file is out of range (reserved flags set, generation or key version 0, currency not A-Z, amount past 2^53, log count over the maximum, trailing bytes).',
    action: 'The file is damaged or forged: read the other mirror slot; report the medium id to the operator if it recurs.',
    http: 422,
  },
  PREPAID_FILE_CHECK_FAILED: {
    meaning: "The file's integrity check (SHA-256 over all its bytes) does not match: a torn or damaged write.",
    action: 'Read the other mirror slot (it holds the previous generation); the center resends a pending generation when asked.',
    http: 422,
  },
  PREPAID_FILE_AUTH_FAILED: {
    meaning: 'The file did not authenticate under its generation\'s first key (AES-256-GCM), or is not byte for byte the file the center wrote for that generation.',
    action: 'The file was altered or forged; it is refused. Report the medium id if it recurs.',
    http: 422,
  },
  PREPAID_PASSWORD_MISMATCH: {
    meaning: 'The system password sealed under the second key did not open, or is not the one in the password table for this generation.',
    action: 'The file was altered or forged; it is refused. Report the medium id if it recurs.',
    http: 422,
  },
  PREPAID_LOG_FORGED: {
    meaning: "The usage log's hash chain or the center's MAC over it does not verify.",
    action: 'Do not trust the log shown; the center holds the usage records (balance and usage query).',
    http: 422,
  },
  PREPAID_BAD_ARGUMENT: {
    meaning: 'A medium file was to be built with an out-of-range field (key or nonce length, amount, currency, ids, log size).',
    action: 'Fix the caller: keys 32 bytes, nonces 12, ids 16, amounts safe integers, at most logEntriesMax entries.',
  },
  PREPAID_NO_READABLE_SLOT: {
    meaning: 'Neither mirror slot of the medium holds a whole prepaid information file.',
    action: 'The holder brings the medium to the operator: the value is held by the center and is recovered to a new medium (docs/PREPAID.md, recovery).',
    http: 422,
  },
  // -- the prepaid center (center/prepaid/) --
  PREPAID_FOREIGN_ISSUER: {
    meaning: 'The medium was issued by another prepaid center (issuer id in the file is not this center\'s).',
    action: 'Send the holder to the issuer named on the medium; nothing was changed here.',
    http: 422,
  },
  PREPAID_MEDIUM_UNKNOWN: {
    meaning: 'No medium with this id was issued by this center.',
    action: 'The file is forged or from a wiped database; refuse it and report the medium id.',
    http: 404,
  },
  PREPAID_MEDIUM_FROZEN: {
    meaning: 'The medium id is frozen for review (a superseded generation was presented: a copy or a rollback) or closed after recovery.',
    action: 'Refused everywhere. The holder contacts the operator, who follows the recovery procedure (docs/PREPAID.md).',
    http: 409,
  },
  PREPAID_MEDIUM_BLOCKED: {
    meaning: 'The validity lists refuse the medium (lost, stolen, captured, expired) or the terminal.',
    action: 'Refused everywhere; the operator reviews it on the validity lists.',
    http: 409,
  },
  PREPAID_CLONE_REFUSED: {
    meaning: 'The medium presented a generation older than the one confirmed (byte for byte a file the center wrote earlier): a copy or a rollback. The medium id is now frozen.',
    action: 'The value is kept for the honest holder; the operator follows the recovery procedure (docs/PREPAID.md).',
    http: 409,
  },
  PREPAID_GENERATION_UNKNOWN: {
    meaning: 'The file names a generation the center never wrote for this medium (ahead of the pending one).',
    action: 'The file is forged; it is refused and nothing is frozen. Report the medium id if it recurs.',
    http: 422,
  },
  PREPAID_INSUFFICIENT_BALANCE: {
    meaning: 'The balance the center holds for the medium is less than the amount asked.',
    action: 'The holder uses a smaller amount or buys a new medium.',
    http: 409,
  },
  PREPAID_REQUEST_ID_REUSED: {
    meaning: 'A request id was used again with different fields (medium, kind, payee, amount).',
    action: 'Request ids are idempotency keys: a new use needs a new id.',
    http: 409,
  },
  PREPAID_KEY_ERASED: {
    meaning: "The key version the file names has been erased (its generation was superseded), so it cannot be opened.",
    action: 'Nothing to do: the medium must present its current generation.',
    http: 409,
  },
  PREPAID_BAD_REQUEST: {
    meaning: 'A prepaid request field is out of range (amount, currency, payee id, request id).',
    action: 'Fix the caller: amounts are safe integers >= 1 in the center currency, payees 1-16 of [A-Z0-9-], ids 32 hex.',
    http: 400,
  },
  PREPAID_LEDGER_REFUSED: {
    meaning: 'The ledger refused a prepaid move (a bug or a broken invariant); the whole step was rolled back.',
    action: 'Run tessera audit and report the medium id; nothing was changed.',
    http: 500,
  },
  PREPAID_MASTER_KEY_UNREADABLE: {
    meaning: 'The prepaid master key file is missing, unreadable or not 64 hex characters (32 bytes).',
    action: 'Point prepaid.masterKeyFile at the key file (64 hex chars and a newline, mode 0600).',
  },
  PREPAID_MASTER_KEY_PERMISSIONS: {
    meaning: 'The prepaid master key file is readable or writable by group or others.',
    action: 'chmod 600 the key file.',
  },
  PREPAID_INTERNAL_REBUILD: {
    meaning: 'A pending generation rebuilt from the center\'s records is not byte for byte the file first sent (records changed under it).',
    action: 'Report it with the medium id; the medium keeps its confirmed generation and the value is unchanged.',
    http: 500,
  },
  PREPAID_RECOVERY_REFUSED: {
    meaning: 'Only a frozen medium is recovered to a replacement (this one is active, or already closed).',
    action: 'Freeze the medium first (it is frozen automatically when a copy is caught); a closed medium was recovered already.',
    http: 409,
  },
  // -- the vendor's receipt (protocol/prepaid/receipt.ts), vendor payments and payouts (center/prepaid/) --
  PREPAID_RECEIPT_MALFORMED: {
    meaning: "A vendor's receipt does not parse (magic, version, a field out of range, truncated or trailing bytes).",
    action: 'Ask the vendor for the receipt again (it answers the same order with the same receipt); the payment itself is on the center\'s usage records.',
    http: 422,
  },
  PREPAID_RECEIPT_FORGED: {
    meaning: "A vendor's receipt was not signed by the vendor key it is checked with (another key id, or the Ed25519 signature does not verify).",
    action: 'Check the vendor public key configured; a receipt that still fails was altered: do not trust it, ask the vendor for it again.',
    http: 422,
  },
  PREPAID_VENDOR_UNKNOWN: {
    meaning: 'The merchant API key belongs to a merchant that is not a prepaid vendor (no entry in prepaid.vendors names it).',
    action: 'Add the vendor to the center config (prepaid.vendors: vendorId, merchant, bank account) and restart the center.',
    http: 403,
  },
  PREPAID_PAYMENT_UNKNOWN: {
    meaning: 'No prepaid payment to this vendor has this request id (none was booked, or it paid someone else).',
    action: 'Check the request id the holder gave; a payment still being relayed appears once the prepaid center booked it: ask again shortly.',
    http: 404,
  },
  PREPAID_NOT_A_PROVIDER: {
    meaning: 'A PREPAID_REQUEST or PREPAID_CONFIRM came from a terminal not registered as a provider center of this prepaid center (or a provider charged a fee to another payee).',
    action: 'List the provider center\'s terminal id in the prepaid section\'s providers (docs/PREPAID.md, "Provider centers"); a provider charges its fee only to itself.',
    http: 403,
  },
  // -- the prepaid terminal's issue (PREPAID_ISSUE, PROTOCOL.md §6.4) --
  PREPAID_PAYMENT_MISMATCH: {
    meaning: 'The payment of an issue does not pay its amount: the notes do not sum to it, or are in another currency; or the purse record is for another amount, currency or terminal.',
    action: 'The terminal sends the notes it stacked for this customer, or the purse record of this debit; nothing was booked.',
    http: 422,
  },
  PREPAID_PAYMENT_USED: {
    meaning: 'A note or a purse debit record of this issue already paid another issue.',
    action: 'Nothing was booked; one payment pays one medium. Check the terminal journal for the other issue (its request id is in the center log).',
    http: 409,
  },
  PREPAID_PAYMENT_INVALID: {
    meaning: 'The payment was refused: a purse record whose card MAC does not verify (forged or altered), whose card is blocked or unknown on the validity lists, or that e-money already holds otherwise; a note key booked with other fields; or no purse verification (e-money module) on this center.',
    action: 'Nothing was booked; the holder keeps the debit receipt and the operator refunds it after checking the card (e-money records).',
    http: 422,
  },
  PREPAID_TERMINAL_INVALID: {
    meaning: 'The prepaid terminal is blocked, inactive or unknown on the validity lists (or the lists could not be read): no medium is issued.',
    action: 'Check the terminal row (admin API /terminals); nothing was booked, the customer\'s cash stays owed in cash-takings@<terminal>.',
    http: 403,
  },
  PREPAID_PAYOUT_FAILED: {
    meaning: "The bank refused a vendor's or provider's payout for good (account closed, unknown, …): the payout is failed and the amount payable again.",
    action: "Check the payee's account in prepaid.vendors / prepaid.providers and the bank's answer code in the log line; the next sweep decides a new payout.",
  },
});

export type PrepaidErrorCode = keyof typeof PREPAID_ERRORS;

export function prepaidError(code: PrepaidErrorCode, message: string, details?: Record<string, unknown>): TesseraError<PrepaidErrorCode> {
  return new TesseraError(code, message, details);
}
