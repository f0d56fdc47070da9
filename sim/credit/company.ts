/**
 * The credit company's flows (seed 003's issuer), on its journal
 * (journal.ts), its relay to the banks and the TTP's issuer API:
 *
 * - **order**: the customer's bank debit (customer → the credit company's
 *   account at the same bank, through the relay, the customer's PIN going to
 *   the bank only), then the TTP's issue (prefunded; request id = order id).
 *   A debit without an answer is reversed by its id (the PIN is not kept, so
 *   it cannot be sent again); an issue without an answer is asked again with
 *   the same request id until the TTP answers (issued, or refused for good:
 *   the value is refunded). Never value taken without a usable or refunded
 *   password.
 * - **returns**: the TTP's returns (unused value of expired, revoked,
 *   undelivered passwords, a single-use password's rest), each taken in once
 *   and refunded to the customer's account by a transfer id derived from the
 *   return's id.
 * - **reconcile**: its books for a UTC day against the TTP's daily file
 *   (control totals and lines); every difference a coded finding.
 * - **work**: one pass of all of that for what was left open (by a crash, a
 *   lost answer, a bank that did not answer), run at start and on a timer.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { MerchantApiError } from '../../center/merchant-api/client.js';
import type { IssuerClient } from '../../center/passwords/issuer-client.js';
import type { IssuerDailyFile } from '../../center/passwords/issuer.js';
import type { Relay } from '../../center/relay/relay.js';
import type { AccountRef } from '../../center/relay/types.js';
import type { CreditConfig, CreditCustomer, CreditDevice } from './config.js';
import type { CreditJournal, Order, TakenReturn } from './journal.js';
import { CREDIT_LIMITS as L } from './limits.js';

export interface CreditAccount extends AccountRef {
  /** The account's security code (from its 0600 file): the credit company's own debits (refunds) carry it. */
  readonly pin: string;
}

export interface CreditDeps {
  readonly config: CreditConfig;
  readonly journal: CreditJournal;
  readonly relay: Relay;
  readonly ttp: IssuerClient;
  readonly accounts: readonly CreditAccount[];
  readonly clock: Clock;
  readonly log: Logger;
  /** One JSON-able event per step (the serve command prints them). */
  readonly onEvent?: (e: Record<string, unknown>) => void;
}

export interface OrderRequest {
  /** The customer's order id (also the TTP request id); a retry with the same id and fields answers the same order. Absent: a new one. */
  readonly orderId?: string;
  readonly customer: string;
  readonly amountMinor: number;
  /** The customer's bank PIN: sent to the bank through the relay, never stored or logged. */
  readonly pin: string;
  /** Absent: the customer's device in the config. */
  readonly device?: CreditDevice;
  readonly expiresAtMs?: number;
  readonly goods?: readonly string[];
  readonly partial?: boolean;
}

export interface ReconcileFinding {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export interface Reconciliation {
  readonly day: string;
  readonly matched: boolean;
  readonly ttp: Pick<IssuerDailyFile, 'issued' | 'returned' | 'used'>;
  readonly books: { issued: { count: number; totalMinor: number }; returned: { count: number; totalMinor: number } };
  readonly findings: ReconcileFinding[];
}

const ORDER_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const PIN = /^[0-9]{4,12}$/;
const hex32 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);
/** The bank transfer id of a return's refund (one per return, whatever retries it). */
export const refundIdOfReturn = (returnId: string): string => hex32(`credit-return-refund:${returnId}`);
/** The bank transfer id of the n-th settlement with the TTP (one per settlement, whatever retries it). */
export const transferIdOfSettlement = (issuer: string, n: number): string => hex32(`credit-ttp-settlement:${issuer}:${n}`);
/** The journal's key of the settlement with the TTP under way (written before its bank call). */
const SETTLEMENT_KEY = 'ttp.settlement';

/** The bank transfer id of an order's refund after the TTP refused it. */
export const refundIdOfOrder = (orderId: string): string => hex32(`credit-order-refund:${orderId}`);

