/**
 * The prepaid routes of the merchant API (`/v1/prepaid/...`), contributed to
 * its /v1/ plugin (center/merchant-api/route-contributions.ts): API-key
 * auth, the per-key rate limit and coded error answers are the merchant
 * API's. A vendor (prepaid.vendors maps a merchant to its vendor id) checks
 * that a holder paid it before it hands over a receipt, and reconciles its
 * payouts; it sees only its own payments:
 *
 *   GET /v1/prepaid/payments/:requestId     one payment to this vendor (the request id the holder's client gives)
 *   GET /v1/prepaid/payments?fromMs=&toMs=&limit=&after=   its payments by booking time, with control totals
 *   GET /v1/prepaid/statement?limit=        paid, paid out, pending, payable, and its payouts (reconciliation ids)
 *
 * A merchant that is not a vendor is PREPAID_VENDOR_UNKNOWN (403); a request
 * id that is not a payment to this vendor (none, or another vendor's) is
 * PREPAID_PAYMENT_UNKNOWN (404), the same answer either way.
 */
import { bankPayoutViewSchema } from '../relay/bank-payouts.js';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorResponses } from '../http/app.js';
import type { MerchantApp, MerchantRouteContext, MerchantRouteContribution } from '../merchant-api/route-contributions.js';
import type { Storage } from '../storage/types.js';
import { PREPAID_ERRORS, prepaidError } from './errors.js';
import { PREPAID_LIMITS as L } from './limits.js';
import { vendorPayment, vendorPayments } from './payments.js';
import type { PrepaidPayouts } from './payouts.js';

const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const vendorPaymentSchema = z.object({
  requestId: z.string().describe('the prepaid use\'s request id (32 hex)'),
  vendorId: z.string(),
  amountMinor: minor,
  currency: z.string(),
  paidAtMs: minor.describe('when the prepaid center booked it'),
});
const paymentsPage = z.object({
  items: z.array(vendorPaymentSchema).readonly(),
  nextCursor: z.string().nullable(),
  controlTotals: z.object({ count: minor, totalMinor: minor }),
});
const paymentsQuery = z
  .object({
    fromMs: z.coerce.number().int().min(0).optional().describe('booked at or after (ms since the epoch)'),
    toMs: z.coerce.number().int().min(0).optional().describe('booked before (ms since the epoch)'),
    limit: z.coerce.number().int().min(1).max(L.paymentsPageMax).default(L.paymentsPageDefault),
    after: z.string().max(64).optional().describe('the nextCursor of the previous page'),
  })
  .strict();
const requestIdParam = z.object({ requestId: z.string().regex(/^[0-9a-f]{32}$/, 'a request id: 32 lowercase hex') }).strict();
const payoutSchema = bankPayoutViewSchema;
export const vendorStatementSchema = z.object({
  vendorId: z.string(),
  currency: z.string(),
  paymentsCount: minor,
  paidMinor: minor,
  paidOutMinor: minor,
  pendingMinor: minor,
  payableMinor: z.number().int(),
  payouts: z.array(payoutSchema).readonly(),
});
const statementQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

/** The error codes these routes answer (every PREPAID_ code with an http status). */
const ANSWERS = Object.entries(PREPAID_ERRORS as Record<string, { http?: number }>).filter(([, spec]) => spec.http !== undefined).map(([c]) => c);

export interface PrepaidMerchantDeps {
  readonly storage: Storage;
  readonly currency: string;
  /** Merchant name → vendor id (prepaid.vendors). */
  readonly vendorOfMerchant: ReadonlyMap<string, string>;
  readonly payouts: PrepaidPayouts;
}

export function prepaidMerchantRoutes(d: PrepaidMerchantDeps): MerchantRouteContribution {
  return { name: 'prepaid', answers: ANSWERS, routes: (app, ctx) => routes(app, ctx, d) };
}

function routes(app: MerchantApp, ctx: MerchantRouteContext, d: PrepaidMerchantDeps): void {
  const vendorOf = (req: FastifyRequest): string => {
    const m = ctx.principal(req).merchant;
    const v = d.vendorOfMerchant.get(m.name);
    if (v === undefined) throw prepaidError('PREPAID_VENDOR_UNKNOWN', 'this merchant is not a prepaid vendor', { merchant: m.name });
    return v;
  };

  app.get(
    '/v1/prepaid/payments/:requestId',
    { schema: { summary: 'One prepaid payment to this vendor, by the request id the holder gives', params: requestIdParam, response: { 200: vendorPaymentSchema, ...errorResponses } } },
    async (req) => {
      const vendorId = vendorOf(req);
      return d.storage.read((q) => vendorPayment(q, vendorId, (req.params as z.output<typeof requestIdParam>).requestId, d.currency));
    },
  );

  app.get(
    '/v1/prepaid/payments',
    { schema: { summary: 'This vendor\'s prepaid payments by booking time (oldest first), with control totals over the filter', querystring: paymentsQuery, response: { 200: paymentsPage, ...errorResponses } } },
    async (req) => {
      const vendorId = vendorOf(req);
      const q = req.query as z.output<typeof paymentsQuery>;
      return d.storage.read((x) => vendorPayments(x, vendorId, d.currency, q));
    },
  );

  app.get(
    '/v1/prepaid/statement',
    { schema: { summary: 'This vendor\'s prepaid statement: paid, paid out, pending, payable, and its payouts (newest first)', querystring: statementQuery, response: { 200: vendorStatementSchema, ...errorResponses } } },
    async (req) => d.payouts.statement(vendorOf(req), (req.query as z.output<typeof statementQuery>).limit),
  );
}
