/**
 * The credit company's own journal (SQLite, its own file, mode 0600): its
 * orders, the returns the TTP gave back, and its books (double entry, one
 * row per movement, each unique by a reference so a step done again books
 * nothing twice). Every bank transfer id and TTP request id is written here
 * before the call that carries it, so a retry after a crash or a lost
 * answer reuses it: the bank moves the money once, the TTP issues once. No
 * PIN and no password code is ever written (the credit company never learns
 * the code; the token is public).
 *
 * Order states (README.md):
 *   debiting → paid | declined | reversing          the customer's bank debit (reversing: no answer, so it is undone by id)
 *   reversing → declined                            the bank holds the reversal (the customer has the value back or never lost it)
 *   paid → issued | refunding                       the TTP's answer (refunding: it refused for good)
 *   refunding → refunded                            the value is back in the customer's account
 *
 * Books (accounts; balance = credits − debits for the liabilities):
 *   bank@<code>     the credit company's money at that bank (asset: debits add)
 *   customer@<id>   what the credit company owes the customer (value taken, no password or refund yet)
 *   ttp-due         owed to the TTP for prefunded passwords, net of returns: mirrors the TTP's pw-funds@<issuer>
 *
 *   PAID      bank@B → customer@C     (debit bank, credit customer) the customer's bank debit
 *   ISSUED    customer@C → ttp-due    the TTP issued: the customer holds a password, the credit company owes the prefund
 *   RETURNED  ttp-due → customer@C    the TTP gave unused value back
 *   REFUNDED  customer@C → bank@B     paid back to the customer's account
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { createPrivateFile } from '../../core/files.js';

export type OrderState = 'debiting' | 'paid' | 'declined' | 'reversing' | 'issued' | 'refunding' | 'refunded';
const NEXT: Record<OrderState, readonly OrderState[]> = {
  debiting: ['paid', 'declined', 'reversing'],
  reversing: ['declined'],
  paid: ['issued', 'refunding'],
  refunding: ['refunded'],
  declined: [],
  issued: [],
  refunded: [],
};
export const ORDER_STATES = NEXT;

export interface Order {
  readonly orderId: string;
  readonly customer: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly channel: 'sms' | 'email';
  readonly address: string;
  readonly binding: 'bearer' | 'device' | 'keypad';
  readonly deviceKey: string | null;
  readonly partial: boolean;
  readonly expiresAtMs: number | null;
  readonly goods: string[];
  readonly bankCode: string;
  readonly branchCode: string;
  readonly accountNumber: string;
  /** The bank transfer id of the customer's debit (32 hex); a refund uses its own. */
  readonly debitTransferId: string;
  readonly state: OrderState;
  /** The last refusal's code (the bank's, the TTP's) or null. */
  readonly code: string | null;
  readonly serial: string | null;
  readonly token: string | null;
  readonly issuedAtMs: number | null;
  readonly fingerprint: string;
  readonly createdMs: number;
  readonly updatedMs: number;
}

export type NewOrder = Omit<Order, 'state' | 'code' | 'serial' | 'token' | 'issuedAtMs' | 'createdMs' | 'updatedMs' | 'debitTransferId'>;

export type ReturnState = 'refunding' | 'refunded' | 'unmatched';

export interface TakenReturn {
  readonly returnId: string;
  readonly serial: string;
  readonly orderId: string | null;
  readonly amountMinor: number;
  readonly atMs: number;
  readonly reason: string | null;
  readonly refundTransferId: string;
  readonly state: ReturnState;
  readonly code: string | null;
}

export interface Entry {
  readonly ref: string;
  readonly atMs: number;
  readonly kind: 'PAID' | 'ISSUED' | 'RETURNED' | 'REFUNDED' | 'SETTLED';
  readonly debit: string;
  readonly credit: string;
  readonly amountMinor: number;
  readonly orderId: string | null;
}

type Row = Record<string, unknown>;

