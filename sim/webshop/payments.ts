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
}

const path = (id: string, step: string): string => `/v1/vouchers/redemptions/${encodeURIComponent(id)}/${step}`;

/** The merchant API's voucher routes (`/v1/vouchers/...`) through the client's one call path (retries, keys, coded errors). */
export function merchantVoucherPayments(client: MerchantClient): VoucherPayments {
  return {
    redeem: (o, key) => client.call<Redemption>('POST', '/v1/vouchers/redemptions', { pins: o.pins, amount: o.amount, currency: o.currency, orderRef: o.orderRef, capture: o.capture }, key),
    capture: async (id, amount, key) => (await client.call<Redemption>('POST', path(id, 'capture'), amount === undefined ? {} : { amount }, key)).body,
    cancel: async (id, key) => (await client.call<Redemption>('POST', path(id, 'cancel'), {}, key)).body,
    refund: async (id, amount, key) => (await client.call<Redemption>('POST', path(id, 'refunds'), { amount }, key)).body,
    // The PIN goes in a POST body, never in a URL (URLs end up in access logs).
    balance: async (pin) => (await client.call<BalanceAnswer>('POST', '/v1/vouchers/balance', { pin })).body,
  };
}
