/**
 * The TTP's delivery service: a durable queue of password deliveries in the
 * center's storage (schema.ts), sent over SMS (SMPP, smpp-client.ts) or
 * e-mail (SMTP, smtp-client.ts), retried with exponential backoff until an
 * attempt limit and a deadline, every outcome reported to the passwords
 * module through the port (port.ts) in the unit of work that records it.
 *
 * States (`from | to`, the README's table):
 *
 *   | from   | to                                  |
 *   |--------|-------------------------------------|
 *   | (new)  | queued                              |
 *   | queued | queued, sent, delivered, failed     |
 *   | sent   | delivered, queued, failed           |
 *
 *  queued → sent       SMS accepted by the SMSC (submit_sm_resp OK, message id kept)
 *  queued → delivered  e-mail accepted (250) by the receiving server
 *  queued → queued     temporary failure (SMSC down/throttled, 4xx): next attempt after backoff
 *  queued → failed     permanent refusal (unknown number, 5xx), attempts used up, or the deadline passed
 *  sent → delivered    receipt stat:DELIVRD (for any attempt of the delivery)
 *  sent → queued       receipt stat:UNDELIV (or EXPIRED, REJECTD, …) with attempts left: sent again after backoff
 *  sent → failed       such a receipt with no attempt left, or no receipt by the deadline
 *
 * A receipt for a delivery already failed is late: logged, recorded
 * (`late_receipt`) and reported with `late: true`; the state does not change.
 *
 * Sending is at-least-once. Before a send the delivery is claimed
 * (center/kit claims) and the attempt counted, durably; the answer is
 * recorded after. A crash (kill -9) between the SMSC's acceptance and that
 * record leaves the claim to expire, and the delivery is sent again: the
 * phone may receive the SMS twice (the SMSC gives each copy its own message
 * id) and keeps one, by the `ref:` line the service appends to every message.
 *
 * The message text (it holds the password) is read from the queue only to
 * send it; it is never logged, never in an error or an event, and set NULL
 * once the delivery is final.
 */
import { MSISDN_RE } from '../delivery-port.js';
import type { Clock } from '../../../core/clock.js';
import { errorCode } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { Random } from '../../../core/random.js';
import { callClaims, UNCLAIMED, type CallClaims } from '../../kit/claims.js';
import { int, nullable, oneOf, rowMapper, text, type MappedRow } from '../../kit/rows.js';
import { startSweepTimer, type SweepTimer } from '../../kit/sweep-timer.js';
import { stateMachine, updateState } from '../../kit/transitions.js';
import type { Storage, Tx } from '../../storage/types.js';
import { TesseraError } from '../../../core/errors.js';
import { PWDELIVERY_LIMITS } from './limits.js';
import type { DeliveryChannel, RecordedOutcome, DeliveryPort, DeliveryRequest } from './port.js';
import { deliveryMigrations } from './schema.js';

export const DELIVERY_STATE_VALUES = ['queued', 'sent', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATE_VALUES)[number];

export const DELIVERY_STATES = stateMachine<DeliveryState>('password delivery', {
  initial: ['queued'],
  next: {
    queued: ['queued', 'sent', 'delivered', 'failed'],
    sent: ['delivered', 'queued', 'failed'],
    delivered: [],
    failed: [],
  },
});

const DELIVERY_ROWS = rowMapper('password_deliveries', {
  id: text('id'),
  passwordSerial: text('password_serial'),
  channel: oneOf('channel', ['sms', 'email'] as const),
  address: text('address'),
  subject: text('subject'),
  text: nullable(text('text')),
  state: oneOf('state', DELIVERY_STATE_VALUES),
  attempts: int('attempts'),
  nextAttemptMs: int('next_attempt_ms'),
  deadlineMs: int('deadline_ms'),
  code: text('code'),
  claimUntilMs: nullable(int('claim_until_ms')),
  lateReceipt: nullable(text('late_receipt')),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
  doneMs: nullable(int('done_ms')),
});
type DeliveryRow = MappedRow<typeof DELIVERY_ROWS>;

