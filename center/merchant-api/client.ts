/**
 * A small typed client of the merchant API (`/v1/`), for online shops, the
 * simulator's shop and the tests. Every POST carries an Idempotency-Key
 * (given, or a random UUID) and every retry of that call reuses it, so a
 * request whose answer was lost is never done twice: the retry gets the
 * stored answer. Retried: connection failures and timeouts, 409
 * MERCHANT_IDEMPOTENCY_IN_PROGRESS, 429 (after Retry-After), 5xx. Other
 * answers throw a TesseraError with the server's code and details. The API
 * key is sent only in the Authorization header, never in an error.
 */
import { randomUUID } from 'node:crypto';
import { Agent, fetch } from 'undici';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { NewReconciliationBody } from './api-schemas.js';
import { MERCHANT_LIMITS } from './limits.js';
import type { Reconciliation } from './reconciliations.js';
import type { Page, Payment, Payout, Settlement } from './settlements.js';
import type { BalanceAnswer, Redemption } from '../voucher/api.js';
import type { NewRedemptionBody } from '../voucher/merchant-routes.js';
import type { VoucherStatement } from '../voucher/payouts.js';
import type { PaymentPage, VendorPayment } from '../prepaid/payments.js';
import type { VendorStatement } from '../prepaid/payouts.js';

export interface MerchantClientOptions {
  /** `https://host:port` (or `http://127.0.0.1:port` in tests). */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Extra CA certificate (PEM) to trust, e.g. a test or private CA. */
  readonly ca?: string | Buffer;
  /** Attempts per call, the first included (default MERCHANT_LIMITS.clientAttemptsMax). */
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  readonly clock?: Clock;
}

export interface ListOptions {
  readonly limit?: number;
  readonly cursor?: string;
  readonly state?: string;
  readonly createdFromMs?: number;
  readonly createdToMs?: number;
}

export interface SettlementDetail {
  readonly settlement: Settlement;
  readonly payments: Payment[];
  readonly controlTotals: { recordCount: number; acceptedCount: number; acceptedTotalMinor: number };
  readonly payout: Payout | null;
}

/** What a call answered, with whether it was the stored answer of an earlier request with the same key. */
export interface Answered<T> {
  readonly body: T;
  readonly status: number;
  readonly replayed: boolean;
  /** The Idempotency-Key used (POSTs). */
  readonly idempotencyKey?: string;
  /** How many attempts it took. */
  readonly attempts: number;
}

/** An error answer of the API: its code, message and details, plus the HTTP status. */
export class MerchantApiError extends TesseraError {
  constructor(
    code: string,
    message: string,
    readonly status: number,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details);
  }
}

export class MerchantClient {
  private readonly dispatcher: Agent;
  private readonly base: string;
  private readonly clock: Clock;

  constructor(private readonly o: MerchantClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.clock = o.clock ?? systemClock;
    this.dispatcher = new Agent({ connect: { ...(o.ca !== undefined && { ca: o.ca }) }, keepAliveTimeout: 10_000 });
  }

  async me(): Promise<{ id: string; name: string; shopId: string | null; keyId: string }> {
    return (await this.call<{ id: string; name: string; shopId: string | null; keyId: string }>('GET', '/v1/merchant')).body;
  }

  async settlements(q: ListOptions = {}): Promise<Page<Settlement>> {
    return (await this.call<Page<Settlement>>('GET', `/v1/settlements${query(q)}`)).body;
  }

  async settlement(id: string): Promise<SettlementDetail> {
    return (await this.call<SettlementDetail>('GET', `/v1/settlements/${encodeURIComponent(id)}`)).body;
  }

  async settlementPayout(id: string): Promise<Payout> {
    return (await this.call<Payout>('GET', `/v1/settlements/${encodeURIComponent(id)}/payout`)).body;
  }

  async payouts(q: ListOptions = {}): Promise<Page<Payout>> {
    return (await this.call<Page<Payout>>('GET', `/v1/payouts${query(q)}`)).body;
  }

