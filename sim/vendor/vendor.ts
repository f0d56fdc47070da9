/**
 * The vendor's business: a catalogue, orders with their price and payee,
 * and the answer to a paid order — after the prepaid center confirms a
 * payment to this vendor with the request id the holder gives — a receipt
 * signed with the vendor's Ed25519 key (a licence key for a registration),
 * idempotent by order. Reconciliation: its paid orders against the prepaid
 * center's statement, and the payouts that reached its bank.
 *
 *   pay(order, request id):
 *     paid already by this request → the stored receipt (no call, no second licence)
 *     ask the center: GET /v1/prepaid/payments/:requestId (only this vendor's)
 *     amount and currency = the order's → receipt built (deterministic) → stored with the order → answered
 *
 * A crash anywhere answers the retry with the same receipt: before the
 * store the receipt is rebuilt from the same order and payment, byte for
 * byte; after it, it is read back.
 */
import { createHmac, type KeyObject } from 'node:crypto';
import { errorCode, TesseraError } from '../../core/errors.js';
import { faultPoint } from '../../core/fault-points.js';
import { receiptKeyId, receiptPublicKeyRaw, receiptText, signReceipt } from '../../protocol/prepaid/receipt.js';
import type { CatalogueItem } from './catalogue.js';
import type { VendorOrder, VendorStore } from './store.js';

/** What the vendor learns from the prepaid center (the merchant API, typed client). */
export interface PaymentSource {
  /** The payment to this vendor with this request id; null when the center has none. */
  payment(requestId: string): Promise<{ requestId: string; vendorId: string; amountMinor: number; currency: string; paidAtMs: number } | null>;
  statement(): Promise<{ paymentsCount: number; paidMinor: number; paidOutMinor: number; pendingMinor: number; payableMinor: number; payouts: ReadonlyArray<{ payoutId: string; state: string; amountMinor: number; transferId: string; code: string | null }> }>;
}

/** A test hook: the vendor process kills itself (SIGKILL) at this step of a payment. */
export type VendorCrashPoint = 'verified' | 'stored';

export interface PaidOrder {
  readonly orderId: string;
  readonly state: 'paid';
  readonly requestId: string;
  readonly licenceKey: string | null;
  /** The signed receipt, base64. */
  readonly receipt: string;
  readonly text: string;
}

export interface Reconciliation {
  readonly ordersPaid: number;
  readonly ordersPaidMinor: number;
  readonly centerPayments: number;
  readonly centerPaidMinor: number;
  /** Paid at the center, no order answered for it (a holder who never asked for the receipt). */
  readonly unclaimedMinor: number;
  readonly paidOutMinor: number;
  readonly pendingMinor: number;
  readonly payableMinor: number;
  readonly payouts: ReadonlyArray<{ payoutId: string; state: string; amountMinor: number; transferId: string; code: string | null }>;
}

