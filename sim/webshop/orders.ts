/**
 * The web shop's own journal of orders (SQLite, its own file): each order,
 * each payment attempt with the Idempotency-Key it was (or will be) sent
 * with, each admin step (capture, cancel, refund) with its key, and an event
 * log. Every key is written here before the call that carries it, so the
 * same attempt sent again (after a crash, a lost answer, a double click)
 * reuses it and the center does the payment once. No PIN is ever written:
 * the journal knows cards by the last four digits of their serial.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { createPrivateFile } from '../../core/files.js';
import { TesseraError } from '../../core/errors.js';
import type { RedemptionCard } from '../../center/voucher/api.js';
import type { GoodKind } from './catalog.js';
import { WEBSHOP_LIMITS } from './limits.js';

/**
 * new → paying (an attempt is sent) → paid (download: captured at once) | authorized (shipped: held)
 *   | refused (the center's coded refusal: the buyer may try other cards, a new attempt) | in-doubt (no answer: sending the same attempt again settles it);
 * authorized → shipped (captured) | cancelled; paid/shipped → partly-refunded → refunded.
 */
export type OrderState = 'paying' | 'paid' | 'authorized' | 'refused' | 'in-doubt' | 'shipped' | 'cancelled' | 'partly-refunded' | 'refunded';

export interface Order {
  readonly orderId: string;
  readonly createdMs: number;
  readonly sku: string;
  readonly quantity: number;
  readonly amountMinor: number;
  readonly currency: string;
  readonly kind: GoodKind;
  readonly state: OrderState;
  readonly redemptionId: string | null;
  readonly capturedMinor: number;
  readonly refundedMinor: number;
  /** The cards that paid (last four serial digits, taken, remaining), from the center's answer. */
  readonly cards: readonly RedemptionCard[];
  /** The center's (or the client's) code of the last refusal or failure, if any. */
  readonly lastCode: string | null;
  /** Details of that refusal that matter to the buyer (retryAfterMs of a lockout), no PIN. */
  readonly lastDetails: Readonly<Record<string, unknown>>;
  readonly attempts: number;
}

export interface Attempt {
  readonly attemptKey: string;
  readonly orderId: string;
  readonly n: number;
  readonly state: 'sent' | 'answered' | 'refused' | 'no-answer';
}

interface OrderRow {
  order_id: string;
  created_ms: number;
  sku: string;
  quantity: number;
  amount_minor: number;
  currency: string;
  kind: string;
  state: string;
  redemption_id: string | null;
  captured_minor: number;
  refunded_minor: number;
  cards_json: string;
  last_code: string | null;
  last_details_json: string;
  attempts: number;
}

const toOrder = (r: OrderRow): Order => ({
  orderId: r.order_id,
  createdMs: r.created_ms,
  sku: r.sku,
  quantity: r.quantity,
  amountMinor: r.amount_minor,
  currency: r.currency,
  kind: r.kind as GoodKind,
  state: r.state as OrderState,
  redemptionId: r.redemption_id,
  capturedMinor: r.captured_minor,
  refundedMinor: r.refunded_minor,
  cards: JSON.parse(r.cards_json) as RedemptionCard[],
  lastCode: r.last_code,
  lastDetails: JSON.parse(r.last_details_json) as Record<string, unknown>,
  attempts: r.attempts,
});

export class OrderJournal {
  private readonly db: Database.Database;

