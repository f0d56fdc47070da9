import { defineErrors } from '../../../core/errors.js';

/**
 * Decline codes of the bank-host adapter contract (seed 004): what a bank
 * answers to a bank-POS transfer. A real bank link maps its own response
 * codes onto these; the simulated banks (sim/bank) answer them directly.
 */
export const BANK_ERRORS = defineErrors('bank', 'BANK_', {
  BANK_WRONG_PIN: {
    meaning: 'The PIN (or security code) does not match the debited account.',
    action: 'The customer re-enters the PIN with a new transaction id; repeated failures are fraud signals.',
  },
  BANK_INSUFFICIENT_FUNDS: {
    meaning: 'The debited account does not hold the amount.',
    action: 'The customer chooses a smaller amount or funds the account.',
  },
  BANK_ACCOUNT_CLOSED: {
    meaning: 'The debited or credited account is closed.',
    action: 'Use another account; the bank reopens accounts, not Tessera.',
  },
  BANK_UNKNOWN_ACCOUNT: {
    meaning: 'No such branch/account at this bank.',
    action: 'Check the cash card data or the merchant/provider account configuration.',
  },
  BANK_NOT_THIS_BANK: {
    meaning: 'The request reached a bank that holds neither or only one of the accounts.',
    action: 'A routing bug: the relay routes by bank code; check the adapter table.',
  },
  BANK_TRANSFER_ID_REUSED: {
    meaning: 'A transfer id was reused with different accounts, amount or currency.',
    action: 'Transfer ids are idempotency keys: use a new id for a new transfer.',
  },
  BANK_TRANSFER_REVERSED: {
    meaning: 'The transfer id was reversed before the transfer arrived, so it is refused.',
    action: 'Nothing moved; start a new transaction with a new id.',
  },
  BANK_CURRENCY_MISMATCH: {
    meaning: 'The transfer currency is not the currency of the accounts.',
    action: 'Fix the request (the bank keeps one currency per account).',
  },
  BANK_BAD_REQUEST: {
    meaning: 'The bank could not parse the request (ids, account numbers or amount malformed).',
    action: 'Fix the caller; nothing moved.',
  },
});

export type BankDeclineCode = keyof typeof BANK_ERRORS;
