/**
 * The delivery service's inner seam: what it is asked to send and how it
 * records an outcome. The passwords module talks to it through its own
 * port, center/passwords/delivery-port.ts (PasswordDelivery /
 * DeliveryOutcomeSink); password-delivery.ts adapts one to the other: its
 * `outcome(tx, …)` writes the outcome to an outbox in the recording unit,
 * and the outbox is reported to the sink after the commit until the sink
 * has answered.
 *
 * A caller on the same storage may hand a delivery over inside its own unit
 * of work (`enqueue(tx, request)`). The delivery service reports every outcome back
 * **inside the unit of work that records it** (`outcome(tx, o)`), so the
 * outcome and the delivery's state commit together: no outcome is lost by
 * a crash.
 */
import type { Tx } from '../../storage/types.js';

export type { DeliveryChannel } from '../delivery-port.js';
import type { DeliveryChannel } from '../delivery-port.js';

export interface DeliveryRequest {
  /** The delivery's id, unique; enqueueing the same id again is a no-op (idempotent). */
  readonly id: string;
  /** The password this delivery carries (its serial, not the secret). */
  readonly passwordSerial: string;
  readonly channel: DeliveryChannel;
  /** MSISDN (digits, E.164 without +) for sms; an address for email. */
  readonly to: string;
  /**
   * The message text shown on the device. It holds the password (the code,
   * and a `token:TPW1:…` line the phone app reads), so it is a secret: stored in the queue only until
   * the delivery is final, never logged, never in an error or a metric.
   */
  readonly text: string;
  /** E-mail subject (no secret in it). */
  readonly subject?: string;
  /** Wall-clock ms after which the delivery is failed whatever happens (the password is then refunded). */
  readonly deadlineMs: number;
}

export interface RecordedOutcome {
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
  outcome(tx: Tx, o: RecordedOutcome): Promise<void>;
}