const bad = (field: string, message: string): TesseraError => new TesseraError('CREDIT_BAD_REQUEST', message, { field });

export class CreditCompany {
  /** Orders with a bank or TTP call running in this process: the worker leaves them alone. */
  private readonly inflight = new Map<string, Promise<Order>>();
  private working: Promise<unknown> | null = null;

  constructor(private readonly d: CreditDeps) {}

  get journal(): CreditJournal {
    return this.d.journal;
  }

  customer(id: string): CreditCustomer {
    const c = this.d.config.customers.find((x) => x.id === id);
    if (!c) throw bad('customer', `no customer ${id}`);
    return c;
  }

  private accountAt(bankCode: string): CreditAccount {
    const a = this.d.accounts.find((x) => x.bankCode === bankCode);
    if (!a) throw new TesseraError('CREDIT_NO_ACCOUNT_AT_BANK', `the credit company holds no account at bank ${bankCode}`, { bankCode });
    return a;
  }

  private event(e: Record<string, unknown>): void {
    this.d.onEvent?.(e);
  }

  /**
   * An order from a customer: the debit, then the issue. Answers the order
   * (issued; or paid while the TTP has not answered: CREDIT_TTP_PENDING is
   * the caller's to show); throws CREDIT_BANK_DECLINED, CREDIT_BANK_IN_DOUBT
   * or CREDIT_TTP_REFUSED (the value then goes back at once).
   */
  async order(req: OrderRequest): Promise<Order> {
    const c = this.customer(req.customer);
    const orderId = req.orderId ?? `o-${randomBytes(8).toString('hex')}`;
    if (!ORDER_ID.test(orderId)) throw bad('orderId', `1-${L.orderIdCharsMax} of [A-Za-z0-9._:-]`);
    if (!Number.isSafeInteger(req.amountMinor) || req.amountMinor < 1 || req.amountMinor > L.orderMinorMax) throw bad('amountMinor', `1-${L.orderMinorMax}`);
    if (!PIN.test(req.pin)) throw bad('pin', '4-12 digits');
    const device = req.device ?? c.device;
    if (!device) throw bad('device', `customer ${c.id} has no device on file: name one`);
    if (device.binding === 'device' && !device.deviceKey) throw bad('device.deviceKey', 'a device-bound password needs the device key');
    this.accountAt(c.bankCode);
    const terms = this.d.config.terms;
    const expiresAtMs = req.expiresAtMs ?? (terms.lifetimeMs !== undefined ? this.d.clock.nowMs() + terms.lifetimeMs : null);
    const fields = {
      orderId, customer: c.id, amountMinor: req.amountMinor, currency: this.d.config.currency, channel: device.channel, address: device.address, binding: device.binding,
      deviceKey: device.deviceKey ?? null, partial: req.partial ?? terms.partial, goods: [...(req.goods ?? terms.goods ?? [])].sort(),
      bankCode: c.bankCode, branchCode: c.branchCode, accountNumber: c.accountNumber,
    };
    const fingerprint = createHash('sha256').update(JSON.stringify({ ...fields, expires: req.expiresAtMs ?? null })).digest('hex');
    const running = this.inflight.get(orderId);
    if (running) return running;
    const had = this.d.journal.order(orderId);
    if (had) {
      if (had.fingerprint !== fingerprint) throw new TesseraError('CREDIT_ORDER_EXISTS_WITH_DIFFERENT_FIELDS', 'this order id was used for another order', { orderId });
      return this.answer(had);
    }
    const created = this.d.journal.insertOrder({ ...fields, expiresAtMs, fingerprint });
    this.event({ event: 'order', orderId, customer: c.id, amountMinor: req.amountMinor });
    return this.answer(await this.track(orderId, this.debitAndIssue(created, req.pin)));
  }

  private track(orderId: string, p: Promise<Order>): Promise<Order> {
    const t = p.finally(() => this.inflight.delete(orderId));
    this.inflight.set(orderId, t);
    return t;
  }