const ATTEMPT_ROWS = rowMapper('password_delivery_attempts', {
  deliveryId: text('delivery_id'),
  attempt: int('attempt'),
  messageId: nullable(text('message_id')),
  sentMs: int('sent_ms'),
  receipt: nullable(text('receipt')),
  receiptMs: nullable(int('receipt_ms')),
});
export type DeliveryAttempt = MappedRow<typeof ATTEMPT_ROWS>;


/** What the service shows of a delivery: everything but the text. */
export type DeliveryView = Omit<DeliveryRow, 'text' | 'claimUntilMs'> & { readonly inFlight: boolean };

export interface SmsSender {
  submit(to: string, text: Buffer): Promise<string>;
}
export interface MailSender {
  send(to: string, subject: string, text: string, messageId: string): Promise<{ response: string }>;
}

/** A state change the service committed (ids and codes only), for logs, the demo and tests. */
export interface DeliveryEvent {
  readonly id: string;
  readonly state: DeliveryState;
  readonly code: string;
  readonly attempt: number;
  readonly late?: boolean;
}

export interface DeliveryServiceOptions {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  readonly port: DeliveryPort;
  readonly sms?: SmsSender;
  readonly email?: MailSender;
  readonly attemptsMax?: number;
  readonly backoffMsBase?: number;
  readonly sweepIntervalMs?: number;
  /** How long a send's claim is held (a crashed node's sends are retried after it); longer than any send's timeout. */
  readonly claimHoldMs?: number;
  readonly onEvent?: (e: DeliveryEvent) => void;
}

const PHONE = MSISDN_RE; // the rule the core normalises issue addresses to (delivery-port.ts)
const MAIL = /^[^\s@<>"]{1,64}@[A-Za-z0-9.-]{1,190}$/;
const ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The text with its password masked (the token line and a grouped code), for anything that must show a message. */
export function maskText(t: string): string {
  return t.replace(/^token:\S+/gm, 'token:****').replace(/\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b/g, '****-****-****-****');
}

/** What is sent: the passwords module's text and the delivery reference the phone deduplicates by. */
export function wireText(r: { id: string; text: string }): string {
  return `${r.text}\nref:${r.id}`;
}

function temporary(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { temporary?: unknown }).temporary === true;
}

/** The sender says the message certainly never left (e.g. no bound SMPP session yet): not an attempt. */
function notSent(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { notSent?: unknown }).notSent === true;
}

export class DeliveryService {
  private timer: SweepTimer | null = null;
  private readonly attemptsMax: number;
  private readonly backoffMsBase: number;
  private readonly claims: CallClaims;

  private constructor(private readonly o: DeliveryServiceOptions) {
    this.claims = callClaims('password_deliveries', o.claimHoldMs ?? PWDELIVERY_LIMITS.claimHoldMs);
    this.attemptsMax = o.attemptsMax ?? PWDELIVERY_LIMITS.attemptsMaxDefault;
    this.backoffMsBase = o.backoffMsBase ?? PWDELIVERY_LIMITS.backoffMsBaseDefault;
  }

  static async open(o: DeliveryServiceOptions): Promise<DeliveryService> {
    await o.storage.migrate(deliveryMigrations);
    return new DeliveryService(o);
  }

