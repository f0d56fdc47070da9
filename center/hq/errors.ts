import { defineErrors } from '../../core/errors.js';

/**
 * The store headquarters (seed 002, `tessera hq serve`): its tills' voucher
 * requests, its journal and outbox to the settlement center, the signed link
 * (PROTOCOL.md §6.5.1) and the daily file. The codes a till sees have a wire
 * number in 0x05xx (center/hq/result-codes.ts).
 */
export const HQ_ERRORS = defineErrors('hq', 'HQ_', {
  HQ_CENTER_UNREACHABLE: {
    meaning: 'The settlement center did not answer the activation within the HQ\'s deadline: the card was not activated, and the HQ reverses it.',
    action: 'Void the sale and give the customer the money back; check the HQ → center link (`tessera hq serve` logs, the center\'s HTTPS listener).',
    http: 503,
  },
  HQ_REVERSED: {
    meaning: 'The activation was reversed (its answer never reached the till, or the HQ gave it up): the card is not active.',
    action: 'Nothing to do: the sale was voided at the till. Sell the card again with a new sale if the customer still wants it.',
    http: 409,
  },
  HQ_STORE_UNKNOWN: {
    meaning: 'The terminal belongs to no store of this HQ (the `hq.stores` list of the HQ config).',
    action: 'Add the terminal to its store in the HQ config and restart the HQ.',
    http: 403,
  },
  HQ_TERMINAL_INVALID: {
    meaning: 'The HQ\'s validity lists refuse the terminal (blocked, inactive or unknown).',
    action: 'Check the terminal on the HQ\'s lists (`tessera admin terminals`).',
    http: 403,
  },
  HQ_REQUEST_REUSED: {
    meaning: 'A request id the HQ has journalled came again with other fields (serial, amount, currency, terminal).',
    action: 'Request ids are idempotency keys: the till uses a new id for a new sale.',
    http: 409,
  },
  HQ_UNKNOWN_ACTIVATION: {
    meaning: 'A void names an activation the HQ never journalled (or one from another store).',
    action: 'Check the sale\'s request id on the till\'s receipt.',
    http: 404,
  },
  HQ_PENDING: {
    meaning: 'The HQ holds the request and is still forwarding it to the settlement center.',
    action: 'Repeat the request later with the same id (the till\'s journal does).',
    http: 503,
  },
  HQ_CENTER_REFUSED: {
    meaning: 'The settlement center refused the request with a code the till has no number for (logged by the HQ).',
    action: 'Read the HQ\'s log line for the center\'s code.',
    http: 422,
  },
  HQ_CONFIG_INVALID: {
    meaning: 'The HQ section of the config is inconsistent (a terminal in two stores, no center link).',
    action: 'Fix the `hq` section named in the error.',
  },
  HQ_KEY_FILE: {
    meaning: 'The HQ\'s signing key (or a center\'s copy of an HQ public key) cannot be read or is not an Ed25519 PEM key.',
    action: 'Create it with `tessera hq keygen` and give the public key to the settlement center.',
  },
  HQ_KEY_FILE_PERMISSIONS: {
    meaning: 'The HQ\'s private signing key file is readable or writable by group or others.',
    action: 'chmod 600 the file.',
  },
  HQ_SIGNATURE_MISSING: {
    meaning: 'A request on the HQ link carries no (or a malformed) Tessera-Hq-Id, Tessera-Timestamp, Tessera-Nonce or Tessera-Signature header.',
    action: 'HQ link requests are signed (PROTOCOL.md §6.5.1); use `tessera hq serve`.',
    http: 401,
  },
  HQ_SIGNATURE_INVALID: {
    meaning: 'The request\'s Ed25519 signature does not verify with the public key the settlement center holds for that HQ, or the HQ is unknown.',
    action: 'Check that the center holds the HQ\'s current public key (`hqLink.hqs` in the center config).',
    http: 401,
  },
  HQ_SIGNATURE_STALE: {
    meaning: 'The request\'s timestamp lies outside the replay window of the settlement center\'s clock.',
    action: 'Synchronise the HQ\'s and the center\'s clocks (NTP); the HQ repeats the request with a new timestamp.',
    http: 401,
  },
  HQ_SIGNATURE_REPLAYED: {
    meaning: 'A nonce was used twice within the replay window: a replayed request.',
    action: 'Investigate who resends the HQ\'s requests; the HQ itself uses a new nonce for every attempt.',
    http: 401,
  },
  HQ_LINK_FAILED: {
    meaning: 'The settlement center could not be reached over the HQ link, or answered with an error that is not a coded refusal.',
    action: 'The HQ\'s outbox repeats the request; check the center\'s URL, CA file and listener.',
  },
  HQ_FILE_MISMATCH: {
    meaning: 'The HQ\'s daily file and the settlement center\'s differ (lines or control totals): the day is not settled.',
    action: 'Read the differing lines in the error\'s details; nothing was paid. Resolve the lines (a reversal still owed, an activation the HQ missed) and settle again.',
  },
  HQ_DAY_INVALID: {
    meaning: 'The business day is not a YYYY-MM-DD date.',
    action: 'Give the day as YYYY-MM-DD.',
    http: 400,
  },
});

export type HqCode = keyof typeof HQ_ERRORS;
