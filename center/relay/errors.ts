import { defineErrors } from '../../core/errors.js';

/** The transaction relay (the CAFIS role, seed 004): routing bank-POS transfers to bank hosts. */
export const RELAY_ERRORS = defineErrors('relay', 'RELAY_', {
  RELAY_UNKNOWN_BANK: {
    meaning: 'No bank host is connected to the relay for this bank code.',
    action: 'Add the bank to the relay configuration, or correct the bank code.',
  },
  RELAY_DIFFERENT_BANKS: {
    meaning: 'A bank-POS transfer named accounts at two different banks; it only moves money within one bank.',
    action: 'Use the provider\'s account at the same bank as the other account.',
  },
  RELAY_BANK_UNREACHABLE: {
    meaning: 'The bank host did not answer (connection refused, timeout, bad answer); the outcome is unknown.',
    action: 'Retry with the same transfer id (idempotent) or reverse it by id once the bank is back.',
  },
  RELAY_BAD_REQUEST: {
    meaning: 'The transfer request is malformed (transfer id, account fields or amount).',
    action: 'Fix the caller; nothing was sent to a bank.',
  },
});

export type RelayCode = keyof typeof RELAY_ERRORS;