  /** Every item of a listing, page by page (bounded by `maxPages`). */
  async *all<T>(list: (q: ListOptions) => Promise<Page<T>>, q: ListOptions = {}, maxPages = 1_000): AsyncGenerator<T> {
    let cursor: string | undefined = q.cursor;
    for (let n = 0; n < maxPages; n++) {
      const page: Page<T> = await list({ ...q, ...(cursor !== undefined && { cursor }) });
      yield* page.items;
      if (page.nextCursor === null) return;
      cursor = page.nextCursor;
    }
  }

  /** POST /v1/reconciliations; `idempotencyKey` defaults to a new UUID, reused by every retry of this call. */
  async reconcile(body: NewReconciliationBody, opts: { idempotencyKey?: string } = {}): Promise<Answered<Reconciliation>> {
    return this.call<Reconciliation>('POST', '/v1/reconciliations', body, opts.idempotencyKey ?? randomUUID());
  }

  async reconciliation(id: string): Promise<Reconciliation> {
    return (await this.call<Reconciliation>('GET', `/v1/reconciliations/${encodeURIComponent(id)}`)).body;
  }

  // -- vouchers (seed 002): /v1/vouchers/ ---------------------------------------

  /** GET /v1/vouchers/balance: the PIN goes in the Voucher-Pin header, never in the URL. */
  async voucherBalance(pin: string): Promise<BalanceAnswer> {
    return (await this.call<BalanceAnswer>('GET', '/v1/vouchers/balance', undefined, undefined, { 'voucher-pin': pin })).body;
  }

  /** POST /v1/vouchers/redemptions; the Idempotency-Key (default a new UUID, reused by every retry) is also the redemption key. */
  async redeemVouchers(body: NewRedemptionBody, opts: { idempotencyKey?: string } = {}): Promise<Answered<Redemption>> {
    return this.call<Redemption>('POST', '/v1/vouchers/redemptions', body, opts.idempotencyKey ?? randomUUID());
  }

  /** GET /v1/vouchers/redemptions?orderRef=: this merchant's redemptions for an order reference, newest first (finds a payment whose answer was lost). */
  async voucherRedemptionsByOrder(orderRef: string, o: { limit?: number } = {}): Promise<Redemption[]> {
    const qs = new URLSearchParams({ orderRef, ...(o.limit !== undefined && { limit: String(o.limit) }) });
    return (await this.call<{ orderRef: string; redemptions: Redemption[] }>('GET', `/v1/vouchers/redemptions?${qs.toString()}`)).body.redemptions;
  }

  async voucherRedemption(id: string): Promise<Redemption> {
    return (await this.call<Redemption>('GET', `/v1/vouchers/redemptions/${encodeURIComponent(id)}`)).body;
  }

  /** Captures an authorisation (all of it unless `amount`). */
  async captureVoucherRedemption(id: string, o: { amount?: number; idempotencyKey?: string } = {}): Promise<Answered<Redemption>> {
    return this.call<Redemption>('POST', `/v1/vouchers/redemptions/${encodeURIComponent(id)}/capture`, o.amount === undefined ? {} : { amount: o.amount }, o.idempotencyKey ?? randomUUID());
  }

  async cancelVoucherRedemption(id: string, o: { idempotencyKey?: string } = {}): Promise<Answered<Redemption>> {
    return this.call<Redemption>('POST', `/v1/vouchers/redemptions/${encodeURIComponent(id)}/cancel`, {}, o.idempotencyKey ?? randomUUID());
  }

  /** Refunds `amount` of a captured redemption onto its cards; the Idempotency-Key is the refund id. */
  async refundVoucherRedemption(id: string, amount: number, o: { idempotencyKey?: string } = {}): Promise<Answered<Redemption>> {
    return this.call<Redemption>('POST', `/v1/vouchers/redemptions/${encodeURIComponent(id)}/refunds`, { amount }, o.idempotencyKey ?? randomUUID());
  }

  /** GET /v1/vouchers/statement: captured, refunded, paid out, payable, and the payouts with their reconciliation ids. */
  async voucherStatement(o: { limit?: number } = {}): Promise<VoucherStatement> {
    return (await this.call<VoucherStatement>('GET', `/v1/vouchers/statement${o.limit !== undefined ? `?limit=${o.limit}` : ''}`)).body;
  }

  // -- prepaid vendors (seed 000): /v1/prepaid/ -------------------------------

