/**
 * The web shop's steps, between its pages (or CLI) and the merchant API:
 * checkout (one or more PINs pay one order, all or nothing), capture on
 * shipping, cancel, refund. Each step journals its Idempotency-Key first
 * (orders.ts), then calls the center, then journals the answer. PINs pass
 * through memory only.
 */
import { errorCode, TesseraError } from '../../core/errors.js';
import type { Redemption } from '../../center/voucher/api.js';
import { good } from './catalog.js';
import { WEBSHOP_LIMITS } from './limits.js';
import type { Order, OrderJournal, OrderState } from './orders.js';
import type { VoucherPayments } from './payments.js';

export interface CheckoutInput {
  /** The form's attempt key (hidden field): the Idempotency-Key of this payment attempt. */
  readonly attemptKey: string;
  /** Set when the buyer tries other cards for a refused (or in-doubt) order. */
  readonly orderId?: string;
  readonly sku: string;
  readonly quantity: number;
  /** As typed; spaces and hyphens are dropped, empty fields ignored. */
  readonly pins: readonly string[];
}

/** Codes that mean "no answer": the payment may or may not have happened, and the same attempt settles it. */
const NO_ANSWER = new Set(['MERCHANT_UNAVAILABLE', 'MERCHANT_BAD_RESPONSE', 'MERCHANT_IDEMPOTENCY_IN_PROGRESS']);

/** The PINs of a form: digits only, each 10-16 digits, 1 to cardsPerOrderMax of them, none twice. */
export function normalisePins(raw: readonly string[]): string[] {
  const pins = raw.map((p) => p.replace(/[\s-]/g, '')).filter((p) => p.length > 0);
  if (pins.length === 0) throw new TesseraError('WEBSHOP_BAD_INPUT', 'enter the PIN of at least one card', { field: 'pin' });
  if (pins.length > WEBSHOP_LIMITS.cardsPerOrderMax) {
    throw new TesseraError('WEBSHOP_BAD_INPUT', `at most ${WEBSHOP_LIMITS.cardsPerOrderMax} cards pay one order`, { field: 'pin', cards: pins.length });
  }
  pins.forEach((p, i) => {
    if (!/^[0-9]+$/.test(p) || p.length < WEBSHOP_LIMITS.pinDigitsMin || p.length > WEBSHOP_LIMITS.pinDigitsMax) {
      throw new TesseraError('WEBSHOP_BAD_INPUT', `card ${i + 1}: a PIN is ${WEBSHOP_LIMITS.pinDigitsMin}-${WEBSHOP_LIMITS.pinDigitsMax} digits`, { field: `pin[${i}]` });
    }
  });
  if (new Set(pins).size !== pins.length) throw new TesseraError('WEBSHOP_BAD_INPUT', 'the same card is entered twice', { field: 'pin' });
  return pins;
}

export class Webshop {
  constructor(
    readonly journal: OrderJournal,
    private readonly payments: VoucherPayments,
    readonly currency: string,
  ) {}

