/**
 * The web shop's only way to the settlement center: the merchant API's
 * voucher routes through the typed client (center/merchant-api/client.ts).
 * Every POST carries the Idempotency-Key the shop journalled before the
 * call, so a retry (the client's own, or the buyer's after a crash) is the
 * same request and the center does it once.
 */
import type { Answered, MerchantClient } from '../../center/merchant-api/client.js';
import type { BalanceAnswer, Redemption } from '../../center/voucher/api.js';

export interface RedeemOrder {
  readonly pins: readonly string[];
  readonly amount: number;
  readonly currency: string;
  readonly orderRef: string;
  /** Pay now (true) or authorise now and capture when shipped (false). */
  readonly capture: boolean;
}

export interface VoucherPayments {
  redeem(order: RedeemOrder, idempotencyKey: string): Promise<Answered<Redemption>>;
  capture(redemptionId: string, amount: number | undefined, idempotencyKey: string): Promise<Redemption>;
  cancel(redemptionId: string, idempotencyKey: string): Promise<Redemption>;
  refund(redemptionId: string, amount: number, idempotencyKey: string): Promise<Redemption>;
  balance(pin: string): Promise<BalanceAnswer>;
  /** The merchant's redemptions for an order reference, newest first (finds a payment whose answer was lost). */
  redemptionsByOrder(orderRef: string): Promise<Redemption[]>;
}

/** The merchant API's voucher routes (`/v1/vouchers/...`) through the typed client (retries with the same key, coded errors). */
export function merchantVoucherPayments(client: MerchantClient): VoucherPayments {
  return {
    redeem: (o, key) => client.redeemVouchers({ pins: [...o.pins], amount: o.amount, currency: o.currency, orderRef: o.orderRef, capture: o.capture }, { idempotencyKey: key }),
    capture: async (id, amount, key) => (await client.captureVoucherRedemption(id, { ...(amount !== undefined && { amount }), idempotencyKey: key })).body,
    cancel: async (id, key) => (await client.cancelVoucherRedemption(id, { idempotencyKey: key })).body,
    refund: async (id, amount, key) => (await client.refundVoucherRedemption(id, amount, { idempotencyKey: key })).body,
    // The client sends the PIN in a header (Voucher-Pin), never in the URL.
    balance: (pin) => client.voucherBalance(pin),
    redemptionsByOrder: (orderRef) => client.voucherRedemptionsByOrder(orderRef),
  };
}
