/**
 * The issuer-facing routes of the TTP (PROTOCOL.md §6.6, docs/PASSWORDS.md
 * "The issuer API") on the merchant API's listener: the same API-key auth,
 * per-key rate limit and coded error answers. An issuer (credit company) is
 * a merchant-API client whose merchant name the passwords section maps to an
 * issuer id (`passwords.issuerClients`: merchant name → issuer); any other
 * key is refused with PASSWORD_NOT_ISSUER (403).
 *
 *   POST /v1/issuer/passwords                  issue (Idempotency-Key = the issuer's request id)
 *   GET  /v1/issuer/passwords/:serial          one of its passwords: state, value left, returned
 *   POST /v1/issuer/passwords/:serial/revoke   revoke on the customer's behalf (the rest comes back as a return)
 *   POST /v1/issuer/devices/:deviceKey/revoke  a lost phone: revoke every live password of this issuer bound to that device key
 *   GET  /v1/issuer/returns?after=&limit=      value returned to the issuer, one entry per RETURN, in booking order
 *   GET  /v1/issuer/daily-files/:day           the day's movements (UTC) with control totals
 *
 * Issue is idempotent by the Idempotency-Key in the password core itself
 * (issuer, request id): a retry after a lost answer gets the same password
 * (`idempotent-replayed: true`), the same key with other fields is
 * PASSWORD_EXISTS_WITH_DIFFERENT_FIELDS; the message is handed to delivery
 * only by the first. Revoke is idempotent by nature and needs a key too.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { errorResponses } from '../http/app.js';
import { REPLAYED_HEADER, requireIdempotencyKey } from '../merchant-api/idempotent-route.js';
import type { MerchantApp, MerchantRouteContext, MerchantRouteContribution } from '../merchant-api/route-contributions.js';
import { PWTOKEN_ERRORS } from '../../protocol/password/errors.js';
import { PASSWORD_ERRORS } from './errors.js';
import { PASSWORDS_LIMITS as L } from './limits.js';
import type { Passwords } from './passwords.js';

const id16 = z.string().regex(/^[A-Z0-9-]{1,16}$/, '1-16 of [A-Z0-9-]');
const idem = z.object({ 'idempotency-key': z.string().min(1).max(L.requestIdCharsMax).describe("the issuer's request id: a retry with the same key answers the same password") });
const serialParam = z.object({ serial: z.string().regex(/^[0-9a-f]{32}$/, 'a serial (32 hex)') }).strict();

export const issueBody = z
  .object({
    amountMinor: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 alpha code, e.g. JPY'),
    expiresAtMs: z.number().int().min(1).optional().describe('absent: 30 days from now'),
    payee: z.object({ kind: z.enum(['shop', 'category']), id: id16 }).strict().optional().describe('one shop (its shop id) or a category of shops'),
    user: z.string().min(1).max(64).optional().describe("a restriction to the customer's user reference"),
    goods: z.array(z.string().regex(/^[A-Z0-9]{1,8}$/)).max(16).optional().describe('goods category codes the password may buy'),
    partial: z.boolean().default(true).describe('true: partial use, the rest stays spendable; false: one use, the rest comes back'),
    binding: z.enum(['bearer', 'device', 'keypad']).default('bearer'),
    deviceKey: z.string().regex(/^[0-9a-f]{64}$/, "the device's Ed25519 public key, 64 hex").optional().describe('exactly with binding = device'),
    channel: z.enum(['sms', 'email']),
    address: z.string().min(1).max(L.addressCharsMax).describe('an MSISDN for sms (a leading +, spaces and dashes are accepted and dropped), an e-mail address for email'),
  })
  .strict();
export type IssueBody = z.input<typeof issueBody>;

const issued = z.object({
  serial: z.string(), state: z.string(), amountMinor: z.number().int(), currency: z.string(), expiresAtMs: z.number().int(), issuedAtMs: z.number().int(),
  token: z.string().nullable(), replayed: z.boolean(),
});
const view = z.object({
  serial: z.string(), state: z.string(), spendable: z.boolean(), amountMinor: z.number().int(), remainingMinor: z.number().int(), returnedMinor: z.number().int().optional(),
  currency: z.string(), expiresAtMs: z.number().int(), issuedAtMs: z.number().int().optional(), requestId: z.string().optional(), reason: z.string().nullable().optional(),
  partial: z.boolean(), binding: z.enum(['bearer', 'device', 'keypad']),
  payee: z.object({ kind: z.enum(['shop', 'category']), id: z.string() }).nullable(), goods: z.array(z.string()), userRestricted: z.boolean(),
});
const total = z.object({ count: z.number().int(), totalMinor: z.number().int() });
const returnsPage = z.object({
  returns: z.array(z.object({
    returnId: z.string(), serial: z.string(), requestId: z.string(), amountMinor: z.number().int(), currency: z.string(), atMs: z.number().int(), passwordState: z.string(), reason: z.string().nullable(),
  })),
  next: z.string().nullable(),
});
const dailyFile = z.object({
  issuer: z.string(), day: z.string(), currency: z.string().nullable(), issued: total, returned: total,
  used: z.object({ captured: total, refunded: total, netMinor: z.number().int() }),
  lines: z.array(z.object({ transferId: z.string(), kind: z.enum(['issue', 'capture', 'refund', 'return']), serial: z.string(), requestId: z.string(), amountMinor: z.number().int(), atMs: z.number().int() })),
  linesTruncated: z.boolean(),
});

const ANSWERS = Object.entries({ ...PASSWORD_ERRORS, ...PWTOKEN_ERRORS } as Record<string, { http?: number }>).filter(([, spec]) => spec.http !== undefined).map(([c]) => c);

/** The contribution the module adds to the merchant API; `clients`: merchant name → issuer id. */
export function passwordIssuerContribution(passwords: Passwords, clients: Readonly<Record<string, string>>): MerchantRouteContribution {
  return { name: 'passwords-issuer', answers: ANSWERS, routes: (app, ctx) => passwordIssuerRoutes(app, { ...ctx, passwords, clients }) };
}