  /** An order as the customer is answered: issued, or a coded refusal. */
  private answer(o: Order): Order {
    switch (o.state) {
      case 'declined':
        throw new TesseraError(o.code === 'CREDIT_BANK_IN_DOUBT' ? 'CREDIT_BANK_IN_DOUBT' : 'CREDIT_BANK_DECLINED', o.code === 'CREDIT_BANK_IN_DOUBT' ? 'the bank did not answer: the debit was undone' : 'the bank declined the debit', { orderId: o.orderId, bankCode: o.code });
      case 'debiting':
      case 'reversing':
        throw new TesseraError('CREDIT_BANK_IN_DOUBT', 'the bank has not answered the debit: it is being undone', { orderId: o.orderId });
      case 'refunding':
      case 'refunded':
        throw new TesseraError('CREDIT_TTP_REFUSED', `the TTP refused the password; the value ${o.state === 'refunded' ? 'was' : 'is being'} refunded`, { orderId: o.orderId, ttpCode: o.code });
      default:
        return o;
    }
  }

  private async debitAndIssue(o: Order, pin: string): Promise<Order> {
    const to = this.accountAt(o.bankCode);
    const out = await this.d.relay.transfer({
      transferId: o.debitTransferId, from: { bankCode: o.bankCode, branchCode: o.branchCode, accountNumber: o.accountNumber }, to, amountMinor: o.amountMinor, currency: o.currency, pin,
    });
    const after = this.d.journal.transact(() => {
      const now = this.d.journal.order(o.orderId)!;
      if (now.state !== 'debiting') return now;
      if (out.approved) {
        this.d.journal.book({ ref: `paid:${o.orderId}`, kind: 'PAID', debit: `bank@${o.bankCode}`, credit: `customer@${o.customer}`, amountMinor: o.amountMinor, orderId: o.orderId });
        return this.d.journal.setOrder(now, 'paid', { code: null });
      }
      return this.d.journal.setOrder(now, out.inDoubt ? 'reversing' : 'declined', { code: out.inDoubt ? 'CREDIT_BANK_IN_DOUBT' : out.code });
    });
    this.event({ event: 'debit', orderId: o.orderId, code: out.code, state: after.state });
    if (after.state === 'reversing') return this.reverse(after);
    if (after.state !== 'paid') return after;
    return this.issue(after);
  }

  /** A debit without an answer is undone by its id (the bank keeps a tombstone if it never saw it). */
  private async reverse(o: Order): Promise<Order> {
    const r = await this.d.relay.reverse(o.bankCode, o.debitTransferId);
    if (!r.done) return o;
    const after = this.d.journal.transact(() => {
      const now = this.d.journal.order(o.orderId)!;
      if (now.state !== 'reversing') return now;
      // The debit may have been applied (PAID was not booked: its money never reached the books) and is now back.
      return this.d.journal.setOrder(now, 'declined', { code: 'CREDIT_BANK_IN_DOUBT' });
    });
    this.event({ event: 'debit-reversed', orderId: o.orderId, moved: r.moved });
    return after;
  }

