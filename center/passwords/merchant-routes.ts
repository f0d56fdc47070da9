/**
 * The passwords' merchant routes on the merchant API's listener (its API-key
 * auth, per-key rate limit and idempotency store: center/merchant-api/):
 *
 *   POST /v1/passwords/verify                         the password behind a code or QR: terms and value left
 *   POST /v1/passwords/redemptions                    reserve (capture: false) or sell (capture: true, default)
 *   GET  /v1/passwords/redemptions/:id                one redemption of this merchant
 *   POST /v1/passwords/redemptions/:id/capture        capture (part of) a reservation
 *   POST /v1/passwords/redemptions/:id/cancel         release a reservation
 *   POST /v1/passwords/redemptions/:id/refunds        give captured value back
 *   GET  /v1/passwords/statement                      captured, refunded, paid out, pending, payable; payouts (reconciliation ids), latest sales
 *   GET  /v1/passwords/daily-file?day=YYYY-MM-DD      the TTP's daily file for this shop: lines and control totals
 *
 * Every POST takes an Idempotency-Key; for redemptions and refunds it is also
 * the shop's request id the password core is idempotent by. Lookups (verify,
 * redemptions) are refused while the API key is locked out for guessing
 * (lockout.ts), and each failed lookup counts against that key (not the
 * client address: other shops may share it).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { errorResponses } from '../http/app.js';
import { idempotentHandler, requireIdempotencyKey } from '../merchant-api/idempotent-route.js';
import type { MerchantApp, MerchantRouteContext, MerchantRouteContribution } from '../merchant-api/route-contributions.js';
import { PWTOKEN_ERRORS } from '../../protocol/password/errors.js';
import { PASSWORD_ERRORS } from './errors.js';
import { PASSWORDS_LIMITS as L } from './limits.js';
import type { Passwords } from './passwords.js';
import type { PresentedPassword, ShopRef } from './present.js';

const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 alpha code, e.g. JPY');
const minor = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const presented = {
  code: z.string().min(1).max(40).optional().describe('the code as the customer typed it (16 base32 characters or 16 digits; spaces and dashes ignored)'),
  qr: z.string().min(1).max(1024).optional().describe('the QR text as scanned (TPQ1:...)'),
};
const idem = z.object({ 'idempotency-key': z.string().min(1).max(L.requestIdCharsMax).describe('unique per operation; the redemption or refund request id') });
const idParam = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'a redemption id') }).strict();

const passwordView = z.object({
  serial: z.string(), state: z.string(), spendable: z.boolean(), amountMinor: z.number().int(), remainingMinor: z.number().int(), currency: z.string(),
  expiresAtMs: z.number().int(), partial: z.boolean(), binding: z.enum(['bearer', 'device', 'keypad']),
  payee: z.object({ kind: z.enum(['shop', 'category']), id: z.string() }).nullable(), goods: z.array(z.string()), userRestricted: z.boolean(),
});
const redemptionView = z.object({
  id: z.string(), serial: z.string(), state: z.enum(['reserved', 'captured', 'cancelled', 'released']), amountMinor: z.number().int(), capturedMinor: z.number().int(),
  refundedMinor: z.number().int(), currency: z.string(), deadlineAtMs: z.number().int(), remainingMinor: z.number().int(),
});
const refundView = redemptionView.extend({ refundId: z.string(), restored: z.boolean() });
const int = z.number().int();
const statementView = z.object({
  merchantId: z.string(), capturedMinor: int, refundedMinor: int, paidOutMinor: int, pendingMinor: int, payableMinor: int,
  payouts: z.array(z.object({ payoutId: z.string(), state: z.enum(['pending', 'paid', 'failed']), amountMinor: int, currency: z.string(), bankCode: z.string(), transferId: z.string(), code: z.string().nullable(), createdAtMs: int, updatedAtMs: int })).readonly(),
  sales: z.array(z.object({ redemptionId: z.string(), requestId: z.string(), serial: z.string(), state: z.string(), capturedMinor: int, refundedMinor: int, atMs: int })).readonly(),
});
const totals = { sales: int, salesMinor: int, refunds: int, refundedMinor: int, payouts: int, paidOutMinor: int, netMinor: int };
const dailyFileView = z.object({
  businessDay: z.string(), timeZone: z.string(),
  lines: z.array(z.object({ kind: z.enum(['sale', 'refund', 'payout']), merchantId: z.string(), id: z.string(), amountMinor: int })).readonly(),
  shops: z.array(z.object({ merchantId: z.string(), ...totals })).readonly(),
  totals: z.object({ lines: int, ...totals }),
});
const statementQuery = z.object({ limit: z.coerce.number().int().min(1).max(L.statementLinesMax).default(L.statementLinesDefault) }).strict();
const dailyQuery = z.object({ day: z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'YYYY-MM-DD') }).strict();

const verifyBody = z.object(presented).strict();
const redeemBody = z
  .object({
    ...presented,
    amountMinor: minor,
    currency,
    capture: z.boolean().default(true).describe('true: a sale; false: a reservation to capture by its deadline'),
    goods: z.array(z.string().regex(/^[A-Z0-9]{1,8}$/)).max(64).optional().describe('goods category codes of the basket'),
    user: z.string().min(1).max(64).optional().describe('the customer\'s user reference, for passwords restricted to a user'),
    captureWithinMs: z.number().int().min(1).max(L.captureDeadlineMsMax).optional(),
  })
  .strict();
const captureBody = z.object({ amountMinor: minor.optional() }).strict();
const refundBody = z.object({ amountMinor: minor }).strict();

function presentedOf(b: { code?: string | undefined; qr?: string | undefined }): PresentedPassword {
  if ((b.code === undefined) === (b.qr === undefined)) {
    throw new TesseraError('PASSWORD_BAD_REQUEST', 'exactly one of code or qr', { field: 'code' });
  }
  return b.code !== undefined ? { code: b.code } : { qr: b.qr! };
}

/** The error codes these routes answer (every PASSWORD_ and PWTOKEN_ code with an http status). */
const ANSWERS = Object.entries({ ...PASSWORD_ERRORS, ...PWTOKEN_ERRORS } as Record<string, { http?: number }>).filter(([, spec]) => spec.http !== undefined).map(([c]) => c);