const REQUEST_ID = /^[0-9a-f]{32}$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export class Vendor {
  private readonly licenceSecret: Buffer;
  readonly publicKey: Buffer;
  readonly keyId: string;

  constructor(
    readonly o: { vendorId: string; name: string; currency: string; catalogue: readonly CatalogueItem[] },
    readonly store: VendorStore,
    private readonly signingKey: KeyObject,
    signingSeed: Buffer,
    private readonly payments: PaymentSource,
    private readonly crashAt: VendorCrashPoint | null = null,
  ) {
    this.licenceSecret = createHmac('sha256', signingSeed).update('TSPR-LICENCE').digest();
    this.publicKey = receiptPublicKeyRaw(signingKey);
    this.keyId = receiptKeyId(this.publicKey);
  }

  info(): { vendorId: string; name: string; currency: string; publicKey: string; keyId: string } {
    return { vendorId: this.o.vendorId, name: this.o.name, currency: this.o.currency, publicKey: this.publicKey.toString('hex'), keyId: this.keyId };
  }

  item(code: string): CatalogueItem {
    const it = this.o.catalogue.find((i) => i.code === code);
    if (!it) throw new TesseraError('VENDOR_BAD_INPUT', 'no such item in the catalogue', { itemCode: code });
    return it;
  }

  /** A new order: its id, the price and the payee the holder pays through the prepaid center. */
  order(itemCode: string): VendorOrder & { payee: string } {
    const it = this.item(itemCode);
    return { ...this.store.create({ itemCode: it.code, itemName: it.name, kind: it.kind, amountMinor: it.priceMinor, currency: this.o.currency }), payee: this.o.vendorId };
  }

  get(orderId: string): VendorOrder {
    const o = this.store.order(orderId);
    if (!o) throw new TesseraError('VENDOR_ORDER_UNKNOWN', 'no such order', { orderId });
    return o;
  }

  /** The holder paid the order through the prepaid center with `requestId`: the receipt (idempotent by order). */
  async pay(orderId: string, requestId: string): Promise<PaidOrder> {
    if (!REQUEST_ID.test(requestId)) throw new TesseraError('VENDOR_BAD_INPUT', 'requestId: the prepaid payment\'s request id, 32 lowercase hex', { field: 'requestId' });
    const order = this.get(orderId);
    if (order.state === 'paid') {
      if (order.requestId === requestId) return this.paidView(order);
      throw new TesseraError('VENDOR_ORDER_PAID', 'the order was paid with another payment', { orderId });
    }
    const other = this.store.byRequest(requestId);
    if (other) throw new TesseraError('VENDOR_PAYMENT_USED', 'this payment already paid another order', { orderId: other.orderId });
    let p;
    try {
      p = await this.payments.payment(requestId);
    } catch (e) {
      throw new TesseraError('VENDOR_CENTER_UNAVAILABLE', 'the prepaid center could not be asked', { reason: errorCode(e) });
    }
    if (!p || p.vendorId !== this.o.vendorId || p.requestId !== requestId) throw new TesseraError('VENDOR_PAYMENT_NOT_FOUND', 'the prepaid center has no payment to this vendor with this request id', { requestId });
    if (p.amountMinor !== order.amountMinor || p.currency !== order.currency) {
      throw new TesseraError('VENDOR_PAYMENT_MISMATCH', 'the payment is not for the order\'s price', { orderId, priceMinor: order.amountMinor, paidMinor: p.amountMinor, currency: p.currency });
    }
    this.crash('verified');
    const licenceKey = order.kind === 'registration' ? this.licenceKey(order) : null;
    const receipt = signReceipt(
      { kind: order.kind, vendorId: this.o.vendorId, orderId, requestId, itemCode: order.itemCode, itemName: order.itemName, amountMinor: p.amountMinor, currency: p.currency, paidAtMs: p.paidAtMs, licenceKey: licenceKey ?? '' },
      this.signingKey,
    );
    const paid = this.store.markPaid(orderId, { requestId, paidAtMs: p.paidAtMs, licenceKey, receipt });
    this.crash('stored');
    return this.paidView(paid);
  }

  /** The vendor's paid orders against the prepaid center's statement of payments and payouts. */
  async reconcile(): Promise<Reconciliation> {
    const own = this.store.paidTotals();
    const st = await this.payments.statement();
    return {
      ordersPaid: own.count, ordersPaidMinor: own.totalMinor, centerPayments: st.paymentsCount, centerPaidMinor: st.paidMinor, unclaimedMinor: st.paidMinor - own.totalMinor,
      paidOutMinor: st.paidOutMinor, pendingMinor: st.pendingMinor, payableMinor: st.payableMinor, payouts: st.payouts,
    };
  }

  /** A registration's licence key: 20 Crockford base32 characters in four groups, from the vendor's key and the order (the same order, the same key). */
  licenceKey(order: Pick<VendorOrder, 'orderId' | 'itemCode'>): string {
    const mac = createHmac('sha256', this.licenceSecret).update(`${this.o.vendorId}|${order.orderId}|${order.itemCode}`).digest();
    let bits = 0;
    let acc = 0;
    let out = '';
    for (const byte of mac) {
      acc = (acc << 8) | byte;
      bits += 8;
      while (bits >= 5 && out.length < 20) {
        out += CROCKFORD[(acc >> (bits - 5)) & 31];
        bits -= 5;
      }
      acc &= (1 << bits) - 1;
      if (out.length >= 20) break;
    }
    return out.match(/.{5}/g)!.join('-');
  }

  private paidView(o: VendorOrder): PaidOrder {
    const receipt = o.receipt!;
    return {
      orderId: o.orderId, state: 'paid', requestId: o.requestId!, licenceKey: o.licenceKey, receipt: receipt.toString('base64'),
      text: receiptText({ kind: o.kind, vendorId: this.o.vendorId, orderId: o.orderId, requestId: o.requestId!, itemCode: o.itemCode, itemName: o.itemName, amountMinor: o.amountMinor, currency: o.currency, paidAtMs: o.paidAtMs!, licenceKey: o.licenceKey ?? '' }),
    };
  }

  private crash(at: VendorCrashPoint): void {
    if (this.crashAt === at) process.kill(process.pid, 'SIGKILL');
    faultPoint(`vendor.${at}`); // the same points armed through core/fault-points.ts (a crash test's fault file)
  }
}