  /** Queues a delivery inside the caller's unit of work; the same id again is a no-op. */
  async enqueue(tx: Tx, r: DeliveryRequest): Promise<void> {
    const now = this.o.clock.nowMs();
    const bad = (field: string, why: string): TesseraError => new TesseraError('PWDELIVERY_BAD_REQUEST', `delivery request: ${field} ${why}`, { field });
    if (!ID.test(r.id)) throw bad('id', 'must be 1-64 of [A-Za-z0-9._-]');
    if (r.channel === 'sms' ? !PHONE.test(r.to) : !MAIL.test(r.to)) throw bad('to', r.channel === 'sms' ? 'must be an MSISDN (6-15 digits)' : 'must be an e-mail address');
    if (r.channel === 'sms' ? !this.o.sms : !this.o.email) throw bad('channel', `${r.channel} is not configured`);
    if (Buffer.byteLength(wireText(r)) > PWDELIVERY_LIMITS.textBytesMax) throw bad('text', `exceeds ${PWDELIVERY_LIMITS.textBytesMax} bytes`);
    if (!Number.isSafeInteger(r.deadlineMs) || r.deadlineMs <= now || r.deadlineMs > now + PWDELIVERY_LIMITS.deadlineMsMax) throw bad('deadlineMs', 'must lie in the future, within the limit');
    if (await tx.get('SELECT id FROM password_deliveries WHERE id = ?', [r.id])) return;
    DELIVERY_STATES.check(null, 'queued');
    await tx.run(
      `INSERT INTO password_deliveries (id, password_serial, channel, address, subject, text, state, attempts, next_attempt_ms, deadline_ms, code, claim_until_ms, late_receipt, created_ms, updated_ms, done_ms)
       VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, 'OK', NULL, NULL, ?, ?, NULL)`,
      [r.id, r.passwordSerial, r.channel, r.to, r.subject ?? 'Your settlement password', r.text, now, r.deadlineMs, now, now],
    );
    this.after(tx, { id: r.id, state: 'queued', code: 'OK', attempt: 0 });
    // Sent at once, not at the next sweep: the password reaches the phone without waiting out the interval.
    tx.afterCommit(() => this.timer?.wake());
  }

  /** One pass: parked receipts whose attempt is now known, deadlines, then the due sends. Counts of what it did. */
  async sweep(): Promise<{ sent: number; expired: number; adopted: number }> {
    const adopted = await this.adoptParkedReceipts();
    const expired = await this.expire();
    const now = this.o.clock.nowMs();
    const due = await this.o.storage.read((q) =>
      DELIVERY_ROWS.all(q, `WHERE state = 'queued' AND next_attempt_ms <= ? AND ${UNCLAIMED} ORDER BY next_attempt_ms, id LIMIT ${PWDELIVERY_LIMITS.sweepBatchMax}`, [now, now]),
    );
    const results = await Promise.all(due.map((d) => this.attempt(d.id)));
    return { sent: results.filter(Boolean).length, expired, adopted };
  }

  /**
   * A receipt parked because no attempt held its message id yet, whose
   * attempt holds it now. On PostgreSQL the receipt (on one node) and the
   * record of its submit (on another, or a concurrent unit) can each miss
   * the other's uncommitted write: the receipt is parked, the record finds
   * nothing parked, and the delivery would stay `sent` until its deadline
   * failed it. Both are committed by now, so the sweep applies the receipt;
   * of two nodes adopting it, the one whose DELETE removed the row applies it.
   */
  private async adoptParkedReceipts(): Promise<number> {
    const parked = await this.o.storage.read((q) =>
      q.all<{ message_id: string }>(
        `SELECT r.message_id FROM password_delivery_receipts r JOIN password_delivery_attempts a ON a.message_id = r.message_id ORDER BY r.at_ms LIMIT ${PWDELIVERY_LIMITS.sweepBatchMax}`,
      ),
    );
    let n = 0;
    for (const { message_id: messageId } of parked) {
      await this.o.storage.transact(async (tx) => {
        const r = await tx.get<{ stat: string }>(`SELECT stat FROM password_delivery_receipts WHERE message_id = ?${tx.forUpdate}`, [messageId]);
        if (!r) return;
        const a = await ATTEMPT_ROWS.get(tx, `WHERE message_id = ?${tx.forUpdate}`, [messageId]);
        if (!a) return;
        if ((await tx.run('DELETE FROM password_delivery_receipts WHERE message_id = ?', [messageId])).changes !== 1) return;
        await this.applyReceipt(tx, a, r.stat, this.o.clock.nowMs());
        n += 1;
        tx.afterCommit(() => this.o.log.info({ messageId, delivery: a.deliveryId }, 'parked delivery receipt applied'));
      });
    }
    return n;
  }

