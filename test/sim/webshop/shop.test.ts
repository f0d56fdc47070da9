/**
 * The web shop's steps and journal (sim/webshop/shop.ts, orders.ts) against
 * a unit-test double of its payments port (the real merchant API is driven
 * by the browser e2e): each payment attempt's Idempotency-Key is journalled
 * before the call and reused when the same attempt is sent again (a crash,
 * no answer, a resubmitted form); a refusal makes the next try a new attempt
 * with a new key; admin steps reuse their key until answered; no PIN is
 * ever written to the journal's file.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Answered } from '../../../center/merchant-api/client.js';
import { MerchantApiError } from '../../../center/merchant-api/client.js';
import type { Redemption } from '../../../center/voucher/api.js';
import { ManualClock } from '../../../core/clock.js';
import { TesseraError } from '../../../core/errors.js';
import { OrderJournal } from '../../../sim/webshop/orders.js';
import type { RedeemOrder, VoucherPayments } from '../../../sim/webshop/payments.js';
import { Webshop } from '../../../sim/webshop/shop.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-webshop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PIN_A = '1111222233334444';
const PIN_B = '5555666677778888';

/** The center as far as this shop can tell: answers by key like the merchant API's idempotency store. */
class CenterDouble implements VoucherPayments {
  readonly calls: Array<{ what: string; key: string; pins?: readonly string[] }> = [];
  readonly done = new Map<string, Redemption>();
  next: 'answer' | 'lose-answer' | 'refuse' = 'answer';

  async redeem(o: RedeemOrder, key: string): Promise<Answered<Redemption>> {
    this.calls.push({ what: 'redeem', key, pins: o.pins });
    const seen = this.done.get(key);
    if (seen) return { body: seen, status: 201, replayed: true, attempts: 1 };
    if (this.next === 'refuse') throw new MerchantApiError('VOUCHER_PIN_REFUSED', 'no', 402, {});
    const r: Redemption = {
      redemptionId: `R-${this.done.size + 1}`, merchantId: 'm', orderRef: o.orderRef, state: o.capture ? 'captured' : 'authorized', amount: o.amount,
      captured: o.capture ? o.amount : 0, refunded: 0, currency: o.currency, authExpiresAtMs: null,
      cards: o.pins.map((p, i) => ({ serialLast4: p.slice(-4), taken: i === 0 ? o.amount : 0, remaining: 100 })),
    };
    this.done.set(key, r);
    if (this.next === 'lose-answer') throw new TesseraError('MERCHANT_UNAVAILABLE', 'no answer');
    return { body: r, status: 201, replayed: false, attempts: 1 };
  }
  async capture(id: string, _amount: number | undefined, key: string): Promise<Redemption> {
    this.calls.push({ what: 'capture', key });
    return this.step(id, (r) => ({ ...r, state: 'captured', captured: r.amount }));
  }
  async cancel(id: string, key: string): Promise<Redemption> {
    this.calls.push({ what: 'cancel', key });
    return this.step(id, (r) => ({ ...r, state: 'cancelled' }));
  }
  async refund(id: string, amount: number, key: string): Promise<Redemption> {
    this.calls.push({ what: 'refund', key });
    if (this.next === 'lose-answer') throw new TesseraError('MERCHANT_UNAVAILABLE', 'no answer');
    return this.step(id, (r) => ({ ...r, refunded: r.refunded + amount, state: r.refunded + amount === r.captured ? 'refunded' : 'partly-refunded' }));
  }
  async redemptionsByOrder(orderRef: string): Promise<Redemption[]> {
    this.calls.push({ what: 'by-order', key: orderRef });
    return [...this.done.values()].filter((r) => r.orderRef === orderRef).reverse();
  }
  async balance(): Promise<never> {
    throw new Error('not used');
  }
  private step(id: string, f: (r: Redemption) => Redemption): Redemption {
    const [key, r] = [...this.done.entries()].find(([, x]) => x.redemptionId === id)!;
    const n = f(r);
    this.done.set(key, n);
    return n;
  }
}

function open(name: string): { shop: Webshop; center: CenterDouble; journal: OrderJournal; path: string } {
  const path = join(dir, `${name}.db`);
  const journal = new OrderJournal(path, new ManualClock(1_000));
  const center = new CenterDouble();
  return { shop: new Webshop(journal, center, 'JPY'), center, journal, path };
}