const orderOf = (r: Row): Order => ({
  orderId: r['order_id'] as string, customer: r['customer'] as string, amountMinor: r['amount'] as number, currency: r['currency'] as string,
  channel: r['channel'] as Order['channel'], address: r['address'] as string, binding: r['binding'] as Order['binding'], deviceKey: (r['device_key'] as string | null) ?? null,
  partial: r['partial'] === 1, expiresAtMs: (r['expires_at_ms'] as number | null) ?? null, goods: r['goods'] === '' ? [] : String(r['goods']).split(','),
  bankCode: r['bank_code'] as string, branchCode: r['branch_code'] as string, accountNumber: r['account_number'] as string, debitTransferId: r['debit_transfer_id'] as string,
  state: r['state'] as OrderState, code: (r['code'] as string | null) ?? null, serial: (r['serial'] as string | null) ?? null, token: (r['token'] as string | null) ?? null,
  issuedAtMs: (r['issued_at_ms'] as number | null) ?? null, fingerprint: r['fingerprint'] as string, createdMs: r['created_ms'] as number, updatedMs: r['updated_ms'] as number,
});

const returnOf = (r: Row): TakenReturn => ({
  returnId: r['return_id'] as string, serial: r['serial'] as string, orderId: (r['order_id'] as string | null) ?? null, amountMinor: r['amount'] as number,
  atMs: r['at_ms'] as number, reason: (r['reason'] as string | null) ?? null, refundTransferId: r['refund_transfer_id'] as string, state: r['state'] as ReturnState,
  code: (r['code'] as string | null) ?? null,
});

export class CreditJournal {
  readonly db: Database.Database;

