import { defineErrors } from '../../core/errors.js';

/** Cash taken by terminals' bill validators, booked in the center's ledger (center/cash/README.md). */
export const CASH_ERRORS = defineErrors('cash', 'CASH_', {
  CASH_NOTE_CONFLICT: {
    meaning: 'A note key (or collection id) is already booked for this terminal with another amount, currency, stacking time or control figures.',
    action: 'Note keys and collection ids are idempotency keys: check the terminal journal was not restored or copied from another terminal.',
  },
  CASH_CURRENCY_MISMATCH: {
    meaning: "The terminal's cash box is kept in another currency than the note or collection reported.",
    action: 'One currency per terminal cash box: check the validator configuration (devices.validator.currency).',
  },
  CASH_CONTROL_MISMATCH: {
    meaning: "A collection's control count or total differs from the notes it lists as the center booked them; nothing was moved.",
    action: 'Recount the collected notes against the slip; the center keeps the collection as `mismatch` in cash_collections for the operator.',
  },
  CASH_NOTE_UNKNOWN: {
    meaning: 'A collection lists a note the center never booked for this terminal.',
    action: "Nothing at once: the terminal reports its notes first and repeats the collection; if it persists, compare the terminal journal's cash_notes.",
  },
  CASH_BAD_AMOUNT: {
    meaning: 'A note amount is 0 or above the largest note, or a note key appears twice in one report.',
    action: 'Check the validator configuration (value scaling) and the terminal journal.',
  },
  CASH_NOTE_COLLECTED: {
    meaning: 'A collection lists a note that already belongs to another collection.',
    action: 'Compare the two collections in cash_collections with the terminal journal; a note leaves the cash box once.',
  },
  CASH_LEDGER_REFUSED: {
    meaning: 'The ledger refused a cash move (a broken invariant, e.g. the cash box would go negative).',
    action: 'Run `tessera audit` and inspect the cash accounts of the terminal.',
  },
});
export type CashCode = keyof typeof CASH_ERRORS;
