/**
 * The voucher routes of the merchant API (`/v1/vouchers/...`), contributed
 * to its /v1/ plugin (center/merchant-api/route-contributions.ts): API-key
 * auth, the per-key rate limit and coded error answers are the merchant
 * API's; every POST runs through its idempotency store in the same unit of
 * work as the voucher step (the engine's `*In(tx)` methods).
 *
 *   GET  /v1/vouchers/balance                     PIN in the `Voucher-Pin` header (never in a URL, never logged)
 *   POST /v1/vouchers/redemptions                 one or more PINs, amount, order reference; Idempotency-Key = the redemption key
 *   GET  /v1/vouchers/redemptions?orderRef=... the caller's own redemptions for that order reference, newest first (a shop finding a payment whose answer it lost)
 *   GET  /v1/vouchers/redemptions/:id
 *   POST /v1/vouchers/redemptions/:id/capture     { amount? } (default: the whole authorisation)
 *   POST /v1/vouchers/redemptions/:id/cancel
 *   POST /v1/vouchers/redemptions/:id/refunds     { amount }; Idempotency-Key = the refund id
 *   GET  /v1/vouchers/statement                   captured, refunded, paid out, pending, payable; the payouts with their reconciliation ids
 *
 * A refused PIN (VOUCHER_PIN_REFUSED) is counted against the API key and the
 * caller's address after the request's unit rolled back (engine.noteRefusal).
 * A redemption's checks outside the unit (PIN forms, lockout, the validity
 * gate: prepareRedemption) run before the idempotency store is asked, so a
 * retry from a key locked out meanwhile gets VOUCHER_LOCKED_OUT rather than
 * the stored answer; the engine's own redemption key still makes a later
 * retry answer the first redemption, never a second one.
 */
import { bankPayoutViewSchema } from '../relay/bank-payouts.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorResponses } from '../http/app.js';
import { idempotentHandler, requireIdempotencyKey } from '../merchant-api/idempotent-route.js';
import type { MerchantRouteContext, MerchantRouteContribution } from '../merchant-api/route-contributions.js';
import type { RedeemSource } from './api.js';
import { VOUCHER_ERRORS } from './errors.js';
import { VOUCHER_LIMITS } from './limits.js';
import { CARD_STATE_LIST, REDEMPTION_STATE_LIST } from './rows.js';
import type { Vouchers } from './vouchers.js';

/** The header carrying a PIN to the balance route. */
export const PIN_HEADER = 'voucher-pin';

const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 alpha code, e.g. JPY');

export const balanceSchema = z.object({
  serialLast4: z.string(),
  state: z.enum(CARD_STATE_LIST),
  balance: minor,
  currency: z.string(),
  expiresAtMs: minor,
});

export const redemptionSchema = z.object({
  redemptionId: z.string(),
  merchantId: z.string(),
  orderRef: z.string(),
  state: z.enum(REDEMPTION_STATE_LIST),
  amount: minor,
  captured: minor,
  refunded: minor,
  currency: z.string(),
  authExpiresAtMs: minor.nullable(),
  cards: z.array(z.object({ serialLast4: z.string(), taken: minor, remaining: minor })).readonly(),
});

export const newRedemptionSchema = z
  .object({
    pins: z.array(z.string().max(64)).min(1).max(100).describe('The PINs under the scratch-off panels (16 digits each); at most VOUCHER_LIMITS.cardsPerRedemptionMax are accepted.'),
    amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    currency: currency.default('JPY'),
    orderRef: z.string().min(1).max(64).describe("The shop's order reference (printable ASCII)."),
    capture: z.boolean().default(true).describe('true: pay now; false: authorise now, capture (or cancel) later; an authorisation expires by itself.'),
  })
  .strict();

const payoutSchema = bankPayoutViewSchema;
export const statementSchema = z.object({
  merchantId: z.string(),
  currency: z.string(),
  capturedMinor: minor,
  refundedMinor: minor,
  paidOutMinor: minor,
  pendingMinor: minor,
  payableMinor: z.number().int(),
  payouts: z.array(payoutSchema).readonly(),
});
const statementQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

export const redemptionsByOrderQuery = z
  .object({
    orderRef: z.string().regex(/^[\x21-\x7e]{1,64}$/, '1-64 printable ASCII characters').describe("The shop's order reference, as sent with the redemption."),
    limit: z.coerce.number().int().min(1).max(VOUCHER_LIMITS.redemptionsByOrderMax).default(VOUCHER_LIMITS.redemptionsByOrderDefault),
  })
  .strict();
export const redemptionListSchema = z.object({ orderRef: z.string(), redemptions: z.array(redemptionSchema).readonly() });

const captureSchema = z.object({ amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional() }).strict();
const refundSchema = z.object({ amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }).strict();
const idParam = z.object({ id: z.string().max(64) }).strict();
const pinHeaders = z.object({ [PIN_HEADER]: z.string().max(64).describe('The PIN (16 digits). A header, so it is never in a URL or an access log.') });
const idempotencyHeaders = z.object({ 'idempotency-key': z.string().max(255).describe('The request\'s idempotency key (1-255 printable ASCII).') });

export type NewRedemptionBody = z.input<typeof newRedemptionSchema>;

/** The codes these routes answer (all have an HTTP status). */
const ANSWERS = Object.entries(VOUCHER_ERRORS as Record<string, { http?: number }>).filter(([, s]) => s.http !== undefined).map(([c]) => c);

