import { defineErrors } from '../../core/errors.js';

/**
 * Merchant API codes (online shops over HTTPS, `/v1/`), with the HTTP status
 * each is answered with; request-shape errors (bad JSON, unknown fields,
 * wrong types, body too large) are the HTTP framework's own codes (HTTP_*).
 */
export const MerchantErrors = defineErrors('merchant', 'MERCHANT_', {
  MERCHANT_UNAUTHENTICATED: {
    meaning: 'The request has no API key (header `Authorization: Bearer <key>`), or the key is malformed or unknown.',
    action: 'Send a merchant API key an operator created with `tessera merchant key add` (it is shown once; ask for a new one if it was lost).',
    http: 401,
  },
  MERCHANT_KEY_REVOKED: {
    meaning: 'The API key was revoked by an operator.',
    action: 'Use another active key of the merchant, or ask the operator for a new one (`tessera merchant key add`).',
    http: 401,
  },
  MERCHANT_IDEMPOTENCY_KEY_MISSING: {
    meaning: 'A POST came without an `Idempotency-Key` header.',
    action: 'Send a unique key per operation (e.g. a UUID) and reuse it when retrying the same operation.',
    http: 400,
  },
  MERCHANT_IDEMPOTENCY_KEY_INVALID: {
    meaning: 'The `Idempotency-Key` header is empty, longer than MERCHANT_LIMITS.idempotencyKeyCharsMax or not printable ASCII.',
    action: 'Use 1-255 printable ASCII characters, e.g. a UUID.',
    http: 400,
  },
  MERCHANT_IDEMPOTENCY_MISMATCH: {
    meaning: 'The `Idempotency-Key` was already used with another request (other body, route or method); nothing was done.',
    action: 'Use a new key for a new operation; reuse a key only to retry exactly the same request.',
    http: 422,
  },
  MERCHANT_IDEMPOTENCY_IN_PROGRESS: {
    meaning: 'A request with this `Idempotency-Key` is still being processed; nothing was done for this one.',
    action: 'Retry the same request with the same key shortly: it then gets the first request\'s stored answer.',
    http: 409,
  },
  MERCHANT_RATE_LIMITED: {
    meaning: 'The API key sent more requests than its rate limit allows; nothing was done.',
    action: 'Wait the number of seconds in the `Retry-After` header, then retry (POSTs with the same Idempotency-Key).',
    http: 429,
  },
  MERCHANT_NOT_FOUND: {
    meaning: 'The settlement, payout or reconciliation named does not exist or belongs to another merchant.',
    action: 'Check the id against the listing routes.',
    http: 404,
  },
  MERCHANT_SETTLEMENT_OPEN: {
    meaning: 'A settlement named for reconciliation has not been booked yet (still awaiting its callback, or abandoned).',
    action: 'Reconcile only settlements whose state is instructed, acked, settled or pay_failed.',
    http: 409,
  },
  MERCHANT_INVALID_INPUT: {
    meaning: 'A merchant name, shop id, key id or key label given to the merchant commands is malformed.',
    action: 'Merchant names are 1-64 chars [A-Za-z0-9._-]; shop ids 1-64 chars; key ids 16 lowercase hex chars.',
  },
  MERCHANT_UNKNOWN: {
    meaning: 'No merchant (or API key) with this name (or id) exists.',
    action: 'List them with `tessera merchant list`.',
  },
  MERCHANT_DUPLICATE: {
    meaning: 'A merchant with this name, or one mapped to this shop id, already exists.',
    action: 'Pick another name; a shop maps to one merchant only.',
  },
  MERCHANT_TOO_MANY_KEYS: {
    meaning: 'The merchant already has MERCHANT_LIMITS.activeKeysPerMerchantMax active API keys.',
    action: 'Revoke a key no longer used (`tessera merchant key revoke`), then add the new one.',
  },
  MERCHANT_UNAVAILABLE: {
    meaning: 'The merchant API client could not get an answer (connection refused or reset, timeout) after its retries.',
    action: 'Check the center is running and reachable; a POST may be retried with the same Idempotency-Key safely.',
  },
  MERCHANT_BAD_RESPONSE: {
    meaning: 'The merchant API client got an answer that is not the documented JSON.',
    action: 'Check the base URL points at a Tessera merchant API (`/v1/`).',
  },
});

export type MerchantCode = keyof typeof MerchantErrors;
