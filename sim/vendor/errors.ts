import { defineErrors } from '../../core/errors.js';

/** `tessera vendor`: the simulated software vendor and goods seller paid through prepaid media (sim/vendor). */
export const VENDOR_ERRORS = defineErrors('vendor', 'VENDOR_', {
  VENDOR_CONFIG_UNREADABLE: {
    meaning: 'The vendor config file could not be read or is not JSON.',
    action: 'Check the path given to --config and that the file is valid JSON.',
  },
  VENDOR_CONFIG_INVALID: {
    meaning: 'The vendor config does not match its schema (the message lists each bad field by path).',
    action: 'Fix the named fields; see sim/vendor/config.ts for the shape and defaults.',
  },
  VENDOR_SECRET_FILE: {
    meaning: 'The signing key file or the merchant API key file is missing, malformed (the signing key is 64 hex chars) or readable by group or others.',
    action: 'Write the key (`tessera vendor keygen --out FILE`, `tessera merchant add --key-out FILE`) to the named file, mode 0600.',
  },
  VENDOR_LISTEN_FAILED: {
    meaning: 'The vendor could not bind its HTTP address.',
    action: 'Check listen.host/listen.port: another process may hold the port.',
  },
  VENDOR_BAD_INPUT: {
    meaning: 'A request to the vendor was malformed (unknown item code, a request id that is not 32 hex, a body that is not JSON).',
    action: 'Send an item code from GET /catalogue and the request id of the prepaid payment (32 lowercase hex).',
    http: 400,
  },
  VENDOR_ORDER_UNKNOWN: {
    meaning: 'No order with this id at the vendor.',
    action: 'Use the order id POST /orders answered.',
    http: 404,
  },
  VENDOR_ORDER_PAID: {
    meaning: 'The order was already paid with another prepaid payment (request id).',
    action: 'Ask for the order again (GET /orders/:id) to get its receipt; a second payment is not needed.',
    http: 409,
  },
  VENDOR_PAYMENT_USED: {
    meaning: 'This prepaid payment (request id) already paid another order.',
    action: 'A payment pays one order: pay the new order with a new prepaid use.',
    http: 409,
  },
  VENDOR_PAYMENT_NOT_FOUND: {
    meaning: 'The prepaid center has no payment to this vendor with this request id (not booked, or paid to someone else).',
    action: 'Pay the vendor through the provider first (a vendor use whose payee is the vendor id), then send its request id; a payment being relayed shows up shortly.',
    http: 402,
  },
  VENDOR_PAYMENT_MISMATCH: {
    meaning: 'The prepaid payment is not for the order\'s price (another amount or currency).',
    action: 'Pay exactly the order\'s price (POST /orders answered it) in one use; a wrong payment stays with the vendor: ask the vendor to settle it.',
    http: 402,
  },
  VENDOR_CENTER_UNAVAILABLE: {
    meaning: 'The vendor could not ask the prepaid center (merchant API) whether it was paid: no answer or an error answer.',
    action: 'Send the same payment again later: the order is answered once the center is reachable, with the same receipt.',
    http: 503,
  },
  VENDOR_INTERNAL: {
    meaning: 'The vendor failed on something it did not expect (a bug); the order is unchanged or answered again on a retry.',
    action: 'Send the same request again; report it with the vendor\'s output if it recurs.',
    http: 500,
  },
});
