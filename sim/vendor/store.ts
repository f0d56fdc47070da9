/**
 * The vendor's own database (SQLite, its own file): each order with its
 * price, and once paid the prepaid payment's request id (unique: a payment
 * pays one order), the licence key and the signed receipt, written in one
 * transaction; an event log. The receipt is written before it is answered,
 * and it is deterministic anyway (protocol/prepaid/receipt.ts), so a retry
 * after any crash answers the same bytes and never a second licence.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { createPrivateFile } from '../../core/files.js';
import { TesseraError } from '../../core/errors.js';
import type { ReceiptKind } from '../../protocol/prepaid/receipt.js';
import { VENDOR_LIMITS } from './limits.js';

export type OrderState = 'new' | 'paid';

export interface VendorOrder {
  readonly orderId: string;
  readonly createdMs: number;
  readonly itemCode: string;
  readonly itemName: string;
  readonly kind: ReceiptKind;
  readonly amountMinor: number;
  readonly currency: string;
  readonly state: OrderState;
  readonly requestId: string | null;
  readonly paidAtMs: number | null;
  readonly licenceKey: string | null;
  readonly receipt: Buffer | null;
}

interface Row {
  order_id: string; created_ms: number; item_code: string; item_name: string; kind: string; amount_minor: number; currency: string; state: string;
  request_id: string | null; paid_at_ms: number | null; licence_key: string | null; receipt: Buffer | null;
}

const toOrder = (r: Row): VendorOrder => ({
  orderId: r.order_id, createdMs: r.created_ms, itemCode: r.item_code, itemName: r.item_name, kind: r.kind as ReceiptKind, amountMinor: r.amount_minor, currency: r.currency,
  state: r.state as OrderState, requestId: r.request_id, paidAtMs: r.paid_at_ms, licenceKey: r.licence_key, receipt: r.receipt,
});

export class VendorStore {
  private readonly db: Database.Database;

  constructor(
    path: string,
    private readonly clock: Clock,
  ) {
    if (path !== ':memory:') createPrivateFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS orders (
        order_id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, item_code TEXT NOT NULL, item_name TEXT NOT NULL, kind TEXT NOT NULL,
        amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, state TEXT NOT NULL, request_id TEXT UNIQUE, paid_at_ms INTEGER,
        licence_key TEXT, receipt BLOB);
      CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL, at_ms INTEGER NOT NULL, what TEXT NOT NULL);
    `);
  }

  create(o: { itemCode: string; itemName: string; kind: ReceiptKind; amountMinor: number; currency: string }): VendorOrder {
    const orderId = `o_${randomBytes(12).toString('hex')}`;
    const now = this.clock.nowMs();
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO orders (order_id, created_ms, item_code, item_name, kind, amount_minor, currency, state) VALUES (?,?,?,?,?,?,?,'new')")
        .run(orderId, now, o.itemCode, o.itemName, o.kind, o.amountMinor, o.currency);
      this.event(orderId, now, 'ordered');
    })();
    return this.order(orderId)!;
  }

  order(orderId: string): VendorOrder | undefined {
    const r = this.db.prepare('SELECT * FROM orders WHERE order_id = ?').get(orderId) as Row | undefined;
    return r && toOrder(r);
  }

  byRequest(requestId: string): VendorOrder | undefined {
    const r = this.db.prepare('SELECT * FROM orders WHERE request_id = ?').get(requestId) as Row | undefined;
    return r && toOrder(r);
  }

  /** Newest first. */
  list(limit: number = VENDOR_LIMITS.ordersListMax): VendorOrder[] {
    return (this.db.prepare('SELECT * FROM orders ORDER BY created_ms DESC, rowid DESC LIMIT ?').all(limit) as Row[]).map(toOrder);
  }

  /** Paid orders: how many, and their total. */
  paidTotals(): { count: number; totalMinor: number } {
    const r = this.db.prepare("SELECT COUNT(*) AS n, COALESCE(SUM(amount_minor), 0) AS total FROM orders WHERE state = 'paid'").get() as { n: number; total: number };
    return { count: r.n, totalMinor: r.total };
  }

  /**
   * Marks the order paid by `requestId` with its licence and receipt, in one
   * transaction. Already paid by the same request: the stored order (its
   * receipt is answered again). Paid by another, or the request paid
   * another order: VENDOR_ORDER_PAID / VENDOR_PAYMENT_USED.
   */
  markPaid(orderId: string, p: { requestId: string; paidAtMs: number; licenceKey: string | null; receipt: Buffer }): VendorOrder {
    return this.db.transaction((): VendorOrder => {
      const cur = this.order(orderId);
      if (!cur) throw new TesseraError('VENDOR_ORDER_UNKNOWN', 'no such order', { orderId });
      if (cur.state === 'paid') {
        if (cur.requestId === p.requestId) return cur;
        throw new TesseraError('VENDOR_ORDER_PAID', 'the order was paid with another payment', { orderId });
      }
      const other = this.byRequest(p.requestId);
      if (other) throw new TesseraError('VENDOR_PAYMENT_USED', 'this payment already paid another order', { orderId: other.orderId });
      this.db
        .prepare("UPDATE orders SET state = 'paid', request_id = ?, paid_at_ms = ?, licence_key = ?, receipt = ? WHERE order_id = ? AND state = 'new'")
        .run(p.requestId, p.paidAtMs, p.licenceKey, p.receipt, orderId);
      this.event(orderId, this.clock.nowMs(), p.licenceKey ? 'paid, licence issued' : 'paid');
      return this.order(orderId)!;
    })();
  }

  events(orderId: string): string[] {
    return (this.db.prepare('SELECT what FROM events WHERE order_id = ? ORDER BY seq').all(orderId) as Array<{ what: string }>).map((r) => r.what);
  }

  close(): void {
    this.db.close();
  }

  private event(orderId: string, atMs: number, what: string): void {
    this.db.prepare('INSERT INTO events (order_id, at_ms, what) VALUES (?,?,?)').run(orderId, atMs, what);
  }
}