export function voucherMerchantRoutes(vouchers: Vouchers): MerchantRouteContribution {
  return { name: 'voucher', answers: ANSWERS, routes: (app, ctx) => routes(app, ctx, vouchers) };
}

function routes(app: Parameters<MerchantRouteContribution['routes']>[0], ctx: MerchantRouteContext, vouchers: Vouchers): void {
  const sourceOf = (req: FastifyRequest): RedeemSource => {
    const p = ctx.principal(req);
    return { merchantId: p.merchant.id, keyId: p.keyId, address: req.ip };
  };
  const merchantOf = (req: FastifyRequest): string => ctx.principal(req).merchant.id;
  /** A handler whose refused PINs are counted (after its unit of work rolled back). */
  const counted = <R extends FastifyRequest, B>(h: (req: R, reply: FastifyReply) => Promise<B>) => async (req: R, reply: FastifyReply): Promise<B> => {
    try {
      return await h(req, reply);
    } catch (e) {
      await vouchers.noteRefusal(sourceOf(req), e);
      throw e;
    }
  };

  app.get(
    '/v1/vouchers/balance',
    { schema: { summary: 'A voucher\'s balance and state, by its PIN (in the Voucher-Pin header)', headers: pinHeaders, response: { 200: balanceSchema, ...errorResponses } } },
    // balance() counts its own refusals (it is not inside a route's unit of work).
    async (req) => vouchers.balance(sourceOf(req), String(req.headers[PIN_HEADER])),
  );

  app.post(
    '/v1/vouchers/redemptions',
    {
      schema: {
        summary: 'Pay with one or more vouchers, all or nothing (idempotent: Idempotency-Key is the redemption key)',
        headers: idempotencyHeaders,
        body: newRedemptionSchema,
        response: { 201: redemptionSchema, ...errorResponses },
      },
      preValidation: requireIdempotencyKey,
    },
    counted(async (req, reply) => {
      const body = req.body as z.output<typeof newRedemptionSchema>;
      const prepared = await vouchers.prepareRedemption({
        source: sourceOf(req), redemptionKey: String(req.headers['idempotency-key']), pins: body.pins, amount: body.amount, currency: body.currency, orderRef: body.orderRef, capture: body.capture,
      });
      return idempotentHandler(ctx.idempotency, merchantOf, async (_r, tx) => ({ status: 201, body: await vouchers.redeemIn(tx, prepared) }))(req, reply);
    }),
  );

  app.get(
    '/v1/vouchers/redemptions',
    {
      schema: {
        summary: "The caller's own redemptions for one order reference, newest first (another merchant's are never listed)",
        querystring: redemptionsByOrderQuery,
        response: { 200: redemptionListSchema, ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query as z.output<typeof redemptionsByOrderQuery>;
      return { orderRef: q.orderRef, redemptions: await vouchers.redemptionsByOrder(merchantOf(req), q.orderRef, q.limit) };
    },
  );

  app.get(
    '/v1/vouchers/redemptions/:id',
    { schema: { summary: 'One redemption with each card\'s remaining balance', params: idParam, response: { 200: redemptionSchema, ...errorResponses } } },
    async (req) => vouchers.redemption(merchantOf(req), (req.params as { id: string }).id),
  );

  app.post(
    '/v1/vouchers/redemptions/:id/capture',
    {
      schema: { summary: 'Capture an authorisation, whole or in part (the rest goes back to the cards)', headers: idempotencyHeaders, params: idParam, body: captureSchema, response: { 200: redemptionSchema, ...errorResponses } },
      preValidation: requireIdempotencyKey,
    },
    idempotentHandler(ctx.idempotency, merchantOf, async (req, tx) => ({
      status: 200,
      body: await vouchers.captureIn(tx, merchantOf(req), (req.params as { id: string }).id, (req.body as z.output<typeof captureSchema> | undefined)?.amount),
    })),
  );

  app.post(
    '/v1/vouchers/redemptions/:id/cancel',
    {
      schema: { summary: 'Cancel an authorisation: its value goes back to the cards', headers: idempotencyHeaders, params: idParam, response: { 200: redemptionSchema, ...errorResponses } },
      preValidation: requireIdempotencyKey,
    },
    idempotentHandler(ctx.idempotency, merchantOf, async (req, tx) => ({ status: 200, body: await vouchers.cancelIn(tx, merchantOf(req), (req.params as { id: string }).id) })),
  );

  app.get(
    '/v1/vouchers/statement',
    { schema: { summary: 'The shop\'s voucher statement: captured, refunded, paid out, pending, payable, and its payouts (newest first)', querystring: statementQuery, response: { 200: statementSchema, ...errorResponses } } },
    async (req) => vouchers.statement(merchantOf(req), (req.query as z.output<typeof statementQuery>).limit),
  );

  app.post(
    '/v1/vouchers/redemptions/:id/refunds',
    {
      schema: {
        summary: 'Refund (part of) a captured redemption back onto its cards (Idempotency-Key is the refund id)',
        headers: idempotencyHeaders,
        params: idParam,
        body: refundSchema,
        response: { 201: redemptionSchema, ...errorResponses },
      },
      preValidation: requireIdempotencyKey,
    },
    idempotentHandler(ctx.idempotency, merchantOf, async (req, tx) => ({
      status: 201,
      body: await vouchers.refundIn(tx, merchantOf(req), (req.params as { id: string }).id, { refundId: String(req.headers['idempotency-key']), amount: (req.body as z.output<typeof refundSchema>).amount }),
    })),
  );
}
