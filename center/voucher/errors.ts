/**
 * The voucher module's error codes (seed 002, prefix VOUCHER_ from
 * core/numbers.ts). Each code a merchant route or an HQ link can answer has
 * its HTTP status; the wire result codes for the till are in result-codes.ts.
 * No message or detail carries a PIN, a PIN hash or a key.
 */
import { defineErrors } from '../../core/errors.js';

export const VOUCHER_ERRORS = defineErrors('vouchers', 'VOUCHER_', {
  VOUCHER_SERIAL_INVALID: {
    meaning: 'The serial is not 16 digits or its check digit (Luhn) is wrong: a misread barcode or a mistyped number.',
    action: 'Scan the card again or key the serial printed under the barcode.',
    http: 400,
  },
  VOUCHER_UNKNOWN: {
    meaning: 'No card with this serial was issued by the settlement center.',
    action: 'The card is not one of ours: do not sell it; report it to the HQ.',
    http: 404,
  },
  VOUCHER_WRONG_CHAIN: {
    meaning: 'The card (or the batch) belongs to another HQ: only the stores of the chain it was issued to can activate or block it.',
    action: 'Do not sell the card; return it to the HQ it came from.',
    http: 403,
  },
  VOUCHER_ALREADY_ACTIVE: {
    meaning: 'The card was already activated by another sale.',
    action: 'Do not take money for it again; check the receipt of the earlier sale.',
    http: 409,
  },
  VOUCHER_BLOCKED: {
    meaning: 'The card is blocked (reported lost or stolen, on the validity lists).',
    action: 'Do not sell or accept the card; keep it and report it to the HQ.',
    http: 409,
  },
  VOUCHER_VOIDED: {
    meaning: 'The card\'s sale was voided: it holds no value and cannot be activated again.',
    action: 'Do not sell the card; destroy it.',
    http: 409,
  },
  VOUCHER_EXPIRED: {
    meaning: 'The card is past its validity: its remaining value was booked as breakage.',
    action: 'Nothing to spend; the buyer may contact the issuer under its terms.',
    http: 409,
  },
  VOUCHER_AMOUNT_INVALID: {
    meaning: 'The amount or currency does not fit: not the card\'s face value, outside the variable-load range, not a positive integer, or another currency.',
    action: 'Key the face value of a fixed card, or an amount within the card\'s load range, in the card\'s currency.',
    http: 400,
  },
  VOUCHER_VOID_REFUSED: {
    meaning: 'The void (or reversal) is refused: part of the value was spent, or it comes from another store, another business day, or after the void window.',
    action: 'The sale stands; a refund of an unspent card goes through the HQ\'s own procedure.',
    http: 409,
  },
  VOUCHER_REQUEST_REUSED: {
    meaning: 'A request id (or redemption key, refund id) seen before arrived with other fields: nothing was done.',
    action: 'Use a new request id for a new request; repeat a request only with the same fields.',
    http: 422,
  },
  VOUCHER_PIN_REFUSED: {
    meaning: 'A PIN cannot pay: unknown, not sold yet, used up, expired or blocked (one answer for all, so a refusal reveals nothing). The failure is counted against the API key and the address.',
    action: 'Ask the buyer to check the PIN under the scratch-off panel; repeated failures lock the key and the address out.',
    http: 402,
  },
  VOUCHER_LOCKED_OUT: {
    meaning: 'Too many failed PINs from this API key or address: PIN checks are refused until the lockout ends (details.retryAfterMs).',
    action: 'Wait until the lockout ends; if the failures were not the shop\'s own, look for a PIN-guessing attack on the shop.',
    http: 429,
  },
  VOUCHER_INSUFFICIENT: {
    meaning: 'The cards given together hold less than the amount: nothing was taken from any of them.',
    action: 'Show the buyer the balance and ask for another card or another means of payment for the rest.',
    http: 402,
  },
  VOUCHER_TOO_MANY_CARDS: {
    meaning: 'More cards, or a larger total, than one redemption may combine (VOUCHER_LIMITS.cardsPerRedemptionMax, redemptionMinorMax).',
    action: 'Split the payment, or pay with fewer cards.',
    http: 400,
  },
  VOUCHER_REDEMPTION_UNKNOWN: {
    meaning: 'No redemption with this id for this merchant.',
    action: 'Use the redemption id the center answered to this merchant.',
    http: 404,
  },
  VOUCHER_REDEMPTION_STATE: {
    meaning: 'The redemption is not in a state that allows this (capture after cancel or expiry, refund before capture, refund above the captured amount, capture above the authorised amount).',
    action: 'Read the redemption (GET /v1/vouchers/redemptions/:id) and act on its state.',
    http: 409,
  },
  VOUCHER_BATCH_PRINTED: {
    meaning: 'The PINs of this batch were already taken for printing: the center keeps them only as keyed hashes now.',
    action: 'Use the sheet printed then; a lost sheet means blocking the batch and issuing a new one.',
    http: 409,
  },
  VOUCHER_FILE_MISMATCH: {
    meaning: 'The HQ\'s daily totals differ from the center\'s for that day, or the payment is not the amount due: nothing was booked.',
    action: 'Compare the daily files line by line (dailyFile) and settle again with the center\'s totals once the difference is explained.',
    http: 409,
  },
  VOUCHER_HQ_UNKNOWN: {
    meaning: 'The HQ is not registered with the settlement center.',
    action: 'Register the HQ (config voucher.hqs, or registerHq) with its commission first.',
    http: 404,
  },
  VOUCHER_BATCH_UNKNOWN: {
    meaning: 'No batch with this id.',
    action: 'List the batches with `tessera voucher batches`.',
    http: 404,
  },
  VOUCHER_INVALID_INPUT: {
    meaning: 'A request field has the wrong form (id, count, denomination, serial range, duplicate PIN, business day).',
    action: 'Correct the field named in details.field.',
    http: 400,
  },
  VOUCHER_LEDGER_REFUSED: {
    meaning: 'The ledger refused a voucher move (a broken invariant); the step was rolled back.',
    action: 'Run `tessera audit` and report the transfer id.',
    http: 500,
  },
  VOUCHER_KEY_FILE: {
    meaning: 'The voucher PIN key file cannot be read or does not hold 32 raw bytes or 64 hex chars.',
    action: 'Point voucher.pinKeyFile at a 0600 file of 32 random bytes (it must stay the same: PINs are checked against hashes made with it).',
  },
  VOUCHER_PAYOUT_FAILED: {
    meaning: 'A shop payout was declined by the bank for good (closed or unknown account): the payable stays on the shop\'s books.',
    action: 'Correct the shop\'s bank account in voucher.shops and the next sweep pays a new payout.',
  },
});

export type VoucherCode = keyof typeof VOUCHER_ERRORS;