  constructor(path: string, private readonly clock: Clock) {
    createPrivateFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS orders (
        order_id TEXT PRIMARY KEY, customer TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL, channel TEXT NOT NULL, address TEXT NOT NULL,
        binding TEXT NOT NULL, device_key TEXT, partial INTEGER NOT NULL, expires_at_ms INTEGER, goods TEXT NOT NULL,
        bank_code TEXT NOT NULL, branch_code TEXT NOT NULL, account_number TEXT NOT NULL, debit_transfer_id TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL, code TEXT, serial TEXT UNIQUE, token TEXT, issued_at_ms INTEGER, fingerprint TEXT NOT NULL,
        created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS orders_state ON orders (state);
      CREATE TABLE IF NOT EXISTS returns (
        return_id TEXT PRIMARY KEY, serial TEXT NOT NULL, order_id TEXT, amount INTEGER NOT NULL, at_ms INTEGER NOT NULL, reason TEXT,
        refund_transfer_id TEXT NOT NULL UNIQUE, state TEXT NOT NULL, code TEXT, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS returns_state ON returns (state);
      CREATE TABLE IF NOT EXISTS entries (
        ref TEXT PRIMARY KEY, at_ms INTEGER NOT NULL, kind TEXT NOT NULL, debit TEXT NOT NULL, credit TEXT NOT NULL, amount INTEGER NOT NULL CHECK (amount > 0), order_id TEXT);
      CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
  }

  close(): void {
    this.db.close();
  }

  transact<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  order(orderId: string): Order | undefined {
    const r = this.db.prepare('SELECT * FROM orders WHERE order_id = ?').get(orderId) as Row | undefined;
    return r && orderOf(r);
  }

  orderBySerial(serial: string): Order | undefined {
    const r = this.db.prepare('SELECT * FROM orders WHERE serial = ?').get(serial) as Row | undefined;
    return r && orderOf(r);
  }

  orders(o: { state?: OrderState; customer?: string; limit?: number } = {}): Order[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (o.state) (where.push('state = ?'), params.push(o.state));
    if (o.customer) (where.push('customer = ?'), params.push(o.customer));
    const sql = `SELECT * FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_ms, rowid LIMIT ?`;
    return (this.db.prepare(sql).all(...params, o.limit ?? 1_000) as Row[]).map(orderOf);
  }

  /** A new order in state debiting, its debit transfer id drawn now (before the bank is called). */
  insertOrder(o: NewOrder): Order {
    const now = this.clock.nowMs();
    this.db
      .prepare(
        `INSERT INTO orders (order_id, customer, amount, currency, channel, address, binding, device_key, partial, expires_at_ms, goods, bank_code, branch_code, account_number,
           debit_transfer_id, state, code, serial, token, issued_at_ms, fingerprint, created_ms, updated_ms)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'debiting',NULL,NULL,NULL,NULL,?,?,?)`,
      )
      .run(o.orderId, o.customer, o.amountMinor, o.currency, o.channel, o.address, o.binding, o.deviceKey, o.partial ? 1 : 0, o.expiresAtMs, o.goods.join(','),
        o.bankCode, o.branchCode, o.accountNumber, randomBytes(16).toString('hex'), o.fingerprint, now, now);
    return this.order(o.orderId)!;
  }

  /** Moves an order on (the transition checked against ORDER_STATES). */
  setOrder(o: Order, to: OrderState, set: { code?: string | null; serial?: string; token?: string | null; issuedAtMs?: number } = {}): Order {
    if (o.state !== to && !NEXT[o.state].includes(to)) throw new TesseraError('CREDIT_BAD_REQUEST', `order ${o.orderId}: ${o.state} → ${to} is not a transition`, { orderId: o.orderId, from: o.state, to });
    this.db
      .prepare('UPDATE orders SET state = ?, code = ?, serial = COALESCE(?, serial), token = COALESCE(?, token), issued_at_ms = COALESCE(?, issued_at_ms), updated_ms = ? WHERE order_id = ?')
      .run(to, set.code === undefined ? o.code : set.code, set.serial ?? null, set.token ?? null, set.issuedAtMs ?? null, this.clock.nowMs(), o.orderId);
    return this.order(o.orderId)!;
  }

  /** Books one movement once (a second call with the same ref books nothing). */
  book(e: Omit<Entry, 'atMs'> & { atMs?: number }): void {
    this.db.prepare('INSERT OR IGNORE INTO entries (ref, at_ms, kind, debit, credit, amount, order_id) VALUES (?,?,?,?,?,?,?)').run(e.ref, e.atMs ?? this.clock.nowMs(), e.kind, e.debit, e.credit, e.amountMinor, e.orderId);
  }

  entries(): Entry[] {
    return (this.db.prepare('SELECT * FROM entries ORDER BY at_ms, rowid').all() as Row[]).map((r) => ({
      ref: r['ref'] as string, atMs: r['at_ms'] as number, kind: r['kind'] as Entry['kind'], debit: r['debit'] as string, credit: r['credit'] as string, amountMinor: r['amount'] as number, orderId: (r['order_id'] as string | null) ?? null,
    }));
  }

  /** Balances as credits − debits per account (a liability's balance is positive; an asset's negative). */
  balances(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries()) {
      out[e.debit] = (out[e.debit] ?? 0) - e.amountMinor;
      out[e.credit] = (out[e.credit] ?? 0) + e.amountMinor;
    }
    return out;
  }

  takenReturn(returnId: string): TakenReturn | undefined {
    const r = this.db.prepare('SELECT * FROM returns WHERE return_id = ?').get(returnId) as Row | undefined;
    return r && returnOf(r);
  }

  returns(o: { state?: ReturnState } = {}): TakenReturn[] {
    const rows = o.state ? this.db.prepare('SELECT * FROM returns WHERE state = ? ORDER BY at_ms, return_id').all(o.state) : this.db.prepare('SELECT * FROM returns ORDER BY at_ms, return_id').all();
    return (rows as Row[]).map(returnOf);
  }

  insertReturn(r: Omit<TakenReturn, 'code'>): void {
    const now = this.clock.nowMs();
    this.db
      .prepare('INSERT OR IGNORE INTO returns (return_id, serial, order_id, amount, at_ms, reason, refund_transfer_id, state, code, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,?,NULL,?,?)')
      .run(r.returnId, r.serial, r.orderId, r.amountMinor, r.atMs, r.reason, r.refundTransferId, r.state, now, now);
  }

  setReturn(returnId: string, state: ReturnState, code: string | null): void {
    this.db.prepare('UPDATE returns SET state = ?, code = ?, updated_ms = ? WHERE return_id = ?').run(state, code, this.clock.nowMs(), returnId);
  }

  get(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  put(key: string, value: string): void {
    this.db.prepare('INSERT INTO kv (key, value) VALUES (?,?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
