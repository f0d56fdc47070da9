import { assert } from '../../core/assert.js';
import { PASSWORD_TOKEN_LIMITS } from '../../protocol/password/limits.js';

/**
 * Named limits of the TTP's settlement passwords (seed 003). The arithmetic
 * behind them is in docs/PASSWORDS.md ("Entropy and limits").
 */
export const PASSWORDS_LIMITS = {
  /** Lifetime of a password when the issuer names no expiry. */
  lifetimeMsDefault: 30 * 24 * 3_600_000,
  /** Longest lifetime of a code or device password. */
  lifetimeMsMax: 90 * 24 * 3_600_000,
  /** Longest lifetime of a keypad password (display-only devices). */
  keypadLifetimeMsMax: 7 * 24 * 3_600_000,
  /** Largest value of one password (JPY-scale minor units; one currency per deployment). */
  amountMinorMax: 500_000,
  /** Largest value of a keypad password. */
  keypadAmountMinorMax: 30_000,
  /** A password whose delivery the delivery side has not confirmed (nor failed) within this is delivery-failed and refunded. */
  deliveryDeadlineMs: 24 * 3_600_000,
  /** A reservation not captured within its deadline is released; the deadline a shop asks for is capped here. */
  captureDeadlineMsMax: 30 * 24 * 3_600_000,
  /** The deadline of a reservation when the shop names none. */
  captureDeadlineMsDefault: 7 * 24 * 3_600_000,
  /** Failed lookups (unknown code, bad presentation) one API key or one address may make per window before it is locked out. */
  guessFailuresMax: 10,
  /** The window those failures are counted in. */
  guessWindowMs: 15 * 60_000,
  /** How long a key or address stays locked out after its failures reached the maximum. */
  lockoutMs: 60 * 60_000,
  /** Passwords or reservations one sweep pass handles. */
  sweepBatchMax: 200,
  /** Sweep interval when the config names none. */
  sweepIntervalMsDefault: 60_000,
  /** Longest message text handed to the delivery side. */
  messageCharsMax: 320,
  /** Longest delivery address (an MSISDN or an e-mail address). */
  addressCharsMax: 254,
  /** Longest request id of an issuer or a shop. */
  requestIdCharsMax: 64,
  /** Smallest payable a shop payout is made for (below it the value waits for the next sweep). */
  payoutMinorMin: 1,
  /** How long a node holds a pending payout while it calls the bank (kit callClaims). */
  payoutClaimMs: 30_000,
  /** Payouts and sales one statement lists when the shop names no limit, and at most. */
  statementLinesDefault: 100,
  statementLinesMax: 1_000,
  /** Most returns one page of the issuer API's return list holds. */
  issuerPageMax: 200,
  /** Most lines of one issuer daily file (its control totals cover every movement of the day). */
  dailyFileLinesMax: 10_000,
} as const;

const L = PASSWORDS_LIMITS;
assert(L.lifetimeMsDefault <= L.lifetimeMsMax && L.keypadLifetimeMsMax <= L.lifetimeMsMax, 'lifetimes below their maximum');
assert(L.keypadAmountMinorMax < L.amountMinorMax, 'keypad passwords have lower limits');
assert(L.captureDeadlineMsDefault <= L.captureDeadlineMsMax, 'default capture deadline below its maximum');
assert(L.deliveryDeadlineMs < L.keypadLifetimeMsMax, 'a password is delivered or refunded well before it could expire');
assert(L.guessWindowMs <= L.lockoutMs, 'a lockout outlasts its counting window');
assert(L.statementLinesDefault <= L.statementLinesMax, 'statement default within its maximum');
assert(PASSWORD_TOKEN_LIMITS.presentationFreshMs < L.guessWindowMs, 'a presentation is fresh for less than a counting window');
