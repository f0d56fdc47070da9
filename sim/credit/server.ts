/**
 * The credit company's HTTP API (fastify, the center's HTTP app builder: coded
 * error answers, /openapi.json). Loopback by default: in the simulation the
 * customers' channel (app, web, the keypad line) is this API; the customer's
 * bank PIN in an order goes to the bank through the relay only.
 *
 *   POST /orders                 order a password (Idempotency-Key: the order id; a retry answers the same order)
 *   GET  /orders/:id             one order
 *   GET  /orders?customer=       the orders, oldest first
 *   POST /customers/:id/lost-device  {deviceKey?}: a lost phone: revoke its passwords at the TTP, refund their value left
 *   POST /work                   one worker pass now (retry open orders, take in and refund the TTP's returns)
 *   GET  /returns                the returns taken in
 *   GET  /books                  the books' balances
 *   GET  /reconciliations/:day   reconcile the UTC day against the TTP's daily file
 *   GET  /health
 */
import { z } from 'zod';
import { startHttpServer, type HttpListening } from '../../center/http/app.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { CreditCompany } from './company.js';
import { deviceSchema } from './config.js';
import { CREDIT_ERRORS } from './errors.js';
import type { Order, TakenReturn } from './journal.js';
import { CREDIT_LIMITS as L } from './limits.js';

export type CreditApi = HttpListening;

const orderBody = z
  .object({
    customer: z.string().min(1).max(32),
    amountMinor: z.number().int().min(1).max(L.orderMinorMax),
    pin: z.string().regex(/^[0-9]{4,12}$/, '4-12 digits').describe("the customer's bank PIN (to the bank only, never stored)"),
    device: deviceSchema.optional(),
    expiresAtMs: z.number().int().min(1).optional(),
    goods: z.array(z.string().regex(/^[A-Z0-9]{1,8}$/)).max(16).optional(),
    partial: z.boolean().optional(),
  })
  .strict();

/**
 * The order as answered (no PIN was ever in it), with what came back of its
 * password: the TTP's returns taken in (a failed delivery, an expiry, a
 * revocation, a single-use rest), how much of that is refunded to the
 * customer, and why. An issued order whose whole value came back is not
 * "sent to the device" any more: `returnedMinor` = `amountMinor`.
 */
export const orderView = (o: Order, returns: readonly TakenReturn[] = []) => {
  const mine = returns.filter((r) => r.orderId === o.orderId);
  const sum = (xs: readonly TakenReturn[]): number => xs.reduce((t, r) => t + r.amountMinor, 0);
  return {
    orderId: o.orderId, customer: o.customer, state: o.state, amountMinor: o.amountMinor, currency: o.currency, channel: o.channel, address: o.address, binding: o.binding,
    serial: o.serial, token: o.token, issuedAtMs: o.issuedAtMs, code: o.code, createdMs: o.createdMs,
    returnedMinor: sum(mine), refundedMinor: sum(mine.filter((r) => r.state === 'refunded')), returnReasons: [...new Set(mine.map((r) => r.reason ?? 'returned'))],
  };
};

export async function startCreditApi(company: CreditCompany, o: { host: string; port: number; log?: Logger }): Promise<CreditApi> {
  return startHttpServer({
    title: 'Tessera credit company (simulated)', host: o.host, port: o.port, rateLimit: false, bodyBytesMax: L.bodyBytesMax, ...(o.log && { log: o.log }),
    answers: Object.entries(CREDIT_ERRORS as Record<string, { http?: number }>).filter(([, s]) => s.http !== undefined).map(([c]) => c),
    contributors: [
      (app) => {
        app.get('/health', async () => ({ ok: true }));
        app.post('/orders', { schema: { body: orderBody, headers: z.object({ 'idempotency-key': z.string().min(1).max(L.orderIdCharsMax).optional() }) } }, async (req, reply) => {
          const b = req.body as z.infer<typeof orderBody>;
          const key = req.headers['idempotency-key'];
          const order = await company.order({
            customer: b.customer, amountMinor: b.amountMinor, pin: b.pin, ...(typeof key === 'string' && { orderId: key }), ...(b.device && { device: b.device }),
            ...(b.expiresAtMs !== undefined && { expiresAtMs: b.expiresAtMs }), ...(b.goods && { goods: b.goods }), ...(b.partial !== undefined && { partial: b.partial }),
          });
          // Paid but not issued yet (the TTP did not answer): accepted, completed by the worker.
          return reply.code(order.state === 'issued' ? 201 : 202).send(orderView(order, company.journal.returns()));
        });
        app.get('/orders/:id', { schema: { params: z.object({ id: z.string().min(1).max(L.orderIdCharsMax) }) } }, async (req) => {
          const order = company.journal.order((req.params as { id: string }).id);
          if (!order) throw new TesseraError('CREDIT_ORDER_UNKNOWN', 'no order with this id', { orderId: (req.params as { id: string }).id });
          return orderView(order, company.journal.returns());
        });
        app.get('/orders', { schema: { querystring: z.object({ customer: z.string().max(32).optional() }) } }, async (req) => {
          const q = req.query as { customer?: string };
          const returns = company.journal.returns();
          return { orders: company.journal.orders(q.customer ? { customer: q.customer } : {}).map((x) => orderView(x, returns)) };
        });
        app.post(
          '/customers/:id/lost-device',
          { schema: { params: z.object({ id: z.string().min(1).max(32) }), body: z.object({ deviceKey: z.string().regex(/^[0-9a-f]{64}$/, "the phone's Ed25519 public key, 64 hex").optional() }).strict().optional() } },
          async (req) => company.lostDevice((req.params as { id: string }).id, (req.body as { deviceKey?: string } | undefined)?.deviceKey),
        );
        app.post('/work', async () => company.work());
        app.get('/returns', async () => ({ returns: company.journal.returns() }));
        app.get('/books', async () => ({ balances: company.journal.balances(), entries: company.journal.entries().length }));
        app.get('/reconciliations/:day', { schema: { params: z.object({ day: z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/) }) } }, async (req) => company.reconcile((req.params as { day: string }).day));
      },
    ],
  });
}