describe('web shop journal and steps', () => {
  it('sends an attempt whose answer was lost again with the same key, even after a restart, and pays once', async () => {
    const { center, journal, path } = open('lost');
    const shop = new Webshop(journal, center, 'JPY');
    center.next = 'lose-answer';
    const attemptKey = OrderJournal.newAttemptKey();
    const first = await shop.checkout({ attemptKey, sku: 'EBOOK-1', quantity: 1, pins: [PIN_A, ` ${PIN_B.slice(0, 4)}-${PIN_B.slice(4)} `] });
    expect(first.state).toBe('in-doubt');
    expect(first.lastCode).toBe('MERCHANT_UNAVAILABLE');
    journal.close();

    // The shop restarts on the same journal; the buyer presses pay again on the same form.
    const journal2 = new OrderJournal(path, new ManualClock(2_000));
    const shop2 = new Webshop(journal2, center, 'JPY');
    expect(journal2.lastAttemptKey(first.orderId)).toBe(attemptKey);
    center.next = 'answer';
    const again = await shop2.checkout({ attemptKey, sku: 'EBOOK-1', quantity: 1, pins: [PIN_A, PIN_B] });
    expect(again.orderId).toBe(first.orderId);
    expect(again.state).toBe('paid');
    expect(again.cards.map((c) => c.serialLast4)).toEqual(['4444', '8888']);
    expect(center.calls.map((c) => c.key)).toEqual([attemptKey, attemptKey]);
    expect(center.calls[0]!.pins).toEqual([PIN_A, PIN_B]);
    expect(center.done.size).toBe(1);
    // A third press (reload, double click) sends nothing.
    await shop2.checkout({ attemptKey, sku: 'EBOOK-1', quantity: 1, pins: [PIN_A, PIN_B] });
    expect(center.calls).toHaveLength(2);
    expect(journal2.events(first.orderId).map((e) => e.what)).toEqual(['created', 'attempt', 'no-answer', 'paid']);
    journal2.close();
    // No PIN in the journal's files (database, WAL).
    for (const f of readdirSync(dir).filter((n) => n.startsWith('lost.db'))) {
      const bytes = readFileSync(join(dir, f)).toString('latin1');
      for (const pin of [PIN_A, PIN_B]) expect(bytes.includes(pin), f).toBe(false);
    }
  });

  it('after a restart, an attempt whose answer was lost and never resent is found at the center by order reference and recorded', async () => {
    const { center, journal, path } = open('recover');
    const shop = new Webshop(journal, center, 'JPY');
    center.next = 'lose-answer';
    const lost = await shop.checkout({ attemptKey: OrderJournal.newAttemptKey(), sku: 'EBOOK-1', quantity: 1, pins: [PIN_A, PIN_B] });
    expect(lost.state).toBe('in-doubt');
    // A second order whose call never left (the shop died between journalling the attempt and sending it).
    const crashed = journal.beginAttempt(OrderJournal.newAttemptKey(), { sku: 'TEA-1', quantity: 1, amountMinor: 1_200, currency: 'JPY', kind: 'download' });
    expect(crashed.order.state).toBe('paying');
    journal.close();

    // The shop restarts on the same journal; nobody sends either form again.
    const journal2 = new OrderJournal(path, new ManualClock(2_000));
    const shop2 = new Webshop(journal2, center, 'JPY');
    center.next = 'answer';
    expect(journal2.unanswered().map((u) => u.orderId)).toEqual([lost.orderId, crashed.order.orderId]);
    const result = await shop2.recover();
    expect(result).toEqual({ recovered: [lost.orderId], notFound: [crashed.order.orderId], unreachable: [] });
    const paid = journal2.order(lost.orderId);
    expect(paid).toMatchObject({ state: 'paid', redemptionId: 'R-1', capturedMinor: paid.amountMinor, lastCode: null });
    expect(paid.cards.map((c) => c.serialLast4)).toEqual(['4444', '8888']);
    expect(journal2.order(crashed.order.orderId)).toMatchObject({ state: 'in-doubt', lastCode: 'VOUCHER_REDEMPTION_UNKNOWN', redemptionId: null });
    // Asked by order reference only: nothing was paid again.
    expect(center.calls.filter((c) => c.what === 'by-order').map((c) => c.key)).toEqual([lost.orderId, crashed.order.orderId]);
    expect(center.calls.filter((c) => c.what === 'redeem')).toHaveLength(1);
    expect(center.done.size).toBe(1);
    expect(journal2.events(lost.orderId).map((e) => e.what)).toEqual(['created', 'attempt', 'no-answer', 'recovered']);
    // The recovered order is settled: nothing left to recover, and it can be refunded like any paid order.
    expect(journal2.unanswered().map((u) => u.orderId)).toEqual([crashed.order.orderId]);
    await expect(shop2.refund(lost.orderId, 100)).resolves.toMatchObject({ state: 'partly-refunded', refundedMinor: 100 });
    journal2.close();
  });

  it('a refusal ends the attempt: trying other cards is a new attempt with a new key on the same order', async () => {
    const { shop, center } = open('refused');
    center.next = 'refuse';
    const k1 = OrderJournal.newAttemptKey();
    const refused = await shop.checkout({ attemptKey: k1, sku: 'TEA-1', quantity: 2, pins: [PIN_A] });
    expect(refused).toMatchObject({ state: 'refused', lastCode: 'VOUCHER_PIN_REFUSED', amountMinor: 2_400 });
    // The same form again does not send again: the refusal stands for that attempt.
    await shop.checkout({ attemptKey: k1, sku: 'TEA-1', quantity: 2, pins: [PIN_A] });
    expect(center.calls).toHaveLength(1);
    center.next = 'answer';
    const k2 = OrderJournal.newAttemptKey();
    const held = await shop.checkout({ attemptKey: k2, orderId: refused.orderId, sku: 'TEA-1', quantity: 2, pins: [PIN_B] });
    expect(held).toMatchObject({ orderId: refused.orderId, state: 'authorized', attempts: 2, capturedMinor: 0 });
    expect(center.calls.map((c) => c.key)).toEqual([k1, k2]);
  });

  it('ships (capture), refunds in parts, and sends a refund whose answer was lost again with its key', async () => {
    const { shop, center } = open('steps');
    const held = await shop.checkout({ attemptKey: OrderJournal.newAttemptKey(), sku: 'MUG-1', quantity: 1, pins: [PIN_A] });
    expect(held.state).toBe('authorized');
    await expect(shop.refund(held.orderId)).rejects.toMatchObject({ code: 'WEBSHOP_ORDER_STATE' });
    const shipped = await shop.capture(held.orderId);
    expect(shipped).toMatchObject({ state: 'shipped', capturedMinor: 1_800 });
    await expect(shop.cancel(held.orderId)).rejects.toMatchObject({ code: 'WEBSHOP_ORDER_STATE' });
    await expect(shop.refund(held.orderId, 2_000)).rejects.toMatchObject({ code: 'WEBSHOP_REFUND_TOO_LARGE' });
    center.next = 'lose-answer';
    await expect(shop.refund(held.orderId, 500)).rejects.toMatchObject({ code: 'MERCHANT_UNAVAILABLE' });
    center.next = 'answer';
    const part = await shop.refund(held.orderId, 500);
    expect(part).toMatchObject({ state: 'partly-refunded', refundedMinor: 500 });
    const refundKeys = center.calls.filter((c) => c.what === 'refund').map((c) => c.key);
    expect(refundKeys).toHaveLength(2);
    expect(refundKeys[0]).toBe(refundKeys[1]);
    const rest = await shop.refund(held.orderId);
    expect(rest).toMatchObject({ state: 'refunded', refundedMinor: 1_800 });
    expect(new Set(center.calls.filter((c) => c.what === 'refund').map((c) => c.key)).size).toBe(2);
  });

  it('refuses malformed PINs and too many cards before anything is journalled or sent', async () => {
    const { shop, center, journal } = open('bad');
    for (const pins of [['12345'], ['1234abcd12345678'], [], [PIN_A, PIN_A], Array.from({ length: 6 }, (_, i) => `${i}`.repeat(16))]) {
      await expect(shop.checkout({ attemptKey: OrderJournal.newAttemptKey(), sku: 'EBOOK-1', quantity: 1, pins })).rejects.toMatchObject({ code: 'WEBSHOP_BAD_INPUT' });
    }
    expect(center.calls).toHaveLength(0);
    expect(journal.list()).toEqual([]);
  });
});