  /** Starts the periodic sweep. */
  start(): void {
    if (this.timer) return;
    this.timer = startSweepTimer(this, this.o.sweepIntervalMs ?? PWDELIVERY_LIMITS.sweepIntervalMsDefault, this.o.clock, this.o.log, 'password delivery');
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = null;
    await t?.stop();
  }

  async get(id: string): Promise<DeliveryView | undefined> {
    const r = await this.o.storage.read((q) => DELIVERY_ROWS.get(q, 'WHERE id = ?', [id]));
    return r && this.view(r);
  }

  async list(state?: DeliveryState): Promise<DeliveryView[]> {
    const rows = await this.o.storage.read((q) => (state ? DELIVERY_ROWS.all(q, 'WHERE state = ? ORDER BY created_ms, id', [state]) : DELIVERY_ROWS.all(q, 'ORDER BY created_ms, id')));
    return rows.map((r) => this.view(r));
  }

  async attempts(id: string): Promise<DeliveryAttempt[]> {
    return this.o.storage.read((q) => ATTEMPT_ROWS.all(q, 'WHERE delivery_id = ? ORDER BY attempt', [id]));
  }

  /** A delivery receipt from the SMSC; resolves once recorded (the SMPP client acknowledges it then). */
  async receipt(r: { messageId: string; stat: string }): Promise<void> {
    await this.o.storage.transact(async (tx) => {
      const now = this.o.clock.nowMs();
      const a = await ATTEMPT_ROWS.get(tx, `WHERE message_id = ?${tx.forUpdate}`, [r.messageId]);
      if (!a) {
        // Not (yet) recorded: its submit's answer is still being recorded, or was lost in a crash.
        await tx.run(
          tx.engine === 'postgres'
            ? 'INSERT INTO password_delivery_receipts (message_id, stat, at_ms) VALUES (?, ?, ?) ON CONFLICT (message_id) DO NOTHING'
            : 'INSERT OR IGNORE INTO password_delivery_receipts (message_id, stat, at_ms) VALUES (?, ?, ?)',
          [r.messageId, r.stat, now],
        );
        tx.afterCommit(() => this.o.log.info({ messageId: r.messageId, stat: r.stat }, 'delivery receipt for a message id no attempt holds (kept)'));
        return;
      }
      await this.applyReceipt(tx, a, r.stat, now);
    });
  }

  private view(r: DeliveryRow): DeliveryView {
    const { text: _text, claimUntilMs, ...rest } = r;
    return { ...rest, inFlight: claimUntilMs !== null && claimUntilMs > this.o.clock.nowMs() };
  }

  private after(tx: Tx, e: DeliveryEvent): void {
    tx.afterCommit(() => {
      this.o.log.info({ delivery: e.id, state: e.state, code: e.code, attempt: e.attempt, ...(e.late && { late: true }) }, 'password delivery');
      this.o.onEvent?.(e);
    });
  }

  private backoffMs(attempts: number): number {
    const base = Math.min(this.backoffMsBase * 2 ** Math.max(0, attempts - 1), PWDELIVERY_LIMITS.backoffMsMax);
    return base + Math.floor(this.o.random.float() * base * 0.2);
  }

  private async finish(tx: Tx, d: DeliveryRow, to: 'delivered' | 'failed', code: string, now: number): Promise<void> {
    await updateState(tx, DELIVERY_ROWS, DELIVERY_STATES, d, { state: to, code, text: null, claimUntilMs: null, doneMs: now, updatedMs: now });
    const o: RecordedOutcome = { deliveryId: d.id, passwordSerial: d.passwordSerial, channel: d.channel, state: to, late: false, code, attempts: d.attempts, atMs: now };
    await this.o.port.outcome(tx, o);
    this.after(tx, { id: d.id, state: to, code, attempt: d.attempts });
  }

