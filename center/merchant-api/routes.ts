/**
 * The merchant API's routes under `/v1/`, as a fastify plugin: every request
 * is authenticated by its API key (`Authorization: Bearer tsk_…`) and
 * counted against that key's rate limit before anything else (its body is
 * not even parsed otherwise); every POST is idempotent by its
 * `Idempotency-Key` (idempotent-route.ts).
 *
 *   GET  /v1/merchant                       who the key belongs to
 *   GET  /v1/settlements                    the merchant's settlements, paged, with control totals
 *   GET  /v1/settlements/:id                one, with its payments (records) and control totals
 *   GET  /v1/settlements/:id/payout         the bank transfer that paid it
 *   GET  /v1/payouts                        the merchant's payouts, paged, with control totals
 *   POST /v1/reconciliations                the merchant's control totals compared with the center's
 *   GET  /v1/reconciliations/:id
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, type BearerAuth } from '../http/app.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { SqlExecutor, Storage } from '../storage/types.js';
import * as S from './api-schemas.js';
import type { IdempotencyStore } from './idempotency.js';
import { idempotentHandler, requireIdempotencyKey } from './idempotent-route.js';
import type { Merchant, MerchantPrincipal, MerchantRegistry } from './merchants.js';
import type { KeyRateLimiter } from './rate-limit.js';
import type { MerchantRouteContribution } from './route-contributions.js';
import { createReconciliation, loadReconciliation } from './reconciliations.js';
import { ListingCache } from './listing-cache.js';
import { MERCHANT_LIMITS } from './limits.js';
import { EmoneyPresence, ensureShopIndex, listBatches, listRowOf, loadMerchantBatch, paymentsOf, payoutOf, settlementOf, statesFor, type BatchListRow, type ListQuery, type Page } from './settlements.js';
import { shopVersion } from './shop-totals.js';

export interface MerchantRoutesOptions {
  readonly storage: Storage;
  readonly merchants: MerchantRegistry;
  readonly idempotency: IdempotencyStore;
  readonly limiter: KeyRateLimiter;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  /** Other modules' routes (route-contributions.ts), registered in this plugin: same auth, rate limit and answers. */
  readonly contributions?: readonly MerchantRouteContribution[];
}

/** The authenticated caller (set by the HTTP surface's bearer auth, merchantAuth below). */
export function principal(req: FastifyRequest): MerchantPrincipal {
  const p = req.principal as MerchantPrincipal | null;
  if (!p) throw new Error('merchant route without bearer auth');
  return p;
}

