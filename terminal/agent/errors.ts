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
    action: 'Provision the terminal key again at the configured keyFile path: `tessera keys terminal --master <center master key> --key-ref <its keyRef> --out <keyFile>` (32 bytes, hex or raw, mode 0600).',
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
    meaning: 'The inserted card has no Tessera purse application (its SELECT answered details.sw, or it gave no card id); it was released. Every role reports a foreign card with this code.',
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
  TERM_BUSY: {
    meaning: 'The agent already has its maximum of flows queued; this scan or command was not taken.',
    action: 'Repeat it once the running flows have finished (AGENT_LIMITS.cardQueueMax + 2 flows).',
  },
  // ------------------------------------------------------------ member shop / vending (seed 004)
  TERM_ENTRY_INVALID: {
    meaning: 'A keypad entry was not valid (details.prompt: an amount that is not a positive whole number of minor units, a product code not on the menu); nothing was debited.',
    action: 'Enter the amount in minor units (digits only) or press a product button that is configured.',
  },
  TERM_BALANCE_INSUFFICIENT: {
    meaning: 'The card holds less e-money than the price (details.amountMinor, details.balanceMinor); nothing was debited or journalled.',
    action: 'Tell the holder to charge the card at a provider terminal or pay otherwise.',
  },
  TERM_CURRENCY_MISMATCH: {
    meaning: 'The card\'s purse is in another currency than this terminal accepts (details.cardCurrency); nothing was debited.',
    action: 'Tell the holder the card is not accepted here.',
  },
  TERM_DEBIT_UNCONFIRMED: {
    meaning: 'The card left (or failed) after the DEBIT was sent and before its answer: the card may or may not have debited. Nothing was journalled or sold; the doubt is kept in the journal.',
    action: 'Do not hand over the goods. Ask the holder to insert the card again here: the terminal reads its counter and resolves the doubt.',
  },
  TERM_DEBIT_UNRECORDED: {
    meaning: 'The card shows that an earlier DEBIT in doubt here did take place (details.amountMinor) but its answer never reached the terminal: there is no card MAC, the shop cannot claim it; the holder is owed the amount. Kept aside in the journal (UNRECORDED).',
    action: 'Give the holder the aside record (card, counter, amount) to claim from the provider, which holds the amount in its float.',
  },
  TERM_SETTLE_FAILED: {
    meaning: 'Settlement could not proceed: the center did not answer the settle request (or answered with an ERROR or a result code this build does not name), or the instruction could not be opened (details.protocolCode); nothing was erased. A coded refusal is reported as `refused` with the center\'s EMONEY_ code instead.',
    action: 'Check the link to the center and that this terminal is registered as a shop with a callback address; settle again.',
  },
  TERM_SETTLE_TIMEOUT: {
    meaning: 'The center did not call back with the settlement instruction in time (or called after the terminal stopped waiting, and was refused); nothing was erased.',
    action: 'Settle again: a batch the center already booked is resumed with the same instruction, so nothing is paid twice.',
  },
  TERM_ITEM_UNKNOWN: {
    meaning: 'A barcode scanned at the shop till is not on its price list (roleSettings.products; details.item, or details.length for data that is no item code); nothing was added to the basket.',
    action: 'Scan the item again or key the amount instead; add the item to the price list if it should sell.',
  },
  TERM_BASKET_FULL: {
    meaning: 'The till\'s open basket holds its maximum of items (SHOP_LIMITS.basketItemsMax) or the item would take its total past the largest purse balance; nothing was added.',
    action: 'Take payment for the basket (insert the card) or clear it with the `clear` command, then scan the rest.',
  },
  // ------------------------------------------------------------ provider kiosk (seed 004 charge)
  TERM_CHARGE_ENTRY_INVALID: {
    meaning: 'The amount or a PIN entered at the provider kiosk was not valid (details.prompt: amount not a whole number of minor units in range, PIN not 4-12 digits); nothing was sent or charged.',
    action: 'Ask the holder to enter it again.',
  },
  TERM_CHARGE_DECLINED: {
    meaning: 'The center declined a charge step with a result code this terminal does not name (details.resultCode); known bank, relay and e-money codes are reported as themselves.',
    action: 'Look the number up in center/emoney/result-codes.ts; nothing was charged by this step.',
  },
  TERM_CHARGE_IN_DOUBT: {
    meaning: 'The e-money card moved past the counter its credit was authorised at, without a credit receipt reaching this kiosk: the card may hold the e-money (details.balanceMinor). The kiosk closed the charge; the center decides it.',
    action: 'Nothing at the kiosk: the center resolves it from the card\'s later records, or deems it credited after its horizon (center/emoney/README.md).',
  },
  TERM_CHARGE_WRONG_CARD: {
    meaning: 'The e-money card inserted cannot take the charge waiting for it (its purse is in another currency); the charge keeps waiting.',
    action: 'Ask the holder for their Tessera e-money card in the charge currency, or let the charge time out (it is reversed to their account).',
  },
  TERM_CHARGE_ABANDONED: {
    meaning: 'The provider kiosk gave the charge up: the center did not answer it in time (details.cause) or could not tell its outcome yet. It is never completed later: the kiosk tells the center (CHARGE_ABANDON) and the center reverses any money the bank took.',
    action: 'Tell the holder the charge failed and nothing is owed (money taken is returned to their account); they may charge again.',
  },
  // ------------------------------------------------------------ cash box (bill validator)
  TERM_CASHBOX_EMPTY: {
    meaning: 'A cash collection found no note in the cash box by the journal; nothing was recorded.',
    action: 'Nothing to collect; if the cash box does hold notes, count them and report the difference (the journal missed a stacked note).',
  },
  TERM_KEYPAD_FULL: {
    meaning: 'A keypad entry was refused: AGENT_LIMITS.keypadQueueMax entries already wait that no flow has read (details.prompt).',
    action: 'Send keypad entries only when a flow asks for them (one per prompt); the queued ones are read by the next flows.',
  },
  TERM_JOURNAL_IN_USE: {
    meaning: 'Another terminal agent (the pid in the message and in <journal>.lock) runs with this journal; two agents would race for the card and the journal.',
    action: 'Stop the other agent first, or give this one its own config with its own journal.',
  },
  TERM_ROLE_COMPOSITION: {
    meaning: 'The build\'s roles and card applications do not fit together (details: role, messageType or cardApp): two handlers for one center message type, a card application registered twice, a role needing one this build does not register, or a flow asking for one its role did not declare. The agent does not start (or the flow ends).',
    action: 'Programming error in the build: fix the registration in terminal/agent/roles/builtin.ts or the role named in details (terminal/agent/ROLES.md, "Seams").',
  },
  // ------------------------------------------------------------ voucher POS (seed 002)
  TERM_VOUCHER_SCAN_INVALID: {
    meaning: 'The scanned code is not a voucher card\'s serial (details.reason: symbology, length, or a wrong Luhn check digit: a misread); nothing was sent.',
    action: 'Scan the card\'s barcode again; if it keeps failing, key the sale at the HQ\'s help desk.',
  },
  TERM_VOUCHER_AMOUNT_INVALID: {
    meaning: 'The amount keyed for a variable-load card is not a whole number of minor units within the till\'s range (details.min, details.max); nothing was sent.',
    action: 'Key the amount again.',
  },
  TERM_VOUCHER_REFUSED: {
    meaning: 'The HQ or the settlement center refused the card (details.reason: VOUCHER_UNKNOWN, VOUCHER_ALREADY_ACTIVE, VOUCHER_BLOCKED, VOUCHER_WRONG_CHAIN, HQ_CENTER_UNREACHABLE, ...; details.resultCode the wire number): the card is not active.',
    action: 'Do not hand the card over as sold; give the customer the money back. A blocked or other chain\'s card goes to the store manager.',
  },
  TERM_VOUCHER_SALE_VOIDED: {
    meaning: 'The activation\'s answer did not come in time: the till voided the sale and its journal sends a reversal until the HQ answers, so the card never stays active without the store\'s money.',
    action: 'Give the customer the money back; the card is not sold. Sell it again once the link is back, with a new sale.',
  },
  TERM_VOUCHER_VOID_PENDING: {
    meaning: 'A void got no final answer yet (the HQ could not reach the center, or the link failed): the journal repeats it with the same id until answered.',
    action: 'Keep the card at the counter; refund the customer once the void is approved (the till\'s report shows it).',
  },
  TERM_VOUCHER_VOID_UNKNOWN: {
    meaning: 'A void names a sale this till did not approve (details.transactionId): not in the journal, or not activated.',
    action: 'Check the sale\'s transaction id on its receipt; only the till that sold a card voids it.',
  },
  TERM_PASSWORD_SCAN_INVALID: {
    meaning: 'The scanned or keyed settlement password failed the till\'s offline check (details.reason: symbology, format, or the PWTOKEN_ code: forged terms, unknown TTP key, stale or other shop\'s device QR; PASSWORD_EXPIRED); nothing was sent.',
    action: 'Ask the customer to show a fresh QR on the phone (or key the code again); a forged one is not accepted.',
  },
  TERM_PASSWORD_AMOUNT_INVALID: {
    meaning: 'The amount keyed for a password sale is not a whole number of minor units within the till\'s range (details.min, details.max); nothing was sent.',
    action: 'Key the amount again.',
  },
  TERM_PASSWORD_DECLINED: {
    meaning: 'The TTP declined the password sale (details.reason: PASSWORD_REPLAYED, PASSWORD_OVER_AMOUNT, PASSWORD_WRONG_PAYEE, PASSWORD_GOODS_NOT_ALLOWED, PASSWORD_LOCKED_OUT, ...; details.balanceMinor the value left when known): nothing was captured.',
    action: 'Do not hand the goods over on this password; ask for another payment, or a fresh QR for a replayed one.',
  },
  TERM_PASSWORD_UNANSWERED: {
    meaning: 'The password sale got no answer after every attempt with the same id: the till does not know whether the TTP captured it (the password is not journalled, so it is not sent again later).',
    action: 'Do not hand the goods over yet: look the request id pos:<terminal>:<details.transactionId> up in the shop\'s statement (merchant API); refund it there if it was captured and the sale is abandoned.',
  },
  // ------------------------------------------------------------ prepaid issuer (seed 000)
  TERM_PREPAID_NO_PAYMENT: {
    meaning: 'An issue was asked with no payment: no note stacked for this customer since the last issue; nothing was sent.',
    action: 'Insert notes first (the validator takes them while the role runs), then ask for the medium.',
  },
  TERM_PREPAID_REFUSED: {
    meaning: 'The prepaid center refused the issue (details.reason: PREPAID_PAYMENT_USED, PREPAID_PAYMENT_MISMATCH, PREPAID_TERMINAL_INVALID, ...; details.resultCode the wire number): no medium was made and the payment was not taken into one.',
    action: 'Cash: the customer\'s notes stay credited to this request in the journal (details.transactionId) and owed in cash-takings@<terminal> at the center: refund the customer from the cash box and note the request id. Purse (details.payment purse): the card was debited and nothing booked (the value stays in emoney-float); the signed record stays in the journal entry: refund the holder against it (docs/PREPAID.md).',
  },
  TERM_PREPAID_NOT_WRITTEN: {
    meaning: 'The medium was issued at the center but its file is not written yet (details.code: DEV_MEDIUM_ABSENT, DEV_MEDIUM_REMOVED, TERM_PREPAID_MEDIUM_IN_USE, ...): the journal keeps the issue and writes the same file as soon as a blank medium is in the drive.',
    action: 'Put a blank medium in the drive (or this customer\'s medium back); the write is repeated by itself. Nothing is lost: the value is held at the center.',
  },
  TERM_PREPAID_MEDIUM_IN_USE: {
    meaning: 'The medium in the drive holds another medium\'s prepaid file: the issuer never overwrites it (it may hold someone\'s value).',
    action: 'Take that medium out and put a blank one in.',
  },
});

export type TermErrorCode = keyof typeof TERM_ERRORS;

export function termError(code: TermErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): TesseraError<TermErrorCode> {
  return new TesseraError(code, message, details, cause === undefined ? undefined : { cause });
}
