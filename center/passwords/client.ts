/**
 * The typed client of the passwords' merchant routes (/v1/passwords/), on
 * top of the merchant API's client (its retries, and one Idempotency-Key per
 * call reused by every retry: a redemption whose answer was lost is never
 * done twice). For online shops, the simulator's web shop and the tests.
 */
import { randomUUID } from 'node:crypto';
import type { Answered, MerchantClient } from '../merchant-api/client.js';
import type { PresentedPassword } from './present.js';
import type { PasswordView, RedemptionView } from './redeem.js';

export interface RedeemBody {
  readonly amountMinor: number;
  readonly currency: string;
  /** Default true: a sale. */
  readonly capture?: boolean;
  readonly goods?: readonly string[];
  readonly user?: string;
  readonly captureWithinMs?: number;
}

/** `requestId`: the shop's request id (sent as the Idempotency-Key); reuse it to retry the same request. */
export interface RequestOptions {
  readonly requestId?: string;
}

export class PasswordsClient {
  constructor(private readonly merchant: MerchantClient) {}

  verify(presented: PresentedPassword, o: RequestOptions = {}): Promise<Answered<PasswordView>> {
    return this.merchant.call<PasswordView>('POST', '/v1/passwords/verify', presented, o.requestId ?? randomUUID());
  }

  redeem(presented: PresentedPassword, body: RedeemBody, o: RequestOptions = {}): Promise<Answered<RedemptionView>> {
    return this.merchant.call<RedemptionView>('POST', '/v1/passwords/redemptions', { ...presented, ...body }, o.requestId ?? randomUUID());
  }

  async redemption(id: string): Promise<RedemptionView> {
    return (await this.merchant.call<RedemptionView>('GET', `/v1/passwords/redemptions/${encodeURIComponent(id)}`)).body;
  }

  capture(id: string, amountMinor?: number, o: RequestOptions = {}): Promise<Answered<RedemptionView>> {
    return this.merchant.call<RedemptionView>('POST', `/v1/passwords/redemptions/${encodeURIComponent(id)}/capture`, amountMinor === undefined ? {} : { amountMinor }, o.requestId ?? randomUUID());
  }

  cancel(id: string, o: RequestOptions = {}): Promise<Answered<RedemptionView>> {
    return this.merchant.call<RedemptionView>('POST', `/v1/passwords/redemptions/${encodeURIComponent(id)}/cancel`, {}, o.requestId ?? randomUUID());
  }

  refund(id: string, amountMinor: number, o: RequestOptions = {}): Promise<Answered<RedemptionView & { refundId: string; restored: boolean }>> {
    return this.merchant.call('POST', `/v1/passwords/redemptions/${encodeURIComponent(id)}/refunds`, { amountMinor }, o.requestId ?? randomUUID());
  }
}