export async function passwordIssuerRoutes(app: MerchantApp, o: MerchantRouteContext & { passwords: Passwords; clients: Readonly<Record<string, string>> }): Promise<void> {
  const pw = o.passwords;
  const issuerOf = (req: FastifyRequest): string => {
    const name = o.principal(req).merchant.name;
    const issuer = Object.hasOwn(o.clients, name) ? o.clients[name] : undefined;
    if (issuer === undefined) throw new TesseraError('PASSWORD_NOT_ISSUER', 'this API key is not an issuer\'s', { merchant: name });
    return issuer;
  };
  const tags = ['issuer'];
  // The one currency this TTP holds, named in /openapi.json; another is PASSWORD_BAD_REQUEST (field currency) from the core, never a ledger refusal.
  const body = issueBody.extend({
    currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 alpha code').describe(`${pw.currency} only: the one currency this TTP holds (passwords.currency); any other is refused 400 PASSWORD_BAD_REQUEST, field currency`),
  });

  app.post(
    '/v1/issuer/passwords',
    { preValidation: requireIdempotencyKey, schema: { tags, summary: 'Issue a settlement password (prefunded) and send it to the device; idempotent by the Idempotency-Key', headers: idem, body, response: { 201: issued, ...errorResponses } } },
    async (req, reply) => {
      const issuer = issuerOf(req);
      const b = req.body as z.output<typeof issueBody>;
      const a = await pw.issue({
        issuer, requestId: String(req.headers['idempotency-key']), amountMinor: b.amountMinor, currency: b.currency, partial: b.partial, binding: b.binding,
        channel: b.channel, address: b.address, ...(b.expiresAtMs !== undefined && { expiresAtMs: b.expiresAtMs }), ...(b.payee && { payee: b.payee }),
        ...(b.user !== undefined && { user: b.user }), ...(b.goods && { goods: b.goods }), ...(b.deviceKey !== undefined && { deviceKey: Buffer.from(b.deviceKey, 'hex') }),
      });
      void reply.code(201).header(REPLAYED_HEADER, String(a.replayed));
      return { serial: a.serial, state: a.state, amountMinor: a.amountMinor, currency: a.currency, expiresAtMs: a.expiresAtMs, issuedAtMs: a.issuedAtMs, token: a.token, replayed: a.replayed };
    },
  );
  app.get(
    '/v1/issuer/passwords/:serial',
    { schema: { tags, summary: 'One of the issuer\'s passwords: state, value left, value returned', params: serialParam, response: { 200: view, ...errorResponses } } },
    async (req) => pw.issuerView(issuerOf(req), (req.params as { serial: string }).serial),
  );
  app.post(
    '/v1/issuer/passwords/:serial/revoke',
    { preValidation: requireIdempotencyKey, schema: { tags, summary: 'Revoke a password on the customer\'s behalf: its unused value comes back as a return', headers: idem, params: serialParam, response: { 200: view, ...errorResponses } } },
    async (req) => {
      const issuer = issuerOf(req);
      const serial = (req.params as { serial: string }).serial;
      await pw.issuerRevoke(issuer, serial);
      return pw.issuerView(issuer, serial);
    },
  );
  app.post(
    '/v1/issuer/devices/:deviceKey/revoke',
    {
      preValidation: requireIdempotencyKey,
      schema: {
        tags, summary: 'A lost phone: revoke every live password of this issuer bound to the device key (idempotent: a repeat finds none); their unused value comes back as returns',
        headers: idem, params: z.object({ deviceKey: z.string().regex(/^[0-9a-f]{64}$/, "the device's Ed25519 public key, 64 hex") }).strict(),
        response: { 200: z.object({ deviceKey: z.string(), count: z.number().int(), returnedMinor: z.number().int(), serials: z.array(z.string()) }), ...errorResponses },
      },
    },
    async (req) => {
      const deviceKey = (req.params as { deviceKey: string }).deviceKey;
      return { deviceKey, ...(await pw.issuerRevokeDevice(issuerOf(req), Buffer.from(deviceKey, 'hex'))) };
    },
  );
  app.get(
    '/v1/issuer/returns',
    {
      schema: {
        tags, summary: 'Value returned to the issuer (one entry per return, in booking order): refund each to its customer once, by returnId',
        querystring: z.object({ after: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(L.issuerPageMax).optional() }).strict(),
        response: { 200: returnsPage, ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query as { after?: string; limit?: number };
      return pw.issuerReturns(issuerOf(req), { after: q.after, limit: q.limit });
    },
  );
  app.get(
    '/v1/issuer/daily-files/:day',
    { schema: { tags, summary: 'The issuer\'s daily file (UTC day): issues, uses, shop refunds and returns, with control totals', params: z.object({ day: z.string().max(10) }).strict(), response: { 200: dailyFile, ...errorResponses } } },
    async (req) => pw.issuerDailyFile(issuerOf(req), (req.params as { day: string }).day),
  );
}
