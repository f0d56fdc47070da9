import { defineErrors } from '../../core/errors.js';

/** Errors of the bank cash card application codec (sim/CARD.md, "The bank cash card"). */
export const CASHCARD_ERRORS = defineErrors('cashcard', 'CASHCARD_', {
  CASHCARD_BAD_RESPONSE: {
    meaning: 'A cash card response had the wrong length or a field that is not digits (bank code, branch, account number).',
    action: 'The card is faulty or not a bank cash card; return it and ask the holder to contact their bank.',
  },
  CASHCARD_BAD_ARGUMENT: {
    meaning: 'A cash card account was built with a malformed field (bank code 4 digits, branch 3, account number 7).',
    action: 'Fix the caller (issue command or test); account fields follow the Japanese convention.',
  },
});

export type CashCardErrorCode = keyof typeof CASHCARD_ERRORS;
