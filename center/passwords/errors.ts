import { defineErrors } from '../../core/errors.js';

/** The TTP's settlement passwords (seed 003): issue, delivery, verification, redemption (center/passwords/README.md). */
export const PASSWORD_ERRORS = defineErrors('passwords', 'PASSWORD_', {
  PASSWORD_EXISTS_WITH_DIFFERENT_FIELDS: {
    meaning: 'A request id (the issuer\'s issue request, the shop\'s redemption or refund) was reused with other fields.',
    action: 'Request ids are idempotency keys: use a new id for a new request, the same id with the same fields for a retry.',
    http: 409,
  },
  PASSWORD_UNKNOWN: {
    meaning: 'No password has this code (or serial): mistyped, never issued, or guessed. Counts towards the lockout.',
    action: 'Ask the customer to present the password again; repeated failures lock the shop key and address out for a while.',
    http: 404,
  },
  PASSWORD_LOCKED_OUT: {
    meaning: 'Too many unknown codes or bad presentations (forged or malformed QRs, bad device signatures, bare codes of device-bound passwords) from this caller: this merchant API key, or this terminal. Honest refusals (over the amount, wrong shop or amount on the phone, a replayed QR) do not count. Lookups are refused until retryAfterSeconds (details: scope).',
    action: 'Wait for retryAfterSeconds, or have the TTP operator lift it (admin POST /passwords/lockouts/unlock with the scope and a reason; GET /passwords/lockouts lists them). If the shop did not cause it, its key may be abused: rotate it (tessera merchant key add / revoke).',
    http: 429,
  },
  PASSWORD_NOT_DELIVERED: {
    meaning: 'The password has not been confirmed delivered to its device yet, so it cannot be spent.',
    action: 'Ask again after the device has received it; a password whose delivery fails is refunded, never spendable.',
    http: 409,
  },
  PASSWORD_EXPIRED: {
    meaning: 'The password\'s expiry has passed; its unused value goes back to the issuer.',
    action: 'Refuse it; the customer orders a new one.',
    http: 410,
  },
  PASSWORD_REVOKED: {
    meaning: 'The password was revoked (by the user from the device, or by the issuer: a lost phone) or refunded after a failed delivery.',
    action: 'Refuse it.',
    http: 410,
  },
  PASSWORD_USED_UP: {
    meaning: 'Nothing of the password\'s value is left to spend (used, or held by an open reservation of another redemption).',
    action: 'Refuse it, or wait for the other reservation to be captured or cancelled.',
    http: 409,
  },
  PASSWORD_OVER_AMOUNT: {
    meaning: 'The amount asked for exceeds the value left on the password.',
    action: 'Charge at most the remaining value (the answer names it); partial passwords keep the rest spendable.',
    http: 422,
  },
  PASSWORD_CURRENCY_MISMATCH: {
    meaning: 'The redemption is in another currency than the password.',
    action: 'Charge in the password\'s currency.',
    http: 422,
  },
  PASSWORD_WRONG_PAYEE: {
    meaning: 'The password is restricted to another shop or to a category this shop is not in.',
    action: 'Refuse it: it can be spent only with its payee.',
    http: 403,
  },
  PASSWORD_GOODS_NOT_ALLOWED: {
    meaning: 'The password\'s issuer allows only some goods categories and the redemption names others (or none).',
    action: 'Send the goods category codes of the basket; take another means of payment for goods outside them.',
    http: 403,
  },
  PASSWORD_USER_MISMATCH: {
    meaning: 'The password is restricted to a user and the redemption names another (or none).',
    action: 'Send the customer\'s user reference the issuer gave; refuse otherwise.',
    http: 403,
  },
  PASSWORD_DEVICE_REQUIRED: {
    meaning: 'The password is bound to a device: its bare code is not enough, only the device\'s signed presentation spends it.',
    action: 'Scan the dynamic QR from the customer\'s phone (or have the phone sign the online payment).',
    http: 403,
  },
  PASSWORD_REPLAYED: {
    meaning: 'This device presentation (its counter) was accepted before, or an older one is presented after a newer: a replay.',
    action: 'Refuse; the customer refreshes the QR on the phone.',
    http: 409,
  },
  PASSWORD_KEYPAD_LIMIT: {
    meaning: 'A keypad password (display-only device) was asked for more than the keypad limits allow (amount or lifetime).',
    action: 'Issue a device-bound or bearer password for larger amounts or longer lifetimes.',
    http: 422,
  },
  PASSWORD_REDEMPTION_UNKNOWN: {
    meaning: 'No redemption of this merchant has this id.',
    action: 'Check the redemption id the redemption answer gave.',
    http: 404,
  },
  PASSWORD_REDEMPTION_STATE: {
    meaning: 'The redemption is not in a state that allows this (capturing a cancelled or expired reservation, cancelling a captured one, refunding more than was captured).',
    action: 'Read the redemption: its state and amounts say what is still possible.',
    http: 409,
  },
  PASSWORD_CAPTURE_DEADLINE: {
    meaning: 'The reservation\'s capture deadline has passed: it was released and its value is spendable again.',
    action: 'Redeem again (a new request id) if the password still has value.',
    http: 409,
  },
  PASSWORD_BAD_REQUEST: {
    meaning: 'A password request is malformed: amount, currency, dates, channel, address or the issuer\'s terms out of range.',
    action: 'Correct the field named in the details.',
    http: 400,
  },
  PASSWORD_ISSUER_UNKNOWN: {
    meaning: 'The issuer (credit company) is not configured at this TTP.',
    action: 'Add the issuer to the passwords section (passwords.issuers).',
    http: 403,
  },
  PASSWORD_KEY_FILE: {
    meaning: 'The TTP signing key file cannot be read or does not hold a 32-byte Ed25519 seed (64 hex characters).',
    action: 'Check passwords.ttpKeyFile; create it with `openssl rand -hex 32 > file; chmod 600 file`.',
  },
  PASSWORD_KEY_FILE_PERMISSIONS: {
    meaning: 'The TTP signing key file is readable or writable by group or others.',
    action: 'chmod 600 the file.',
  },
  PASSWORD_LEDGER_REFUSED: {
    meaning: 'The ledger refused a password move (an account would go negative or a transfer id was reused): a bug or tampered books.',
    action: 'Run `tessera audit`; nothing was applied (the step rolled back).',
    http: 500,
  },
  PASSWORD_DELIVERY_UNAVAILABLE: {
    meaning: 'The module runs without a delivery channel, so passwords cannot be issued.',
    action: 'Configure the delivery side (SMPP/SMTP) for the passwords module.',
    http: 503,
  },
  PASSWORD_NOT_ISSUER: {
    meaning: 'The merchant API key is not an issuer\'s: the issuer routes (/v1/issuer/) need a key of a merchant the passwords section names in issuerClients.',
    action: 'Use the credit company\'s own key, or add its merchant name to passwords.issuerClients.',
    http: 403,
  },
  PASSWORD_NOT_SHOP: {
    meaning: 'The merchant API key is an issuer\'s (passwords.issuerClients): an issuer issues, looks up and revokes passwords; it does not verify, spend or refund them like a shop.',
    action: 'Use a shop\'s own API key (tessera merchant add <shop> --shop <shop id>) for the /v1/passwords/ routes.',
    http: 403,
  },
  PASSWORD_PAYOUT_SHOP_UNKNOWN: {
    meaning: 'A shop in passwords.payouts.shops names an id no sale is booked to (no store terminal\'s owner id, no merchant\'s shop id, no merchant id of a merchant without one): its entry pays nobody. A merchant with a shop id is known by its shop id.',
    action: 'Name the shop by the id its sales are booked to: its shop id (`tessera merchant add <name> --shop <id>`, the owner id of its terminals), or the merchant id of a merchant without a shop id; the warning names it when the entry used a merchant id.',
  },
});
