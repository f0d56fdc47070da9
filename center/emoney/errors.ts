import { defineErrors } from '../../core/errors.js';

/** E-money over bank POS (seed 004): charge, issue, purchase records, settlement. */
export const EMONEY_ERRORS = defineErrors('emoney', 'EMONEY_', {
  EMONEY_EXISTS_WITH_DIFFERENT_FIELDS: {
    meaning: 'A transaction id was reused with a different account, amount, currency or card.',
    action: 'Transaction ids are idempotency keys: the terminal uses a new id for a new charge.',
  },
  EMONEY_UNKNOWN_CHARGE: {
    meaning: 'An issue request names a charge the center does not hold.',
    action: 'The terminal sends CHARGE_REQUEST first (same transaction id).',
  },
  EMONEY_CHARGE_NOT_APPROVED: {
    meaning: 'The charge was declined by the bank, or its outcome is still unknown.',
    action: 'Retry the CHARGE_REQUEST with the same id (unknown outcome) or start a new charge.',
  },
  EMONEY_CHARGE_REVERSED: {
    meaning: 'The charge timed out before the card was credited and was reversed to the user\'s bank account.',
    action: 'Nothing is owed; the user charges again with a new transaction.',
  },
  EMONEY_NO_PROVIDER_ACCOUNT: {
    meaning: 'The provider holds no account at this bank, so it cannot take charges from or pay shops at it.',
    action: 'Open a provider account at the bank and add it to the e-money configuration.',
  },
  EMONEY_BAD_PIN_BLOCK: {
    meaning: 'The sealed PIN block did not open or is not an ISO 9564 format-2 block.',
    action: 'Check the terminal\'s PIN pad integration; the PIN is never logged.',
  },
  EMONEY_CARD_MISMATCH: {
    meaning: 'The charge is bound to another card (it was authorised for a different card id).',
    action: 'Insert the card the charge was started with.',
  },
  EMONEY_COUNTER_TAKEN: {
    meaning: 'Another charge holds an authorisation for this card at this counter.',
    action: 'Finish or confirm the other charge first; one credit per card counter.',
  },
  EMONEY_COUNTER_STALE: {
    meaning: 'The card reports a counter lower than one the center has seen for it (cloned or restored card).',
    action: 'Capture the card and investigate.',
  },
  EMONEY_IN_DOUBT: {
    meaning: 'The card\'s counter moved past the authorised one without a credit receipt: the center cannot yet tell whether the credit was applied.',
    action: 'Nothing to do at the terminal: settlement records decide it (see center/emoney/README.md), or the in-doubt horizon deems it credited.',
  },
  EMONEY_BAD_RECEIPT: {
    meaning: 'The credit confirmation\'s receipt MAC does not verify for this card, counter, amount and balance.',
    action: 'Treat the terminal as suspect; the charge stays authorised.',
  },
  EMONEY_TERMINAL_MISMATCH: {
    meaning: 'A settle request names another terminal than the authenticated one.',
    action: 'Terminals settle only their own records.',
  },
  EMONEY_NOT_A_SHOP: {
    meaning: 'The terminal has no registered callback address, or its owner is not a member shop with a bank account.',
    action: 'Register the terminal\'s callback address and the shop\'s bank account.',
  },
  EMONEY_CALLBACK_FAILED: {
    meaning: 'The center could not call the terminal back (dial, challenge or instruction failed).',
    action: 'The batch stays open; the shop presses settle again and the center resumes it.',
  },
  EMONEY_LEDGER_REFUSED: {
    meaning: 'The ledger refused an e-money move (a broken invariant); the step was rolled back.',
    action: 'Run `tessera audit` and report the transfer id; the flow retries the step.',
  },
  EMONEY_CHARGE_CREDITED: {
    meaning: 'A charge the kiosk gave up (CHARGE_ABANDON) is already bound to a card (credit authorised) or credited: it is not reversed.',
    action: 'Nothing to reverse: the card holds, or may hold, the e-money; the charge ends by its confirmation, a debit record or the in-doubt horizon.',
  },
  EMONEY_CHARGE_IN_PROGRESS: {
    meaning: 'A CHARGE_REQUEST was repeated while another center node is calling the bank for the same charge: its outcome is not known yet; this node did not call the bank.',
    action: 'Nothing is lost: the kiosk gives the charge up (CHARGE_ABANDON) and the center reverses it if the bank took the money.',
  },
  EMONEY_MEDIUM_INVALID: {
    meaning: 'The card is lost, stolen, expired or captured on the validity lists: no e-money flow serves it.',
    action: 'The terminal keeps (captures) the card; the center has marked it captured. Unblock it with the admin API only if the block was a mistake.',
  },
  EMONEY_MEDIUM_UNKNOWN: {
    meaning: 'The card is not on the validity lists (never registered as a medium).',
    action: 'Register the purse card as a medium (admin POST /media) when it is issued; the card is returned to the holder.',
  },
  EMONEY_TERMINAL_INVALID: {
    meaning: 'The terminal is unknown, inactive or blocked on the validity lists: it may not charge, issue, upload or settle, and its shop is not paid.',
    action: 'Unblock the terminal (admin POST /terminals/:id/unblock) once the reason for the block is cleared; held payments are then made by the sweep.',
  },
  EMONEY_VALIDITY_UNAVAILABLE: {
    meaning: 'The validity lists could not be read in time, so the request was refused rather than served unchecked.',
    action: 'Check the database; the terminal retries the same request.',
  },
  EMONEY_BUSY: {
    meaning: 'As many settlement callbacks as allowed at once (EMONEY_LIMITS.callbacksInFlightMax) are running: the settle request was refused before a batch was opened.',
    action: 'The shop presses settle again a little later; nothing was booked.',
  },
});

export type EmoneyCode = keyof typeof EMONEY_ERRORS;