/**
 * The id a merchant-API merchant's password sales are booked to: its shop id
 * when it has one (the id its terminals' sales and the payout config use:
 * one payable, one statement, one payout per shop), else its merchant id.
 */
export const bookedIdOf = (m: { id: string; shopId: string | null }): string => m.shopId ?? m.id;

/** The lockout scope of a merchant API key (lockout.ts). */
export const keyScope = (keyId: string): string => `key:${keyId}`;

/** Idempotency keys of the in-store flow's request ids (sale-flow.ts): an online request id may not look like one. */
const POS_REQUEST_PREFIX = 'pos:';

/** The contribution the module adds to the merchant API (route-contributions.ts); `issuerClients`: merchant names that are issuers (they may not spend). */
export function passwordMerchantContribution(passwords: Passwords, issuerClients: Readonly<Record<string, string>> = {}): MerchantRouteContribution {
  return { name: 'passwords', answers: ANSWERS, routes: (app, ctx) => passwordMerchantRoutes(app, { ...ctx, passwords, issuerClients }) };
}

export async function passwordMerchantRoutes(app: MerchantApp, o: MerchantRouteContext & { passwords: Passwords; issuerClients?: Readonly<Record<string, string>> }): Promise<void> {
  const pw = o.passwords;
  const issuers = o.issuerClients ?? {};
  /** The shop behind the key: an issuer's key is no shop (PASSWORD_NOT_SHOP), whatever it asks. */
  const shopOf = (req: FastifyRequest): ShopRef => {
    const m = o.principal(req).merchant;
    if (Object.hasOwn(issuers, m.name)) throw new TesseraError('PASSWORD_NOT_SHOP', 'this API key is an issuer\'s (passwords.issuerClients): an issuer does not verify, spend or refund passwords', { merchant: m.name });
    return { merchantId: bookedIdOf(m), shopId: m.shopId, apiMerchantId: m.id };
  };
  const shopOnly = async (req: FastifyRequest): Promise<void> => {
    shopOf(req);
  };
  const requestIdOf = async (req: FastifyRequest): Promise<void> => {
    const k = req.headers['idempotency-key'];
    if (typeof k === 'string' && k.startsWith(POS_REQUEST_PREFIX)) {
      throw new TesseraError('PASSWORD_BAD_REQUEST', `an Idempotency-Key starting with "${POS_REQUEST_PREFIX}" is the in-store tills' (their request ids share the shop's books)`, { field: 'idempotency-key' });
    }
  };
  // Every password route is behind the API-key auth: a lookup is the key's, never the address's (other shops may share it).
  const scopesOf = (req: FastifyRequest): string[] => [keyScope(o.principal(req).keyId)];
  /** A lookup route: refused while the key is locked out; a failed guess counts against the key. */
  const guarded = <R extends FastifyRequest, B>(h: (req: R, reply: FastifyReply) => Promise<B>) => async (req: R, reply: FastifyReply): Promise<B> => {
    const scopes = scopesOf(req);
    await pw.lockout.check(scopes);
    try {
      return await h(req, reply);
    } catch (e) {
      await pw.lockout.failed(scopes, e);
      throw e;
    }
  };
  const scope = (req: FastifyRequest): string => `passwords:${o.principal(req).merchant.id}`;
  const key = (req: FastifyRequest): string => String(req.headers['idempotency-key']);
  const post = { preValidation: [requireIdempotencyKey, shopOnly, requestIdOf] };
  const get = { preValidation: shopOnly };

  app.post(
    '/v1/passwords/verify',
    { schema: { summary: 'The password behind a code or QR: its terms and the value left (changes nothing)', headers: idem, body: verifyBody, response: { 200: passwordView, ...errorResponses } }, ...post },
    guarded(idempotentHandler(o.idempotency, scope, async (req, tx) => ({ status: 200, body: await pw.verifyIn(tx, shopOf(req), presentedOf(req.body as z.infer<typeof verifyBody>)) }))),
  );
  app.post(
    '/v1/passwords/redemptions',
    { schema: { summary: 'Reserve on a password, or sell (capture now); idempotent by the Idempotency-Key', headers: idem, body: redeemBody, response: { 201: redemptionView, ...errorResponses } }, ...post },
    guarded(idempotentHandler(o.idempotency, scope, async (req, tx) => {
      const b = req.body as z.infer<typeof redeemBody>;
      const r = await pw.redeemIn(tx, shopOf(req), {
        requestId: key(req), presented: presentedOf(b), amountMinor: b.amountMinor, currency: b.currency, capture: b.capture,
        ...(b.goods && { goods: b.goods }), ...(b.user !== undefined && { user: b.user }), ...(b.captureWithinMs !== undefined && { captureWithinMs: b.captureWithinMs }),
      });
      return { status: 201, body: r };
    })),
  );
  app.get(
    '/v1/passwords/redemptions/:id',
    { schema: { summary: 'One redemption of this merchant', params: idParam, response: { 200: redemptionView, ...errorResponses } }, ...get },
    async (req) => pw.redemption(shopOf(req), (req.params as { id: string }).id),
  );
  app.post(
    '/v1/passwords/redemptions/:id/capture',
    { schema: { summary: 'Capture (part of) a reservation; the rest is released', headers: idem, params: idParam, body: captureBody, response: { 200: redemptionView, ...errorResponses } }, ...post },
    idempotentHandler(o.idempotency, scope, async (req, tx) => ({
      status: 200, body: await pw.captureIn(tx, shopOf(req), (req.params as { id: string }).id, (req.body as z.infer<typeof captureBody>).amountMinor),
    })),
  );
  app.post(
    '/v1/passwords/redemptions/:id/cancel',
    { schema: { summary: 'Release a reservation', headers: idem, params: idParam, response: { 200: redemptionView, ...errorResponses } }, ...post },
    idempotentHandler(o.idempotency, scope, async (req, tx) => ({ status: 200, body: await pw.cancelIn(tx, shopOf(req), (req.params as { id: string }).id) })),
  );
  app.get(
    '/v1/passwords/statement',
    { schema: { summary: 'The shop\'s password statement: captured, refunded, paid out, pending, payable; its payouts (reconciliation ids) and latest sales', querystring: statementQuery, response: { 200: statementView, ...errorResponses } }, ...get },
    async (req) => pw.statement(shopOf(req).merchantId, (req.query as z.output<typeof statementQuery>).limit),
  );
  app.get(
    '/v1/passwords/daily-file',
    { schema: { summary: 'The TTP\'s daily file for this shop: sale, refund and payout lines of a business day with control totals', querystring: dailyQuery, response: { 200: dailyFileView, ...errorResponses } }, ...get },
    async (req) => pw.dailyFile((req.query as z.output<typeof dailyQuery>).day, shopOf(req).merchantId),
  );
  app.post(
    '/v1/passwords/redemptions/:id/refunds',
    { schema: { summary: 'Give captured value back (onto the password while it is live and partial, else to its issuer)', headers: idem, params: idParam, body: refundBody, response: { 201: refundView, ...errorResponses } }, ...post },
    idempotentHandler(o.idempotency, scope, async (req, tx) => ({
      status: 201, body: await pw.refundIn(tx, shopOf(req), (req.params as { id: string }).id, { requestId: key(req), amountMinor: (req.body as z.infer<typeof refundBody>).amountMinor }),
    })),
  );
}