  constructor(
    path: string,
    private readonly clock: Clock,
  ) {
    createPrivateFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS orders (
        order_id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, sku TEXT NOT NULL, quantity INTEGER NOT NULL,
        amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
        redemption_id TEXT, captured_minor INTEGER NOT NULL DEFAULT 0, refunded_minor INTEGER NOT NULL DEFAULT 0,
        cards_json TEXT NOT NULL DEFAULT '[]', last_code TEXT, last_details_json TEXT NOT NULL DEFAULT '{}', attempts INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS attempts (
        attempt_key TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders(order_id), n INTEGER NOT NULL, state TEXT NOT NULL, at_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS steps (
        step_key TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders(order_id), kind TEXT NOT NULL, amount_minor INTEGER, state TEXT NOT NULL, at_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL, at_ms INTEGER NOT NULL, what TEXT NOT NULL, detail_json TEXT NOT NULL);
    `);
  }

  /** A fresh attempt key for a checkout form (not journalled until the form is sent). */
  static newAttemptKey(): string {
    return randomUUID();
  }

  /**
   * The attempt `attemptKey` of an order, journalled before the payment is
   * sent: the same key again (a resubmitted form) finds its order; a new
   * key for a refused or in-doubt `orderId` is that order's next attempt;
   * otherwise a new order. Returns the order and whether it still needs paying.
   */
  beginAttempt(attemptKey: string, o: { orderId?: string; sku: string; quantity: number; amountMinor: number; currency: string; kind: GoodKind }): { order: Order; attempt: Attempt; send: boolean } {
    const now = this.clock.nowMs();
    return this.db.transaction((): { order: Order; attempt: Attempt; send: boolean } => {
      const known = this.db.prepare('SELECT * FROM attempts WHERE attempt_key = ?').get(attemptKey) as { order_id: string; n: number; state: string } | undefined;
      if (known) {
        const order = this.order(known.order_id);
        const attempt: Attempt = { attemptKey, orderId: known.order_id, n: known.n, state: known.state as Attempt['state'] };
        // Sent before without an answer (crash, lost answer): send the same request again, same key.
        const send = order.state === 'paying' || order.state === 'in-doubt';
        if (send) this.db.prepare("UPDATE orders SET state = 'paying' WHERE order_id = ?").run(order.orderId);
        return { order: this.order(order.orderId), attempt, send };
      }
      let orderId = o.orderId;
      if (orderId !== undefined) {
        const order = this.order(orderId);
        if (order.state !== 'refused' && order.state !== 'in-doubt') return { order, attempt: { attemptKey, orderId, n: order.attempts, state: 'answered' as const }, send: false };
      } else {
        orderId = `WS-${randomBytes(6).toString('hex').toUpperCase()}`;
        this.db
          .prepare('INSERT INTO orders (order_id, created_ms, sku, quantity, amount_minor, currency, kind, state) VALUES (?,?,?,?,?,?,?,?)')
          .run(orderId, now, o.sku, o.quantity, o.amountMinor, o.currency, o.kind, 'paying');
        this.event(orderId, 'created', { sku: o.sku, quantity: o.quantity, amountMinor: o.amountMinor });
      }
      const n = this.order(orderId).attempts + 1;
      this.db.prepare('INSERT INTO attempts (attempt_key, order_id, n, state, at_ms) VALUES (?,?,?,?,?)').run(attemptKey, orderId, n, 'sent', now);
      this.db.prepare("UPDATE orders SET attempts = ?, state = 'paying' WHERE order_id = ?").run(n, orderId);
      this.event(orderId, 'attempt', { n });
      return { order: this.order(orderId), attempt: { attemptKey, orderId, n, state: 'sent' as const }, send: true };
    })();
  }

  /** The center's answer to an attempt: paid (captured) or authorised, with the cards. */
  answered(attemptKey: string, r: { redemptionId: string; state: 'paid' | 'authorized'; capturedMinor: number; cards: readonly RedemptionCard[]; replayed: boolean }): Order {
    const orderId = this.attemptOrder(attemptKey);
    this.db.transaction(() => {
      this.db.prepare("UPDATE attempts SET state = 'answered' WHERE attempt_key = ?").run(attemptKey);
      this.db
        .prepare("UPDATE orders SET state = ?, redemption_id = ?, captured_minor = ?, cards_json = ?, last_code = NULL, last_details_json = '{}' WHERE order_id = ?")
        .run(r.state, r.redemptionId, r.capturedMinor, JSON.stringify(r.cards), orderId);
      this.event(orderId, r.state, { redemptionId: r.redemptionId, replayed: r.replayed });
    })();
    return this.order(orderId);
  }

  /** A coded refusal (the buyer may try other cards) or no answer (in doubt: the same attempt must be sent again). */
  failed(attemptKey: string, outcome: 'refused' | 'no-answer', code: string, details: Record<string, unknown>): Order {
    const orderId = this.attemptOrder(attemptKey);
    this.db.transaction(() => {
      this.db.prepare('UPDATE attempts SET state = ? WHERE attempt_key = ?').run(outcome, attemptKey);
      this.db
        .prepare('UPDATE orders SET state = ?, last_code = ?, last_details_json = ? WHERE order_id = ?')
        .run(outcome === 'refused' ? 'refused' : 'in-doubt', code, JSON.stringify(details), orderId);
      this.event(orderId, outcome, { code });
    })();
    return this.order(orderId);
  }

  /**
   * Orders whose latest attempt has no recorded answer (sent, then a crash
   * or a lost answer): what `Webshop.recover` asks the center about.
   */
  unanswered(limit: number = WEBSHOP_LIMITS.ordersListedMax): Array<{ orderId: string; attemptKey: string }> {
    const rows = this.db
      .prepare(
        `SELECT o.order_id AS order_id, a.attempt_key AS attempt_key FROM orders o JOIN attempts a ON a.order_id = o.order_id AND a.n = o.attempts
         WHERE o.state IN ('paying', 'in-doubt') AND a.state IN ('sent', 'no-answer') ORDER BY o.created_ms, o.rowid LIMIT ?`,
      )
      .all(Math.min(limit, WEBSHOP_LIMITS.ordersListedMax)) as Array<{ order_id: string; attempt_key: string }>;
    return rows.map((r) => ({ orderId: r.order_id, attemptKey: r.attempt_key }));
  }

  /**
   * The redemption the center holds for an unanswered attempt's order,
   * found by order reference: recorded as that attempt's answer. Only if the
   * attempt is still unanswered (a resend answered meanwhile wins); null otherwise.
   */
  recovered(attemptKey: string, r: { redemptionId: string; state: OrderState; capturedMinor: number; refundedMinor: number; cards: readonly RedemptionCard[]; found: number }): Order | null {
    const orderId = this.attemptOrder(attemptKey);
    const done = this.db.transaction((): boolean => {
      if (!this.stillUnanswered(attemptKey, orderId)) return false;
      this.db.prepare("UPDATE attempts SET state = 'answered' WHERE attempt_key = ?").run(attemptKey);
      this.db
        .prepare("UPDATE orders SET state = ?, redemption_id = ?, captured_minor = ?, refunded_minor = ?, cards_json = ?, last_code = NULL, last_details_json = '{}' WHERE order_id = ?")
        .run(r.state, r.redemptionId, r.capturedMinor, r.refundedMinor, JSON.stringify(r.cards), orderId);
      this.event(orderId, 'recovered', { redemptionId: r.redemptionId, state: r.state, found: r.found });
      return true;
    })();
    return done ? this.order(orderId) : null;
  }

  /** The center has no redemption for an unanswered attempt's order: a `paying` order (a crash mid-call) becomes in-doubt; the same attempt sent again settles it. */
  notFound(attemptKey: string, code: string): void {
    const orderId = this.attemptOrder(attemptKey);
    this.db.transaction(() => {
      if (!this.stillUnanswered(attemptKey, orderId)) return;
      this.db.prepare("UPDATE attempts SET state = 'no-answer' WHERE attempt_key = ?").run(attemptKey);
      this.db.prepare("UPDATE orders SET state = 'in-doubt', last_code = ? WHERE order_id = ?").run(code, orderId);
      this.event(orderId, 'not-found', { code });
    })();
  }

  private stillUnanswered(attemptKey: string, orderId: string): boolean {
    const a = this.db.prepare('SELECT state FROM attempts WHERE attempt_key = ?').get(attemptKey) as { state: string };
    const o = this.order(orderId);
    return (a.state === 'sent' || a.state === 'no-answer') && (o.state === 'paying' || o.state === 'in-doubt') && this.lastAttemptKey(orderId) === attemptKey;
  }

  /**
   * The key of an admin step (capture, cancel, refund n), journalled before
   * the call: the same step asked again (a retry, a second click, a crash in
   * between) reuses its key. A refund is a new step only once the previous
   * one was answered.
   */
  stepKey(orderId: string, kind: 'capture' | 'cancel' | 'refund', amountMinor: number | null): string {
    return this.db.transaction(() => {
      const open = this.db.prepare("SELECT step_key, amount_minor FROM steps WHERE order_id = ? AND kind = ? AND state = 'sent'").get(orderId, kind) as
        | { step_key: string; amount_minor: number | null }
        | undefined;
      if (open) {
        if (open.amount_minor !== amountMinor) {
          throw new TesseraError('WEBSHOP_ORDER_STATE', `a ${kind} of ${open.amount_minor} is not answered yet: it is sent again first`, { orderId, pendingMinor: open.amount_minor });
        }
        return open.step_key;
      }
      const key = `${kind}-${orderId}-${randomBytes(6).toString('hex')}`;
      this.db.prepare("INSERT INTO steps (step_key, order_id, kind, amount_minor, state, at_ms) VALUES (?,?,?,?,'sent',?)").run(key, orderId, kind, amountMinor, this.clock.nowMs());
      return key;
    })();
  }

  /** A step's answer: the redemption as the center now has it. */
  stepDone(stepKey: string, orderId: string, r: { state: OrderState; capturedMinor: number; refundedMinor: number; cards: readonly RedemptionCard[] }): Order {
    this.db.transaction(() => {
      this.db.prepare("UPDATE steps SET state = 'answered' WHERE step_key = ?").run(stepKey);
      this.db
        .prepare('UPDATE orders SET state = ?, captured_minor = ?, refunded_minor = ?, cards_json = ? WHERE order_id = ?')
        .run(r.state, r.capturedMinor, r.refundedMinor, JSON.stringify(r.cards), orderId);
      this.event(orderId, r.state, { step: stepKey.split('-')[0] });
    })();
    return this.order(orderId);
  }

  /** A step the center refused (coded): closed, so the next request is a new step. */
  stepRefused(stepKey: string, orderId: string, code: string): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE steps SET state = 'refused' WHERE step_key = ?").run(stepKey);
      this.event(orderId, 'step-refused', { step: stepKey.split('-')[0], code });
    })();
  }

  order(orderId: string): Order {
    const row = this.db.prepare('SELECT * FROM orders WHERE order_id = ?').get(orderId) as OrderRow | undefined;
    if (!row) throw new TesseraError('WEBSHOP_ORDER_UNKNOWN', 'no such order', { orderId });
    return toOrder(row);
  }

  /** The key of an order's latest attempt (an in-doubt order is sent again with it). */
  lastAttemptKey(orderId: string): string | null {
    const row = this.db.prepare('SELECT attempt_key FROM attempts WHERE order_id = ? ORDER BY n DESC LIMIT 1').get(orderId) as { attempt_key: string } | undefined;
    return row?.attempt_key ?? null;
  }

  list(limit: number = WEBSHOP_LIMITS.ordersListedMax): Order[] {
    return (this.db.prepare('SELECT * FROM orders ORDER BY created_ms DESC, order_id LIMIT ?').all(Math.min(limit, WEBSHOP_LIMITS.ordersListedMax)) as OrderRow[]).map(toOrder);
  }

  events(orderId: string): Array<{ atMs: number; what: string; detail: Record<string, unknown> }> {
    return (this.db.prepare('SELECT at_ms, what, detail_json FROM events WHERE order_id = ? ORDER BY seq').all(orderId) as Array<{ at_ms: number; what: string; detail_json: string }>).map(
      (e) => ({ atMs: e.at_ms, what: e.what, detail: JSON.parse(e.detail_json) as Record<string, unknown> }),
    );
  }

  close(): void {
    this.db.close();
  }

  private attemptOrder(attemptKey: string): string {
    const row = this.db.prepare('SELECT order_id FROM attempts WHERE attempt_key = ?').get(attemptKey) as { order_id: string } | undefined;
    if (!row) throw new TesseraError('WEBSHOP_ORDER_UNKNOWN', 'no such attempt', {});
    return row.order_id;
  }

  private event(orderId: string, what: string, detail: Record<string, unknown>): void {
    this.db.prepare('INSERT INTO events (order_id, at_ms, what, detail_json) VALUES (?,?,?,?)').run(orderId, this.clock.nowMs(), what, JSON.stringify(detail));
  }
}