  /** A failed try: again after backoff if attempts and time are left, else failed with its code. */
  private async retryOrFail(tx: Tx, d: DeliveryRow, code: string, now: number): Promise<void> {
    const next = now + this.backoffMs(d.attempts);
    if (d.attempts >= this.attemptsMax) return this.finish(tx, d, 'failed', code, now);
    if (next >= d.deadlineMs) return this.finish(tx, d, 'failed', 'PWDELIVERY_DEADLINE', now);
    await updateState(tx, DELIVERY_ROWS, DELIVERY_STATES, d, { state: 'queued', code, nextAttemptMs: next, claimUntilMs: null, updatedMs: now });
    this.after(tx, { id: d.id, state: 'queued', code, attempt: d.attempts });
  }

  private async applyReceipt(tx: Tx, a: DeliveryAttempt, stat: string, now: number): Promise<void> {
    await tx.run('UPDATE password_delivery_attempts SET receipt = ?, receipt_ms = ? WHERE delivery_id = ? AND attempt = ?', [stat, now, a.deliveryId, a.attempt]);
    let d = await DELIVERY_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [a.deliveryId]);
    if (!d) return;
    const ok = stat === 'DELIVRD';
    if ((d.state === 'queued' || d.state === 'sent') && now > d.deadlineMs) {
      // The receipt came after the deadline: the delivery fails now (as the sweep would have), and the receipt is late.
      await this.finish(tx, d, 'failed', 'PWDELIVERY_DEADLINE', now);
      d = { ...d, state: 'failed', code: 'PWDELIVERY_DEADLINE' };
    }
    if (d.state === 'failed') {
      await tx.run('UPDATE password_deliveries SET late_receipt = ? WHERE id = ?', [stat, d.id]);
      await this.o.port.outcome(tx, {
        deliveryId: d.id,
        passwordSerial: d.passwordSerial,
        channel: d.channel,
        state: ok ? 'delivered' : 'failed',
        late: true,
        code: ok ? 'OK' : 'PWDELIVERY_UNDELIVERABLE',
        attempts: d.attempts,
        atMs: now,
      });
      tx.afterCommit(() => this.o.log.warn({ delivery: d.id, stat, code: d.code }, 'late delivery receipt: the delivery had already failed; nothing changes'));
      this.after(tx, { id: d.id, state: 'failed', code: d.code, attempt: a.attempt, late: true });
      return;
    }
    if (d.state === 'delivered') {
      tx.afterCommit(() => this.o.log.info({ delivery: d.id, stat, attempt: a.attempt }, 'delivery receipt for a delivery already delivered (another copy)'));
      return;
    }
    if (ok) return this.finish(tx, d, 'delivered', 'OK', now);
    // UNDELIV (or EXPIRED, REJECTD, DELETED, UNKNOWN): only the latest attempt's verdict counts.
    if (d.state === 'sent' && a.attempt === d.attempts) await this.retryOrFail(tx, d, 'PWDELIVERY_UNDELIVERABLE', now);
  }

  /** Deliveries past their deadline and not being sent right now: failed. */
  private async expire(): Promise<number> {
    const now = this.o.clock.nowMs();
    const ids = await this.o.storage.read((q) => q.all<{ id: string }>(`SELECT id FROM password_deliveries WHERE state IN ('queued','sent') AND deadline_ms < ? AND ${UNCLAIMED}`, [now, now]));
    let n = 0;
    for (const { id } of ids) {
      await this.o.storage.transact(async (tx) => {
        const d = await DELIVERY_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [id]);
        if (!d || (d.state !== 'queued' && d.state !== 'sent') || d.deadlineMs >= now || (d.claimUntilMs !== null && d.claimUntilMs > now)) return;
        await this.finish(tx, d, 'failed', 'PWDELIVERY_DEADLINE', now);
        n += 1;
      });
    }
    return n;
  }

  /** Claims, sends and records one due delivery; false if another sweep or node has it. */
  private async attempt(id: string): Promise<boolean> {
    const started = await this.o.storage.transact(async (tx) => {
      const now = this.o.clock.nowMs();
      if (!(await this.claims.claim(tx, id, ['queued'], now))) return null;
      const d = await DELIVERY_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [id]);
      if (!d || d.text === null || d.nextAttemptMs > now) {
        await this.claims.release(tx, id);
        return null;
      }
      const attempt = d.attempts + 1;
      // Counted before the send: a crash after it still spends the attempt (bounded resends).
      await tx.run('UPDATE password_deliveries SET attempts = ? WHERE id = ?', [attempt, id]);
      await tx.run('INSERT INTO password_delivery_attempts (delivery_id, attempt, message_id, sent_ms, receipt, receipt_ms) VALUES (?, ?, NULL, ?, NULL, NULL)', [id, attempt, now]);
      return { ...d, attempts: attempt, text: d.text };
    });
    if (!started) return false;
    const message = wireText({ id: started.id, text: started.text });
    let messageId: string | null = null;
    let error: unknown = null;
    try {
      if (started.channel === 'sms') {
        if (!this.o.sms) throw new TesseraError('PWDELIVERY_BAD_REQUEST', 'sms is not configured', { field: 'channel' });
        messageId = await this.o.sms.submit(started.address, Buffer.from(message, 'utf8'));
      } else {
        if (!this.o.email) throw new TesseraError('PWDELIVERY_BAD_REQUEST', 'email is not configured', { field: 'channel' });
        await this.o.email.send(started.address, started.subject, message, `<${started.id}.${started.attempts}@tessera.ttp>`);
      }
    } catch (e) {
      error = e;
    }
    await this.record(started.id, started.channel, started.attempts, messageId, error);
    return true;
  }

  private async record(id: string, channel: DeliveryChannel, attempt: number, messageId: string | null, error: unknown): Promise<void> {
    await this.o.storage.transact(async (tx) => {
      const now = this.o.clock.nowMs();
      if (messageId !== null) await tx.run('UPDATE password_delivery_attempts SET message_id = ? WHERE delivery_id = ? AND attempt = ?', [messageId, id, attempt]);
      if (channel === 'email' && error === null) await tx.run("UPDATE password_delivery_attempts SET receipt = 'ACCEPTED', receipt_ms = ? WHERE delivery_id = ? AND attempt = ?", [now, id, attempt]);
      const d = await DELIVERY_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [id]);
      if (!d) return;
      if (d.state !== 'queued') {
        // A receipt of an earlier attempt settled it while this one was sent (the phone dedups the copy).
        await this.claims.release(tx, id);
        return;
      }
      if (error !== null && notSent(error)) {
        // Nothing left this node (its SMPP client is not bound yet, e.g. just after a restart): the attempt is taken back,
        // so a node that cannot send never uses up a delivery's attempts; it waits queued with the temporary code.
        const code = errorCode(error);
        await tx.run('DELETE FROM password_delivery_attempts WHERE delivery_id = ? AND attempt = ?', [id, attempt]);
        await tx.run('UPDATE password_deliveries SET attempts = ?, code = ?, next_attempt_ms = ?, claim_until_ms = NULL, updated_ms = ? WHERE id = ?', [attempt - 1, code, now + this.backoffMsBase, now, id]);
        this.after(tx, { id, state: 'queued', code, attempt: attempt - 1 });
        return;
      }
      if (error !== null) {
        const code = errorCode(error);
        if (!temporary(error)) return this.finish(tx, d, 'failed', code, now);
        return this.retryOrFail(tx, d, code, now);
      }
      if (channel === 'email') return this.finish(tx, d, 'delivered', 'OK', now);
      await updateState(tx, DELIVERY_ROWS, DELIVERY_STATES, d, { state: 'sent', code: 'OK', claimUntilMs: null, updatedMs: now });
      this.after(tx, { id, state: 'sent', code: 'OK', attempt });
      // A receipt that overtook this record.
      const early = await tx.get<{ stat: string }>(`SELECT stat FROM password_delivery_receipts WHERE message_id = ?`, [messageId]);
      if (early && messageId !== null) {
        await tx.run('DELETE FROM password_delivery_receipts WHERE message_id = ?', [messageId]);
        const a = await ATTEMPT_ROWS.get(tx, 'WHERE delivery_id = ? AND attempt = ?', [id, attempt]);
        if (a) await this.applyReceipt(tx, a, early.stat, now);
      }
    });
  }
}