  /** Pays an order with the PINs; the order as journalled after the center's answer (or its refusal, or no answer). */
  async checkout(input: CheckoutInput): Promise<Order> {
    const item = good(input.sku);
    if (!item) throw new TesseraError('WEBSHOP_BAD_INPUT', 'no such item', { field: 'sku' });
    if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > WEBSHOP_LIMITS.quantityMax) {
      throw new TesseraError('WEBSHOP_BAD_INPUT', `quantity is 1-${WEBSHOP_LIMITS.quantityMax}`, { field: 'quantity' });
    }
    if (!/^[A-Za-z0-9-]{8,64}$/.test(input.attemptKey)) throw new TesseraError('WEBSHOP_BAD_INPUT', 'the form has no valid attempt key: reload the page', { field: 'attempt' });
    const pins = normalisePins(input.pins);
    const amountMinor = item.priceMinor * input.quantity;
    const begun = this.journal.beginAttempt(input.attemptKey, {
      ...(input.orderId !== undefined && { orderId: input.orderId }),
      sku: item.sku,
      quantity: input.quantity,
      amountMinor,
      currency: this.currency,
      kind: item.kind,
    });
    if (!begun.send) return begun.order;
    const order = begun.order;
    try {
      const r = await this.payments.redeem(
        { pins, amount: order.amountMinor, currency: order.currency, orderRef: order.orderId, capture: order.kind === 'download' },
        input.attemptKey,
      );
      return this.journal.answered(input.attemptKey, {
        redemptionId: r.body.redemptionId,
        state: r.body.state === 'captured' ? 'paid' : 'authorized',
        capturedMinor: r.body.captured,
        cards: r.body.cards,
        replayed: r.replayed,
      });
    } catch (e) {
      const code = errorCode(e);
      const details = e instanceof TesseraError ? pick(e.details ?? {}, ['retryAfterMs', 'maxCards']) : {};
      const status = (e as { status?: unknown }).status;
      const noAnswer = NO_ANSWER.has(code) || (typeof status === 'number' && status >= 500) || !(e instanceof TesseraError);
      return this.journal.failed(input.attemptKey, noAnswer ? 'no-answer' : 'refused', code, details);
    }
  }

  /** Ships an authorised order: captures its amount (or `amountMinor`, less when not everything ships). */
  async capture(orderId: string, amountMinor?: number): Promise<Order> {
    const order = this.need(orderId, ['authorized']);
    return this.step(order, 'capture', amountMinor ?? null, (key) => this.payments.capture(order.redemptionId!, amountMinor, key));
  }

  /** Cancels an authorised order: the value goes back to the cards at once. */
  async cancel(orderId: string): Promise<Order> {
    const order = this.need(orderId, ['authorized']);
    return this.step(order, 'cancel', null, (key) => this.payments.cancel(order.redemptionId!, key));
  }

  /** Refunds (part of) a captured order to the cards it came from. */
  async refund(orderId: string, amountMinor?: number): Promise<Order> {
    const order = this.need(orderId, ['paid', 'shipped', 'partly-refunded']);
    const refundable = order.capturedMinor - order.refundedMinor;
    const amount = amountMinor ?? refundable;
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > refundable) {
      throw new TesseraError('WEBSHOP_REFUND_TOO_LARGE', `refund 1-${refundable}`, { orderId, refundableMinor: refundable });
    }
    return this.step(order, 'refund', amount, (key) => this.payments.refund(order.redemptionId!, amount, key));
  }

  /**
   * Settles attempts with no recorded answer (the shop crashed mid-call, or
   * the answer was lost and the form never sent again) without the PINs:
   * asks the center for the order's redemptions by order reference and
   * records the one it finds (newest, live first) as the attempt's answer.
   * None found: the order stays (or becomes) in-doubt, `VOUCHER_REDEMPTION_UNKNOWN`.
   * An order the center cannot be asked about now stays as it is.
   */
  async recover(): Promise<{ recovered: string[]; notFound: string[]; unreachable: string[] }> {
    const out = { recovered: [] as string[], notFound: [] as string[], unreachable: [] as string[] };
    for (const { orderId, attemptKey } of this.journal.unanswered()) {
      const order = this.journal.order(orderId);
      let found: Redemption[];
      try {
        found = (await this.payments.redemptionsByOrder(orderId)).filter((r) => r.orderRef === orderId && r.amount === order.amountMinor && r.currency === order.currency);
      } catch {
        out.unreachable.push(orderId);
        continue;
      }
      const live = found.filter((r) => r.state !== 'cancelled' && r.state !== 'expired');
      const r = live[0] ?? found[0];
      if (r === undefined) {
        this.journal.notFound(attemptKey, 'VOUCHER_REDEMPTION_UNKNOWN');
        out.notFound.push(orderId);
        continue;
      }
      const done = this.journal.recovered(attemptKey, { redemptionId: r.redemptionId, state: orderState(order, r), capturedMinor: r.captured, refundedMinor: r.refunded, cards: r.cards, found: found.length });
      if (done) out.recovered.push(orderId);
    }
    return out;
  }

  /** A card's balance by its PIN (the center answers the last four serial digits, never the PIN). */
  async balance(rawPin: string): ReturnType<VoucherPayments['balance']> {
    const [pin] = normalisePins([rawPin]);
    return this.payments.balance(pin!);
  }

  private need(orderId: string, states: readonly OrderState[]): Order {
    const order = this.journal.order(orderId);
    if (!states.includes(order.state) || order.redemptionId === null) {
      throw new TesseraError('WEBSHOP_ORDER_STATE', `order is ${order.state}; this step needs ${states.join(' or ')}`, { orderId, state: order.state });
    }
    return order;
  }

  private async step(order: Order, kind: 'capture' | 'cancel' | 'refund', amount: number | null, call: (key: string) => Promise<Redemption>): Promise<Order> {
    const key = this.journal.stepKey(order.orderId, kind, amount);
    let r: Redemption;
    try {
      r = await call(key);
    } catch (e) {
      // A coded refusal closes the step; no answer leaves it open, so asking again resends the same key.
      const status = (e as { status?: unknown }).status;
      if (e instanceof TesseraError && !NO_ANSWER.has(e.code) && !(typeof status === 'number' && status >= 500)) this.journal.stepRefused(key, order.orderId, e.code);
      throw e;
    }
    return this.journal.stepDone(key, order.orderId, { state: orderState(order, r), capturedMinor: r.captured, refundedMinor: r.refunded, cards: r.cards });
  }
}

/** The shop's order state for the center's redemption state. */
function orderState(order: Order, r: Redemption): OrderState {
  switch (r.state) {
    case 'authorized':
      return 'authorized';
    case 'captured':
      return order.kind === 'shipped' ? 'shipped' : 'paid';
    case 'cancelled':
    case 'expired':
      return 'cancelled';
    case 'partly-refunded':
      return 'partly-refunded';
    case 'refunded':
      return 'refunded';
  }
}

function pick(o: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (typeof o[k] === 'number') out[k] = o[k];
  return out;
}