  /** Asks the TTP to issue (request id = order id): answered → issued; refused for good → refund; no answer → stays paid. */
  private async issue(o: Order): Promise<Order> {
    let answer;
    try {
      answer = await this.d.ttp.issue(o.orderId, {
        amountMinor: o.amountMinor, currency: o.currency, partial: o.partial, binding: o.binding, channel: o.channel, address: o.address,
        ...(o.expiresAtMs !== null && { expiresAtMs: o.expiresAtMs }), ...(o.goods.length > 0 && { goods: o.goods }), ...(o.deviceKey !== null && { deviceKey: o.deviceKey }),
      });
    } catch (e) {
      const permanent = e instanceof MerchantApiError && e.status >= 400 && e.status < 500 && e.status !== 429 && e.status !== 408;
      this.d.log.warn({ orderId: o.orderId, code: (e as { code?: string }).code ?? 'unknown', permanent }, 'TTP issue not done');
      if (!permanent) return o;
      const refunding = this.d.journal.transact(() => {
        const now = this.d.journal.order(o.orderId)!;
        return now.state === 'paid' ? this.d.journal.setOrder(now, 'refunding', { code: (e as MerchantApiError).code }) : now;
      });
      this.event({ event: 'ttp-refused', orderId: o.orderId, code: (e as MerchantApiError).code });
      return refunding.state === 'refunding' ? this.refundOrder(refunding) : refunding;
    }
    const a = answer.body;
    const hold = this.d.config.faults.holdAfterIssueMs;
    if (hold !== undefined) {
      this.event({ event: 'held', orderId: o.orderId, serial: a.serial });
      await this.d.clock.sleep(hold);
    }
    const after = this.d.journal.transact(() => {
      const now = this.d.journal.order(o.orderId)!;
      if (now.state !== 'paid') return now;
      this.d.journal.book({ ref: `issued:${o.orderId}`, atMs: a.issuedAtMs, kind: 'ISSUED', debit: `customer@${o.customer}`, credit: 'ttp-due', amountMinor: o.amountMinor, orderId: o.orderId });
      return this.d.journal.setOrder(now, 'issued', { code: null, serial: a.serial, token: a.token, issuedAtMs: a.issuedAtMs });
    });
    this.event({ event: 'issued', orderId: o.orderId, serial: a.serial, replayed: answer.replayed });
    return after;
  }

  private async refundOrder(o: Order): Promise<Order> {
    const from = this.accountAt(o.bankCode);
    const out = await this.d.relay.transfer({
      transferId: refundIdOfOrder(o.orderId), from, to: { bankCode: o.bankCode, branchCode: o.branchCode, accountNumber: o.accountNumber }, amountMinor: o.amountMinor, currency: o.currency, pin: from.pin,
    });
    if (!out.approved) {
      this.d.log.warn({ orderId: o.orderId, code: out.code }, 'refund not done: retried by the worker');
      return o;
    }
    const after = this.d.journal.transact(() => {
      const now = this.d.journal.order(o.orderId)!;
      if (now.state !== 'refunding') return now;
      this.d.journal.book({ ref: `refund-order:${o.orderId}`, kind: 'REFUNDED', debit: `customer@${o.customer}`, credit: `bank@${o.bankCode}`, amountMinor: o.amountMinor, orderId: o.orderId });
      return this.d.journal.setOrder(now, 'refunded');
    });
    this.event({ event: 'order-refunded', orderId: o.orderId });
    return after;
  }

  /**
   * A lost phone reported by (or for) a customer: every live password of this
   * issuer bound to the customer's device key is revoked at the TTP
   * (POST /v1/issuer/devices/:key/revoke, idempotent), then the TTP's returns
   * are taken in and refunded to the customer's bank account at once. The key
   * is the one given (it must be one of this customer's: on file or on an
   * order), else every key of the customer's. CREDIT_DEVICE_UNKNOWN when the
   * customer has none.
   */
  async lostDevice(customerId: string, deviceKey?: string): Promise<{ customer: string; deviceKeys: string[]; count: number; returnedMinor: number; serials: string[]; refunded: number }> {
    const c = this.d.config.customers.find((x) => x.id === customerId);
    if (!c) throw new TesseraError('CREDIT_DEVICE_UNKNOWN', `no customer ${customerId}`, { field: 'customer', customer: customerId });
    const known = new Set<string>([...(c.device?.deviceKey ? [c.device.deviceKey] : []), ...this.d.journal.orders({ customer: c.id }).flatMap((o) => (o.deviceKey ? [o.deviceKey] : []))]);
    if (deviceKey !== undefined && !known.has(deviceKey)) throw new TesseraError('CREDIT_DEVICE_UNKNOWN', `customer ${c.id} has no device with this key`, { field: 'deviceKey', customer: c.id });
    const keys = deviceKey !== undefined ? [deviceKey] : [...known].sort();
    if (keys.length === 0) throw new TesseraError('CREDIT_DEVICE_UNKNOWN', `customer ${c.id} has no device-bound phone`, { field: 'deviceKey', customer: c.id });
    let count = 0;
    let returnedMinor = 0;
    const serials: string[] = [];
    for (const key of keys) {
      const r = (await this.d.ttp.revokeDevice(key)).body;
      count += r.count;
      returnedMinor += r.returnedMinor;
      serials.push(...r.serials);
    }
    this.d.log.info({ customer: c.id, devices: keys.length, count, returnedMinor }, 'lost phone: its passwords revoked at the TTP');
    this.event({ event: 'lost-device', customer: c.id, count, returnedMinor });
    const { returns } = await this.work();
    return { customer: c.id, deviceKeys: keys, count, returnedMinor, serials, refunded: returns.refunded };
  }

