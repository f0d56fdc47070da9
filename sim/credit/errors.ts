import { defineErrors } from '../../core/errors.js';

/** `tessera credit`: the simulated credit company ordering settlement passwords from the TTP (sim/credit). */
export const CREDIT_ERRORS = defineErrors('credit', 'CREDIT_', {
  CREDIT_CONFIG_UNREADABLE: {
    meaning: 'The credit company config file could not be read or is not JSON.',
    action: 'Check the path given to --config and that the file is valid JSON.',
  },
  CREDIT_CONFIG_INVALID: {
    meaning: 'The credit company config does not match its schema (the message lists each bad field by path).',
    action: 'Fix the named fields; see sim/credit/config.ts for the shape and defaults.',
  },
  CREDIT_SECRET_FILE: {
    meaning: 'The TTP API key file or a bank account security-code file is missing, empty, malformed, or readable by group or others.',
    action: 'Write the key (`tessera merchant add --key-out FILE`) or the code (4-12 digits) to the named file, mode 0600.',
  },
  CREDIT_LISTEN_FAILED: {
    meaning: 'The credit company could not bind its HTTP address.',
    action: 'Check listen.host/listen.port: another process may hold the port.',
  },
  CREDIT_BAD_REQUEST: {
    meaning: 'An order is malformed: unknown customer, amount out of range, a PIN that is not 4-12 digits, a delivery channel or address the customer cannot use.',
    action: 'Correct the field named in the details.',
    http: 400,
  },
  CREDIT_NO_ACCOUNT_AT_BANK: {
    meaning: 'The credit company holds no account at the customer\'s bank, so it cannot take (or give back) the value there.',
    action: 'Open an account for the credit company at that bank and list it under accounts in the config.',
    http: 422,
  },
  CREDIT_ORDER_UNKNOWN: {
    meaning: 'No order with this id in the credit company\'s journal.',
    action: 'Use the order id the order answer gave (`tessera credit orders`).',
    http: 404,
  },
  CREDIT_ORDER_EXISTS_WITH_DIFFERENT_FIELDS: {
    meaning: 'This order id (Idempotency-Key) was used before for another order.',
    action: 'Use a new order id for a new order; repeat an order only with the same fields.',
    http: 409,
  },
  CREDIT_BANK_DECLINED: {
    meaning: 'The customer\'s bank declined the debit (wrong PIN, insufficient funds, account closed): nothing was taken and no password issued.',
    action: 'details.bankCode names the bank\'s code; the customer checks the PIN or the balance and orders again.',
    http: 402,
  },
  CREDIT_BANK_IN_DOUBT: {
    meaning: 'The customer\'s bank did not answer the debit: it may or may not have been taken. The order stays in the journal and is retried with the same transfer id until the bank answers.',
    action: 'Nothing: the credit company completes or refuses the order on its own (`tessera credit orders` shows it).',
    http: 503,
  },
  CREDIT_TTP_PENDING: {
    meaning: 'The value was taken, but the TTP has not answered the issue yet (unreachable, or the answer was lost). The order is retried with the same request id until the TTP answers: it ends issued, or refunded to the customer.',
    action: 'Nothing: look at the order again later (`tessera credit orders`). The order answer is 202 with the order in state paid.',
  },
  CREDIT_TTP_REFUSED: {
    meaning: 'The TTP refused to issue the password (details.ttpCode): the value taken is refunded to the customer\'s bank account.',
    action: 'Check the TTP\'s code in the details (an address the device cannot use, a limit); order again with corrected fields.',
    http: 422,
  },
  CREDIT_RECON_ISSUED_MISMATCH: {
    meaning: 'Reconciliation: the issues on the TTP\'s daily file (count or total) differ from the credit company\'s journal for the day.',
    action: 'Compare the lines: details list the serials on one side only; an order still waiting for the TTP\'s answer explains a difference until it completes.',
  },
  CREDIT_RECON_RETURNED_MISMATCH: {
    meaning: 'Reconciliation: the returns on the TTP\'s daily file differ from the returns the credit company has taken in for the day.',
    action: 'Sync the returns (`tessera credit returns`), then reconcile again; a difference after that is a finding.',
  },
  CREDIT_RECON_UNKNOWN_SERIAL: {
    meaning: 'Reconciliation: the TTP\'s daily file has a line for a password no order of the credit company holds.',
    action: 'Investigate: a password issued under this issuer that the credit company never ordered.',
  },
  CREDIT_RECON_FILE_TOTALS: {
    meaning: 'Reconciliation: the TTP\'s daily file is not consistent with itself (its control totals are not the sums of its lines, or its lines were truncated).',
    action: 'Fetch the file again; report a persistent difference to the TTP.',
  },
  CREDIT_KEYPAD_ABANDONED: {
    meaning: 'The keypad line (`tessera credit order --keypad`) ended without an order: details.reason says why (input-ended: the input closed before every answer was keyed; invalid-entries: three invalid entries for one prompt; cancelled: the card holder pressed 2). Nothing was ordered or taken.',
    action: 'Call again and key every answer (customer number, amount, PIN, then 1 to confirm), each followed by a new line.',
  },
  CREDIT_DEVICE_UNKNOWN: {
    meaning: 'A lost-phone report names a customer the credit company does not have, or one with no device-bound phone key (and none given in the request).',
    action: 'Check the customer id; pass the lost phone\'s public key (64 hex, its `phone serve` ready line shows it as base64url) with --device-key.',
    http: 404,
  },
});
