/**
 * The port between the TTP's password core (this module) and the delivery
 * side (center/passwords/delivery/: the SMPP and SMTP clients with retries
 * and receipts). The core calls {@link PasswordDelivery.deliver} once a
 * password's issue has committed; the delivery side reports each outcome
 * back through the {@link DeliveryOutcomeSink} it was built with.
 *
 * The core's rules (center/passwords/README.md, "Delivery"):
 * - a password is spendable only once a `delivered` outcome arrived;
 * - a `failed` outcome (final: the delivery side has given up retrying), or
 *   no outcome within PASSWORDS_LIMITS.deliveryDeadlineMs of the issue,
 *   makes it `delivery-failed` and its value is returned to the issuer at
 *   once (`refunded`);
 * - an outcome for a password already past delivery (a receipt after the
 *   refund, a second receipt) changes nothing: it is recorded and logged
 *   (`late`), and the sink answers it like any other.
 *
 * Neither side logs the message: it carries the code in clear. The core
 * keeps no clear copy of the code, so a deliver() that never happened (a
 * crash between the commit and the call) ends as delivery-failed at the
 * deadline, refunded: never value without a usable or refunded password.
 */

import type { Tx } from '../storage/types.js';

export const DELIVERY_CHANNELS = ['sms', 'email'] as const;
/** `sms`: SMPP submit_sm to an MSISDN; `email`: SMTP to an address. */
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/**
 * An MSISDN as both sides hold it: 6-15 digits (E.164 without the `+`). The
 * delivery side refuses anything else at hand-over; the core normalises an
 * issuer's address to it before the password is written (normaliseMsisdn),
 * so a password is never issued to an address its delivery must refuse.
 */
export const MSISDN_RE = /^[0-9]{6,15}$/;

/** `+81 90-1234-5678` → `819012345678`: a leading `+`, spaces, dashes, dots and brackets dropped; null when that is no MSISDN. */
export function normaliseMsisdn(address: string): string | null {
  const digits = address.trim().replace(/^\+/, '').replace(/[\s().-]/g, '');
  return MSISDN_RE.test(digits) ? digits : null;
}

/** What the device receives. */
export interface PasswordMessage {
  /**
   * The text shown to the user (SMS body, e-mail body): amount, expiry and
   * the code (grouped XXXX-XXXX-XXXX-XXXX, or the 16-digit keypad code).
   * At most PASSWORDS_LIMITS.messageCharsMax characters, GSM-7-safe ASCII.
   */
  readonly text: string;
  /**
   * For a device with the app: the signed token (`TPW1:…`,
   * protocol/password/token.ts) it stores and renders as a QR. Null for a
   * keypad password (display-only devices get the text only).
   */
  readonly token: string | null;
  /** The password's serial (32 hex), for the device's list and the receipt log; not secret. */
  readonly serial: string;
}

export interface PasswordDelivery {
  /**
   * Hands one password message to the channel. Resolves once the delivery
   * side has taken it over (queued, durable on its side); retries and
   * receipts are its business from then on. Idempotent by `passwordId`: a
   * second call for the same password (a retry after a crash of the core)
   * sends nothing new and resolves the same way. Rejects with a coded error
   * only when it cannot take the message at all (the core then counts the
   * delivery as failed).
   */
  deliver(passwordId: string, channel: DeliveryChannel, address: string, message: PasswordMessage): Promise<void>;
  /** Stops the delivery side's timers and connections. */
  close?(): Promise<void>;
}

export const DELIVERY_OUTCOMES = ['delivered', 'failed'] as const;
export type DeliveryOutcomeKind = (typeof DELIVERY_OUTCOMES)[number];

export interface DeliveryOutcome {
  readonly passwordId: string;
  /**
   * `delivered`: the SMSC's delivery receipt says DELIVRD (SMS), or the
   * receiving SMTP server accepted the message (250 after DATA: accepted by
   * the server, not read by the user). `failed`: final failure after the
   * delivery side's retries (an SMPP receipt UNDELIV/EXPIRED/REJECTD, a 5xx
   * from SMTP, retries exhausted).
   */
  readonly outcome: DeliveryOutcomeKind;
  readonly channel: DeliveryChannel;
  /** When the channel reported it (the delivery side's clock). */
  readonly atMs: number;
  /** A short non-secret reason (`DELIVRD`, `UNDELIV`, `smtp 550`, `retries exhausted`). */
  readonly detail?: string;
}

/** What the core answers an outcome with. */
export type OutcomeEffect =
  /** The password became spendable (delivered) or was refunded (failed). */
  | 'applied'
  /** It was already in that state (a repeated receipt). */
  | 'repeated'
  /** It had moved on (a receipt after the refund, or after another outcome): nothing changed, logged. */
  | 'late'
  /** No such password. */
  | 'unknown';

/** The core's side of the port: the delivery side reports every outcome here. */
export interface DeliveryOutcomeSink {
  onOutcome(o: DeliveryOutcome): Promise<OutcomeEffect>;
}

/**
 * The sink's transactional side: an outcome applied inside the delivery
 * side's unit of work (Passwords.outcomeIn), so the delivery's state and the
 * password's commit together.
 */
export interface TransactionalOutcomeSink extends DeliveryOutcomeSink {
  outcomeIn(tx: Tx, o: DeliveryOutcome): Promise<OutcomeEffect>;
}

/**
 * How the module gets its delivery: a factory given the sink (center/passwords/module.ts options).
 * A delivery that is also a {@link TransactionalPasswordDelivery} is used as one (the module's default,
 * center/passwords/delivery/password-delivery.ts).
 */
export type PasswordDeliveryFactory = (sink: DeliveryOutcomeSink & Partial<TransactionalOutcomeSink>) => PasswordDelivery | Promise<PasswordDelivery>;

/**
 * The transactional variant of the hand-over (the delivery side's outbox,
 * center/passwords/delivery/port.ts): the message is queued **inside the
 * issue's unit of work**, so a password is never issued without its delivery
 * queued nor queued without being issued; the delivery side reports each
 * outcome inside its own unit through `Passwords.outcomeIn(tx, o)`, so the
 * password's state and the delivery's commit together. When the module has
 * one, `deliver()` after the commit is not used.
 */
export interface TransactionalPasswordDelivery {
  /**
   * Queues the message in the caller's unit (only database work; a throw rolls the issue back). Idempotent by passwordId.
   * An address or channel the delivery side refuses (PWDELIVERY_BAD_REQUEST) therefore refuses the issue itself:
   * Passwords.issue answers it as PASSWORD_BAD_REQUEST (field `address`) or PASSWORD_DELIVERY_UNAVAILABLE
   * (channel not configured); nothing is issued, nothing booked, and the request id stays free.
   */
  enqueue(tx: Tx, passwordId: string, channel: DeliveryChannel, address: string, message: PasswordMessage): Promise<void>;
}