  /** Takes in the TTP's new returns (each once) and refunds them. Returns how many were taken in and refunded. */
  async syncReturns(): Promise<{ taken: number; refunded: number }> {
    let taken = 0;
    for (let page = 0; page < 100; page++) {
      const after = this.d.journal.get('returns.cursor');
      const p = await this.d.ttp.returns({ ...(after !== undefined && { after }), limit: L.workerBatchMax });
      this.d.journal.transact(() => {
        for (const r of p.returns) {
          if (this.d.journal.takenReturn(r.returnId)) continue;
          const o = this.d.journal.orderBySerial(r.serial);
          this.d.journal.insertReturn({
            returnId: r.returnId, serial: r.serial, orderId: o?.orderId ?? null, amountMinor: r.amountMinor, atMs: r.atMs, reason: r.reason ?? r.passwordState,
            refundTransferId: refundIdOfReturn(r.returnId), state: o ? 'refunding' : 'unmatched',
          });
          if (o) this.d.journal.book({ ref: `returned:${r.returnId}`, atMs: r.atMs, kind: 'RETURNED', debit: 'ttp-due', credit: `customer@${o.customer}`, amountMinor: r.amountMinor, orderId: o.orderId });
          else this.d.log.warn({ returnId: r.returnId, serial: r.serial }, 'a return for a password no order holds');
          taken++;
        }
        const last = p.returns[p.returns.length - 1];
        if (last) this.d.journal.put('returns.cursor', `${last.atMs}:${last.returnId}`);
      });
      if (!p.next) break;
    }
    let refunded = 0;
    for (const r of this.d.journal.returns({ state: 'refunding' })) if (await this.refundReturn(r)) refunded++;
    return { taken, refunded };
  }

  private async refundReturn(r: TakenReturn): Promise<boolean> {
    const o = this.d.journal.order(r.orderId!)!;
    const from = this.accountAt(o.bankCode);
    const out = await this.d.relay.transfer({
      transferId: r.refundTransferId, from, to: { bankCode: o.bankCode, branchCode: o.branchCode, accountNumber: o.accountNumber }, amountMinor: r.amountMinor, currency: o.currency, pin: from.pin,
    });
    if (!out.approved) {
      this.d.log.warn({ returnId: r.returnId, code: out.code }, 'return refund not done: retried by the worker');
      return false;
    }
    this.d.journal.transact(() => {
      if (this.d.journal.takenReturn(r.returnId)?.state !== 'refunding') return;
      this.d.journal.book({ ref: `refund-return:${r.returnId}`, kind: 'REFUNDED', debit: `customer@${o.customer}`, credit: `bank@${o.bankCode}`, amountMinor: r.amountMinor, orderId: o.orderId });
      this.d.journal.setReturn(r.returnId, 'refunded', null);
    });
    this.event({ event: 'return-refunded', returnId: r.returnId, orderId: o.orderId, serial: r.serial, amountMinor: r.amountMinor });
    return true;
  }