/** The HTTP surface's bearer auth for the merchant listener: API keys, any key may call any /v1/ route of its merchant. */
export function merchantAuth(merchants: MerchantRegistry): BearerAuth<MerchantPrincipal> {
  // A key verified within the TTL is answered without a promise (MerchantRegistry.authenticateCached).
  return { verify: (token) => merchants.authenticateCached(token) ?? merchants.authenticate(token), allows: () => true };
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const notFound = (what: string): TesseraError => new TesseraError('MERCHANT_NOT_FOUND', `no such ${what} for this merchant`);

export const merchantRoutes: FastifyPluginAsyncZod<MerchantRoutesOptions> = async (app, o) => {
  const emoney = new EmoneyPresence(o.storage);
  /** Whether the shops' control totals are maintained (shop-totals.ts): the e-money tables were there at start. */
  const maintained = await ensureShopIndex(o.storage, emoney);
  /** The merchant as the settlement queries see it: no shop when the center has no e-money tables. */
  const shopView = async (req: FastifyRequest, q?: SqlExecutor): Promise<Merchant> => {
    const m = principal(req).merchant;
    return (await emoney.installed(q)) ? m : { ...m, shopId: null };
  };
  // After the surface's bearer auth (a root hook): each key has its own budget, spent only once authenticated.
  // A callback hook: every request runs it, and an async hook costs a promise and a microtask.
  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions;
    if (route.url === undefined || route.config.public === true) return done();
    const p = principal(req);
    const waitMs = o.limiter.take(p.keyId);
    if (waitMs > 0) {
      o.log.warn({ keyId: p.keyId, merchant: p.merchant.name }, 'merchant API rate limit: MERCHANT_RATE_LIMITED');
      return done(new TesseraError('MERCHANT_RATE_LIMITED', 'rate limit of this API key exceeded', {
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), max: o.limiter.opts.max, windowMs: o.limiter.opts.windowMs,
      }));
    }
    done();
  });
  app.get('/v1/merchant', { schema: { summary: 'The merchant the API key belongs to', response: { 200: S.me, ...errorResponses } } }, async (req) => {
    const p = principal(req);
    return { id: p.merchant.id, name: p.merchant.name, shopId: p.merchant.shopId, keyId: p.keyId };
  });

  /**
   * Listing answers by shop and query, as the JSON sent (serialised by the
   * route's response schema once), served again while the shop's batches are
   * unchanged (listing-cache.ts).
   */
  const listings = new ListingCache<string>(MERCHANT_LIMITS.listingCacheEntriesMax);
  const listing = async <T>(kind: 'settlements' | 'payouts', req: FastifyRequest, reply: FastifyReply, query: ListQuery, items: (rows: BatchListRow[]) => T[]): Promise<FastifyReply> => {
    // The stamp before anything is read: an answer confirmed after it is served again only while nobody committed since.
    const stamp = o.storage.changeStamp?.();
    const m = emoney.seen ? principal(req).merchant : await shopView(req);
    const cached = maintained && m.shopId !== null;
    const key = cached ? `${kind}\n${m.shopId}\n${query.limit}\n${query.state ?? ''}\n${query.createdFromMs ?? ''}\n${query.createdToMs ?? ''}\n${query.cursor ?? ''}` : '';
    const fresh = cached ? listings.fresh(key, stamp) : undefined;
    // A string with a JSON content type is sent as it is (already serialised by the schema).
    if (fresh !== undefined) return reply.type(JSON_CONTENT_TYPE).send(fresh);
    const states = statesFor(kind, query.state);
    const json = async (q: SqlExecutor): Promise<string> => {
      const r = await listBatches(q, m, query, states, maintained);
      const page: Page<T> = { items: items(r.rows), nextCursor: r.nextCursor, controlTotals: r.controlTotals };
      return String(reply.serialize(page));
    };
    const body = await o.storage.read(async (q) => {
      if (!cached) return json(q);
      // The version first: the answer, read after it, shows that state or a later one.
      const version = await shopVersion(q, m.shopId!);
      const hit = listings.get(key, version, stamp);
      if (hit !== undefined) return hit;
      const answer = await json(q);
      listings.set(key, version, answer, stamp);
      return answer;
    });
    return reply.type(JSON_CONTENT_TYPE).send(body);
  };

  app.get(
    '/v1/settlements',
    { schema: { summary: 'The merchant\'s settlements (oldest first) with control totals over the filter', querystring: S.settlementsQuery, response: { 200: S.page(S.settlement), ...errorResponses } } },
    async (req, reply) => listing('settlements', req, reply, req.query, (rows) => rows.map(settlementOf)),
  );

  app.get(
    '/v1/settlements/:id',
    { schema: { summary: 'One settlement with its payments and control totals', params: S.idParam, response: { 200: S.settlementDetail, ...errorResponses } } },
    async (req) => {
      const m = await shopView(req);
      const b = await o.storage.read((q) => loadMerchantBatch(q, m, req.params.id));
      if (!b) throw notFound('settlement');
      const payments = paymentsOf(b);
      const accepted = payments.filter((p) => p.status === 'accepted');
      return {
        settlement: settlementOf(listRowOf(b, payments.length)),
        payments,
        controlTotals: { recordCount: payments.length, acceptedCount: accepted.length, acceptedTotalMinor: accepted.reduce((s, p) => s + p.amountMinor, 0) },
        payout: payoutOf(b),
      };
    },
  );

  app.get(
    '/v1/settlements/:id/payout',
    { schema: { summary: 'The bank transfer that pays the settlement', params: S.idParam, response: { 200: S.payout, ...errorResponses } } },
    async (req) => {
      const m = await shopView(req);
      const b = await o.storage.read((q) => loadMerchantBatch(q, m, req.params.id));
      const p = b && payoutOf(b);
      if (!p) throw notFound('payout');
      return p;
    },
  );

  app.get(
    '/v1/payouts',
    { schema: { summary: 'The merchant\'s payouts (bank transfers) with control totals over the filter', querystring: S.payoutsQuery, response: { 200: S.page(S.payout), ...errorResponses } } },
    async (req, reply) => listing('payouts', req, reply, req.query, (rows) => rows.map(payoutOf).filter((p) => p !== null)),
  );

  app.post(
    '/v1/reconciliations',
    {
      schema: {
        summary: 'Compare the merchant\'s control totals for settlements with the center\'s (idempotent: Idempotency-Key)',
        headers: S.idempotencyHeaders,
        body: S.newReconciliation,
        response: { 201: S.reconciliation, ...errorResponses },
      },
      preValidation: requireIdempotencyKey,
    },
    idempotentHandler(
      o.idempotency,
      (req) => principal(req).merchant.id,
      async (req, tx) => ({ status: 201, body: await createReconciliation(tx, await shopView(req, tx), req.body as S.NewReconciliationBody, o.clock, o.random) }),
    ),
  );

  app.get(
    '/v1/reconciliations/:id',
    { schema: { summary: 'One reconciliation', params: S.idParam, response: { 200: S.reconciliation, ...errorResponses } } },
    async (req) => {
      const r = await o.storage.read((q) => loadReconciliation(q, principal(req).merchant, req.params.id));
      if (!r) throw notFound('reconciliation');
      return r;
    },
  );

  for (const c of o.contributions ?? []) await c.routes(app, { idempotency: o.idempotency, merchants: o.merchants, principal });
};