  /** GET /v1/prepaid/payments/:requestId: the prepaid payment to this vendor the holder's request id names (PREPAID_PAYMENT_UNKNOWN if none). */
  async prepaidPayment(requestId: string): Promise<VendorPayment> {
    return (await this.call<VendorPayment>('GET', `/v1/prepaid/payments/${encodeURIComponent(requestId)}`)).body;
  }

  /** GET /v1/prepaid/payments: this vendor's payments by booking time, with control totals over the filter. */
  async prepaidPayments(q: { fromMs?: number; toMs?: number; limit?: number; after?: string } = {}): Promise<PaymentPage> {
    return (await this.call<PaymentPage>('GET', `/v1/prepaid/payments${query(q)}`)).body;
  }

  /** GET /v1/prepaid/statement: paid, paid out, pending, payable, and the payouts with their reconciliation ids. */
  async prepaidStatement(o: { limit?: number } = {}): Promise<VendorStatement> {
    return (await this.call<VendorStatement>('GET', `/v1/prepaid/statement${o.limit !== undefined ? `?limit=${o.limit}` : ''}`)).body;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** One call with its retries; a POST's Idempotency-Key is the same on every attempt. */
  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string, headers?: Readonly<Record<string, string>>): Promise<Answered<T>> {
    const attemptsMax = this.o.attempts ?? MERCHANT_LIMITS.clientAttemptsMax;
    for (let attempt = 1; ; attempt++) {
      const out = await this.once(method, path, body, idempotencyKey, headers);
      if (out.ok) return { ...out.answer, attempts: attempt, ...(idempotencyKey !== undefined && { idempotencyKey }) } as Answered<T>;
      if (!out.retry || attempt >= attemptsMax) throw out.error;
      const backoff = (this.o.backoffMs ?? MERCHANT_LIMITS.clientBackoffMs) * 2 ** (attempt - 1);
      await this.clock.sleep(Math.max(backoff, out.retryAfterMs ?? 0));
    }
  }

  private async once(
    method: string,
    path: string,
    body: unknown,
    idempotencyKey: string | undefined,
    extraHeaders?: Readonly<Record<string, string>>,
  ): Promise<{ ok: true; answer: { body: unknown; status: number; replayed: boolean } } | { ok: false; retry: boolean; retryAfterMs?: number; error: TesseraError }> {
    let res;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? MERCHANT_LIMITS.clientTimeoutMs),
        headers: {
          authorization: `Bearer ${this.o.apiKey}`,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(idempotencyKey !== undefined && { 'idempotency-key': idempotencyKey }),
          ...extraHeaders,
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (e) {
      // The cause names the socket error; the key is only in a header and never in this error.
      const cause = e instanceof Error && e.cause instanceof Error ? (e.cause as Error & { code?: string }).code ?? e.cause.name : e instanceof Error ? e.name : 'error';
      return { ok: false, retry: true, error: new TesseraError('MERCHANT_UNAVAILABLE', `${method} ${path}: no answer`, { reason: String(cause) }) };
    }
    const text = await res.text().catch(() => '');
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      return { ok: false, retry: res.status >= 500, error: new TesseraError('MERCHANT_BAD_RESPONSE', `${method} ${path}: answer is not JSON`, { status: res.status }) };
    }
    if (res.ok) return { ok: true, answer: { body: json, status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true' } };
    const err = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    if (typeof err?.code !== 'string') {
      return { ok: false, retry: res.status >= 500, error: new TesseraError('MERCHANT_BAD_RESPONSE', `${method} ${path}: HTTP ${res.status} without a coded error`, { status: res.status }) };
    }
    const error = new MerchantApiError(err.code, String(err.message ?? ''), res.status, (err.details as Record<string, unknown> | undefined) ?? {});
    const retryAfterS = Number(res.headers.get('retry-after'));
    const retryAfterMs = Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : undefined;
    const retry = res.status >= 500 || res.status === 429 || err.code === 'MERCHANT_IDEMPOTENCY_IN_PROGRESS';
    if (retryAfterMs !== undefined && retryAfterMs > MERCHANT_LIMITS.clientRetryAfterMsMax) return { ok: false, retry: false, error };
    return { ok: false, retry, ...(retryAfterMs !== undefined && { retryAfterMs }), error };
  }
}

function query(q: ListOptions): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s.length > 0 ? `?${s}` : '';
}