  /**
   * Pays the TTP what it is owed for the passwords it issued (prefunded):
   * the net of `ttp-due` (issued - returned - paid before), by a relay
   * transfer from the credit company's account to the TTP's account at the
   * same bank (`ttp.settlementAccount`), which the TTP pays its shops from.
   * The settlement (its number, amount and bank transfer id) is journaled
   * before the bank call: after a crash or no answer the same transfer id is
   * sent again (the bank applies it once); a decline is logged and the next
   * pass starts a new settlement. Returns the amount paid (0: nothing owed,
   * no account configured, or not done).
   */
  async settleTtp(): Promise<number> {
    const to = this.d.config.ttp.settlementAccount;
    if (!to) return 0;
    const j = this.d.journal;
    const n = Number(j.get('ttp.settlements') ?? '0') + 1;
    let pending = j.get(SETTLEMENT_KEY) ? (JSON.parse(j.get(SETTLEMENT_KEY)!) as { n: number; amountMinor: number; transferId: string }) : null;
    if (!pending) {
      const due = j.balances()['ttp-due'] ?? 0;
      if (due <= 0) return 0;
      pending = { n, amountMinor: due, transferId: transferIdOfSettlement(this.d.config.issuer, n) };
      j.put(SETTLEMENT_KEY, JSON.stringify(pending));
    }
    const from = this.accountAt(to.bankCode);
    const out = await this.d.relay.transfer({
      transferId: pending.transferId, from, to: { bankCode: to.bankCode, branchCode: to.branchCode, accountNumber: to.accountNumber }, amountMinor: pending.amountMinor, currency: this.d.config.currency, pin: from.pin,
    });
    if (out.inDoubt) {
      this.d.log.warn({ settlement: pending.n, code: out.code }, 'TTP settlement in doubt: the same transfer is sent again next pass');
      return 0;
    }
    const p = pending;
    j.transact(() => {
      if (out.approved) j.book({ ref: `settled:${p.n}`, kind: 'SETTLED', debit: 'ttp-due', credit: `bank@${to.bankCode}`, amountMinor: p.amountMinor, orderId: null });
      j.put(SETTLEMENT_KEY, '');
      j.put('ttp.settlements', String(p.n));
    });
    if (!out.approved) {
      this.d.log.warn({ settlement: p.n, code: out.code, amountMinor: p.amountMinor }, 'TTP settlement declined by the bank: a new one next pass');
      return 0;
    }
    this.event({ event: 'ttp-settled', settlement: p.n, amountMinor: p.amountMinor, transferId: p.transferId });
    return p.amountMinor;
  }

  /** One pass over what was left open (at start, on the timer, or asked for). One pass at a time. */
  async work(): Promise<{ orders: number; returns: { taken: number; refunded: number } }> {
    while (this.working) await this.working.catch(() => undefined);
    const run = this.workOnce();
    this.working = run;
    try {
      return await run;
    } finally {
      this.working = null;
    }
  }

  private async workOnce(): Promise<{ orders: number; returns: { taken: number; refunded: number } }> {
    let orders = 0;
    for (const state of ['debiting', 'reversing', 'paid', 'refunding'] as const) {
      for (const o of this.d.journal.orders({ state, limit: L.workerBatchMax })) {
        if (this.inflight.has(o.orderId)) continue;
        orders++;
        const step = async (): Promise<Order> => {
          switch (state) {
            case 'debiting': {
              // Left by a run that died during the bank call: the PIN is gone, so the debit is undone by its id.
              const r = this.d.journal.transact(() => this.d.journal.setOrder(this.d.journal.order(o.orderId)!, 'reversing', { code: 'CREDIT_BANK_IN_DOUBT' }));
              return this.reverse(r);
            }
            case 'reversing': return this.reverse(o);
            case 'paid': return this.issue(o);
            case 'refunding': return this.refundOrder(o);
          }
        };
        await this.track(o.orderId, step()).catch((e: unknown) => this.d.log.warn({ orderId: o.orderId, code: (e as { code?: string }).code ?? 'unknown' }, 'order step failed: retried next pass'));
      }
    }
    let returns = { taken: 0, refunded: 0 };
    try {
      returns = await this.syncReturns();
    } catch (e) {
      this.d.log.warn({ code: (e as { code?: string }).code ?? 'unknown' }, 'returns not synced: retried next pass');
    }
    try {
      await this.settleTtp();
    } catch (e) {
      this.d.log.warn({ code: (e as { code?: string }).code ?? 'unknown' }, 'TTP settlement not done: retried next pass');
    }
    return { orders, returns };
  }

