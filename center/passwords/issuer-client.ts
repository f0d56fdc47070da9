/**
 * The typed client of the TTP's issuer routes (/v1/issuer/, issuer-routes.ts)
 * on top of the merchant API's client (its retries; a POST's Idempotency-Key
 * is the same on every retry). For the credit company (sim/credit/) and tests.
 * The issue's request id is the issuer's own, chosen before the call and kept
 * in its journal: after a lost answer (or a crash) it asks again with the same
 * id and gets the same password.
 */
import { randomUUID } from 'node:crypto';
import type { Answered, MerchantClient } from '../merchant-api/client.js';
import type { IssueBody } from './issuer-routes.js';
import type { IssuerDailyFile, IssuerReturnsPage } from './issuer.js';
import type { PasswordView } from './redeem.js';

export interface IssuedAnswer {
  readonly serial: string;
  readonly state: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly expiresAtMs: number;
  readonly issuedAtMs: number;
  readonly token: string | null;
  readonly replayed: boolean;
}

export type IssuerPasswordView = PasswordView & { requestId: string; issuedAtMs: number; returnedMinor: number; reason: string | null };

export class IssuerClient {
  constructor(private readonly merchant: MerchantClient) {}

  issue(requestId: string, body: IssueBody): Promise<Answered<IssuedAnswer>> {
    return this.merchant.call<IssuedAnswer>('POST', '/v1/issuer/passwords', body, requestId);
  }

  async password(serial: string): Promise<IssuerPasswordView> {
    return (await this.merchant.call<IssuerPasswordView>('GET', `/v1/issuer/passwords/${encodeURIComponent(serial)}`)).body;
  }

  revoke(serial: string, o: { requestId?: string } = {}): Promise<Answered<IssuerPasswordView>> {
    return this.merchant.call<IssuerPasswordView>('POST', `/v1/issuer/passwords/${encodeURIComponent(serial)}/revoke`, {}, o.requestId ?? randomUUID());
  }

  /** A lost phone: revokes every live password of this issuer bound to the device key (64 hex). */
  revokeDevice(deviceKey: string, o: { requestId?: string } = {}): Promise<Answered<{ deviceKey: string; count: number; returnedMinor: number; serials: string[] }>> {
    return this.merchant.call('POST', `/v1/issuer/devices/${encodeURIComponent(deviceKey)}/revoke`, {}, o.requestId ?? randomUUID());
  }

  async returns(o: { after?: string | null; limit?: number } = {}): Promise<IssuerReturnsPage> {
    const p = new URLSearchParams();
    if (o.after) p.set('after', o.after);
    if (o.limit !== undefined) p.set('limit', String(o.limit));
    const qs = p.toString();
    return (await this.merchant.call<IssuerReturnsPage>('GET', `/v1/issuer/returns${qs ? `?${qs}` : ''}`)).body;
  }

  async dailyFile(day: string): Promise<IssuerDailyFile> {
    return (await this.merchant.call<IssuerDailyFile>('GET', `/v1/issuer/daily-files/${encodeURIComponent(day)}`)).body;
  }
}
