/**
 * The vendor's HTTP listener (fastify, JSON; request logging off): what the
 * holder's client calls.
 *
 *   GET  /vendor                     id, name, currency, the receipt public key (hex) and key id
 *   GET  /catalogue                  the items with their prices
 *   POST /orders { itemCode }        201 { orderId, itemCode, kind, amountMinor, currency, payee }: pay `payee` through the prepaid center
 *   GET  /orders/:id                 the order (its receipt once paid)
 *   POST /orders/:id/payment { requestId }   the prepaid payment's request id → { receipt (base64), licenceKey, text }
 *   GET  /statement                  the vendor's paid orders against the prepaid center's statement and payouts
 *
 * Errors: `{ error: { code, message, details } }` with the code's HTTP status (sim/vendor/errors.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { errorCode, TesseraError } from '../../core/errors.js';
import { VENDOR_ERRORS } from './errors.js';
import { VENDOR_LIMITS } from './limits.js';
import type { VendorOrder } from './store.js';
import type { Vendor } from './vendor.js';

const orderView = (o: VendorOrder) => ({
  orderId: o.orderId, itemCode: o.itemCode, itemName: o.itemName, kind: o.kind, amountMinor: o.amountMinor, currency: o.currency, state: o.state,
  requestId: o.requestId, licenceKey: o.licenceKey, receipt: o.receipt ? o.receipt.toString('base64') : null,
});

export function buildVendorApp(vendor: Vendor): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: VENDOR_LIMITS.bodyBytesMax });
  const body = (b: unknown): Record<string, unknown> => (typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : {});

  app.get('/vendor', async () => vendor.info());
  app.get('/catalogue', async () => ({ currency: vendor.o.currency, items: vendor.o.catalogue }));
  app.post('/orders', async (req, reply) => {
    const code = body(req.body)['itemCode'];
    if (typeof code !== 'string') throw new TesseraError('VENDOR_BAD_INPUT', 'itemCode: an item code of the catalogue', { field: 'itemCode' });
    const o = vendor.order(code);
    return reply.code(201).send({ ...orderView(o), payee: o.payee });
  });
  app.get('/orders', async () => ({ orders: vendor.store.list().map(orderView) }));
  app.get('/orders/:id', async (req) => orderView(vendor.get((req.params as { id: string }).id)));
  app.post('/orders/:id/payment', async (req) => {
    const requestId = body(req.body)['requestId'];
    return vendor.pay((req.params as { id: string }).id, typeof requestId === 'string' ? requestId : '');
  });
  app.get('/statement', async () => vendor.reconcile());

  app.setErrorHandler((e, _req, reply) => {
    const code = errorCode(e);
    const spec = (VENDOR_ERRORS as Record<string, { http?: number }>)[code];
    const status = spec?.http ?? ((e as { statusCode?: number }).statusCode ?? 500);
    const known = e instanceof TesseraError;
    void reply.code(status >= 400 && status <= 599 ? status : 500).send({
      error: { code: known ? code : status < 500 ? 'VENDOR_BAD_INPUT' : 'VENDOR_INTERNAL', message: known ? e.message : status < 500 ? 'malformed request' : 'internal error', details: known ? (e.details ?? {}) : {} },
    });
  });
  return app;
}