  /** The day's books (UTC) against the TTP's daily file; every difference a coded finding. */
  async reconcile(day: string): Promise<Reconciliation> {
    await this.syncReturns();
    const file = await this.d.ttp.dailyFile(day);
    const start = Date.parse(`${day}T00:00:00Z`);
    const end = start + 86_400_000;
    const inDay = (ms: number | null): boolean => ms !== null && ms >= start && ms < end;
    const issued = this.d.journal.orders({ state: 'issued', limit: 1_000_000 }).filter((o) => inDay(o.issuedAtMs));
    const returned = this.d.journal.returns().filter((r) => inDay(r.atMs));
    const sum = (xs: readonly { amountMinor: number }[]): number => xs.reduce((s, x) => s + x.amountMinor, 0);
    const books = { issued: { count: issued.length, totalMinor: sum(issued) }, returned: { count: returned.length, totalMinor: sum(returned) } };
    const findings: ReconcileFinding[] = [];
    const lines = (kind: string) => file.lines.filter((l) => l.kind === kind);
    const lineTotal = (kind: string): { count: number; totalMinor: number } => ({ count: lines(kind).length, totalMinor: sum(lines(kind)) });
    const same = (a: { count: number; totalMinor: number }, b: { count: number; totalMinor: number }): boolean => a.count === b.count && a.totalMinor === b.totalMinor;
    if (file.linesTruncated || !same(lineTotal('issue'), file.issued) || !same(lineTotal('return'), file.returned) || !same(lineTotal('capture'), file.used.captured)) {
      findings.push({ code: 'CREDIT_RECON_FILE_TOTALS', message: "the TTP's control totals are not the sums of its lines", details: { truncated: file.linesTruncated } });
    }
    const known = new Set(this.d.journal.orders({ limit: 1_000_000 }).map((o) => o.serial).filter((s): s is string => s !== null));
    const unknown = [...new Set(file.lines.filter((l) => !known.has(l.serial)).map((l) => l.serial))];
    if (unknown.length > 0) findings.push({ code: 'CREDIT_RECON_UNKNOWN_SERIAL', message: 'lines for passwords no order holds', details: { serials: unknown.slice(0, 20) } });
    if (!same(books.issued, file.issued)) {
      const mine = new Set(issued.map((o) => o.serial!));
      const theirs = new Set(lines('issue').map((l) => l.serial));
      findings.push({
        code: 'CREDIT_RECON_ISSUED_MISMATCH', message: `issued: books ${books.issued.count} / ${books.issued.totalMinor}, TTP ${file.issued.count} / ${file.issued.totalMinor}`,
        details: { onlyInBooks: [...mine].filter((s) => !theirs.has(s)).slice(0, 20), onlyAtTtp: [...theirs].filter((s) => !mine.has(s)).slice(0, 20), waitingForTtp: this.d.journal.orders({ state: 'paid' }).map((o) => o.orderId).slice(0, 20) },
      });
    }
    if (!same(books.returned, file.returned)) {
      const mine = new Set(returned.map((r) => r.returnId));
      const theirs = new Set(lines('return').map((l) => l.transferId));
      findings.push({
        code: 'CREDIT_RECON_RETURNED_MISMATCH', message: `returned: books ${books.returned.count} / ${books.returned.totalMinor}, TTP ${file.returned.count} / ${file.returned.totalMinor}`,
        details: { onlyInBooks: [...mine].filter((s) => !theirs.has(s)).slice(0, 20), onlyAtTtp: [...theirs].filter((s) => !mine.has(s)).slice(0, 20) },
      });
    }
    const out: Reconciliation = { day, matched: findings.length === 0, ttp: { issued: file.issued, returned: file.returned, used: file.used }, books, findings };
    this.event({ event: 'reconciled', day, matched: out.matched, findings: findings.map((f) => f.code) });
    return out;
  }
}
