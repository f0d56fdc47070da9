/**
 * The seam between the passwords module (center/passwords/, issue 14's
 * "pwcore" part) and the delivery service (this folder).
 *
 * PROVISIONAL: this is the shape the delivery service needs; when
 * center/passwords/delivery-port.ts lands, this file re-exports or adapts
 * to it.
 *
 * The passwords module hands a delivery over **inside its own unit of work**
 * (`enqueue(tx, request)`, in the transaction that issues the password), so
 * a password is never issued without its delivery queued, nor queued
 * without being issued. The delivery service reports every outcome back
 * **inside the unit of work that records it** (`outcome(tx, o)`), so the
 * password's state (spendable / to be refunded) and the delivery's state
 * commit together: no outcome is lost or told twice by a crash.
 */
import type { Tx } from '../../storage/types.js';

export type DeliveryChannel = 'sms' | 'email';

export interface DeliveryRequest {
  /** The delivery's id, unique; enqueueing the same id again is a no-op (idempotent). */
  readonly id: string;
  /** The password this delivery carries (its serial, not the secret). */
  readonly passwordSerial: string;
  readonly channel: DeliveryChannel;
  /** MSISDN (digits, E.164 without +) for sms; an address for email. */
  readonly to: string;
  /**
   * The message text shown on the device. It holds the password (a `pw:<token>`
   * line the phone reads), so it is a secret: stored in the queue only until
   * the delivery is final, never logged, never in an error or a metric.
   */
  readonly text: string;
  /** E-mail subject (no secret in it). */
  readonly subject?: string;
  /** Wall-clock ms after which the delivery is failed whatever happens (the password is then refunded). */
  readonly deadlineMs: number;
}

export interface DeliveryOutcome {
  readonly deliveryId: string;
  readonly passwordSerial: string;
  readonly channel: DeliveryChannel;
  /**
   * delivered: SMS — the SMSC's DELIVRD receipt; e-mail — accepted (250) by
   *   the receiving mail server (SMTP can confirm no more than that).
   * failed: undeliverable, refused, out of attempts, or the deadline passed.
   */
  readonly state: 'delivered' | 'failed';
  /**
   * True for a receipt that arrived after the delivery was already failed
   * (deadline or attempts): reported so the passwords module can log it; it
   * changes nothing (the password was refunded). `state` is then what the
   * receipt said.
   */
  readonly late: boolean;
  /** Why it failed (a PWDELIVERY_ code), 'OK' when delivered. */
  readonly code: string;
  readonly attempts: number;
  readonly atMs: number;
}

export interface DeliveryPort {
  /** Called inside the unit of work that records the outcome; a throw rolls the step back (retried by the next sweep or receipt). */
  outcome(tx: Tx, o: DeliveryOutcome): Promise<void>;
}
