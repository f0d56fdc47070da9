/**
 * The web shop's HTTP listener (fastify, request logging off: form bodies
 * hold PINs): the buyers' pages (goods, checkout, order, card balance) and
 * the admin page (HTTP Basic, user `admin`, password from a 0600 file) where
 * shipped goods are captured, authorisations cancelled and payments
 * refunded. Forms are application/x-www-form-urlencoded; every POST answers
 * with a redirect to a page (Post/Redirect/Get), so a reload never pays
 * twice, and a resubmitted checkout carries the same attempt key anyway.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { errorCode, TesseraError } from '../../core/errors.js';
import { good } from './catalog.js';
import { WEBSHOP_LIMITS } from './limits.js';
import { OrderJournal } from './orders.js';
import { adminPage, APP_JS, balancePage, checkoutPage, homePage, orderPage } from './pages.js';
import type { Webshop } from './shop.js';
import { buyerWords } from './words.js';

export interface WebshopServerOptions {
  readonly name: string;
  readonly adminPassword: string;
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function buildWebshopApp(shop: Webshop, o: WebshopServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: WEBSHOP_LIMITS.formBytesMax });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, new URLSearchParams(String(body))));
  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin').header('cache-control', 'no-store');
  });
  const html = (reply: FastifyReply, body: string, status = 200): FastifyReply => reply.code(status).type('text/html; charset=utf-8').send(body);
  const form = (req: FastifyRequest): URLSearchParams => (req.body instanceof URLSearchParams ? req.body : new URLSearchParams());

  app.get('/app.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(APP_JS));
  app.get('/', async (_req, reply) => html(reply, homePageOf(shop, o)));

  app.get('/checkout', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const item = good(q.sku ?? '');
    if (!item) return html(reply, homePageOf(shop, o), 404);
    const cards = clampInt(q.cards, 1, WEBSHOP_LIMITS.cardsPerOrderMax, 1);
    return html(reply, checkoutPage(o.name, { item, quantity: clampInt(q.quantity, 1, WEBSHOP_LIMITS.quantityMax, 1), currency: shop.currency, attemptKey: OrderJournal.newAttemptKey(), cards }));
  });

  app.post('/pay', async (req, reply) => {
    const f = form(req);
    const sku = f.get('sku') ?? '';
    const orderId = f.get('orderId') ?? undefined;
    const quantity = Number(f.get('quantity') ?? '1');
    const attemptKey = f.get('attempt') ?? '';
    try {
      const order = await shop.checkout({ attemptKey, sku, quantity, pins: f.getAll('pin'), ...(orderId ? { orderId } : {}) });
      return reply.redirect(`/orders/${encodeURIComponent(order.orderId)}`, 303);
    } catch (e) {
      const item = good(sku);
      if (errorCode(e) !== 'WEBSHOP_BAD_INPUT' || !item) throw e;
      // The form again, with the same attempt key and empty card fields (a PIN is never echoed into a page).
      const message = e instanceof TesseraError ? e.message.replace(/^WEBSHOP_BAD_INPUT: /, '') : buyerWords('WEBSHOP_BAD_INPUT', false);
      return html(
        reply,
        checkoutPage(o.name, {
          item,
          quantity: Number.isSafeInteger(quantity) && quantity >= 1 ? Math.min(quantity, WEBSHOP_LIMITS.quantityMax) : 1,
          currency: shop.currency,
          attemptKey,
          cards: Math.min(Math.max(1, f.getAll('pin').length), WEBSHOP_LIMITS.cardsPerOrderMax),
          error: { code: 'WEBSHOP_BAD_INPUT', message },
          ...(orderId ? { orderId } : {}),
        }),
        400,
      );
    }
  });

  app.get('/orders/:id', async (req, reply) => {
    const order = shop.journal.order((req.params as { id: string }).id);
    const item = good(order.sku);
    if (!item) throw new TesseraError('WEBSHOP_ORDER_UNKNOWN', 'the order names an item the shop no longer sells', { orderId: order.orderId });
    const retry = order.state === 'refused' ? { attemptKey: OrderJournal.newAttemptKey() } : order.state === 'in-doubt' ? { attemptKey: shop.journal.lastAttemptKey(order.orderId) ?? OrderJournal.newAttemptKey() } : null;
    return html(reply, orderPage(o.name, order, item, retry));
  });

  app.get('/balance', async (_req, reply) => html(reply, balancePage(o.name, {})));
  app.post('/balance', async (req, reply) => {
    try {
      return html(reply, balancePage(o.name, { answer: await shop.balance(form(req).get('pin') ?? '') }));
    } catch (e) {
      const code = errorCode(e);
      return html(reply, balancePage(o.name, { error: { code, message: buyerWords(code, false, e instanceof TesseraError ? (e.details ?? {}) : {}) } }), 400);
    }
  });

  // The admin page: Basic auth; a POST must come from the shop's own pages (Origin check) besides.
  const expected = createHash('sha256').update(`admin:${o.adminPassword}`).digest();
  app.register(async (admin) => {
    admin.addHook('onRequest', async (req, reply) => {
      const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      const given = createHash('sha256').update(m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '').digest();
      if (!timingSafeEqual(given, expected)) return reply.code(401).header('www-authenticate', 'Basic realm="webshop admin"').type('text/plain').send('admin password needed');
      // A browser says where a form came from: Sec-Fetch-Site (same-origin), else Origin; a CLI or script sends neither.
      const site = req.headers['sec-fetch-site'];
      const origin = req.headers.origin;
      const foreign = site !== undefined ? site !== 'same-origin' && site !== 'none' : origin !== undefined && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`;
      if (req.method === 'POST' && foreign) return reply.code(403).type('text/plain').send('cross-site request refused');
      return undefined;
    });
    admin.get('/admin', async (req, reply) => html(reply, adminPage(o.name, shop.journal.list(), (req.query as { notice?: string }).notice)));
    admin.post('/admin/orders/:id/:step', async (req, reply) => {
      const { id, step } = req.params as { id: string; step: string };
      const amountText = form(req).get('amount')?.trim() ?? '';
      const amount = amountText === '' ? undefined : Number(amountText);
      let notice: string;
      try {
        if (amount !== undefined && !Number.isSafeInteger(amount)) throw new TesseraError('WEBSHOP_BAD_INPUT', 'amount: whole minor units', { field: 'amount' });
        const order = step === 'capture' ? await shop.capture(id, amount) : step === 'cancel' ? await shop.cancel(id) : step === 'refund' ? await shop.refund(id, amount) : null;
        if (!order) return reply.code(404).type('text/plain').send('no such step');
        notice = `${id}: ${order.state}`;
      } catch (e) {
        notice = `${id}: ${errorCode(e)} ${e instanceof Error ? e.message : ''}`;
      }
      return reply.redirect(`/admin?notice=${encodeURIComponent(notice)}`, 303);
    });
  });

  app.setErrorHandler((e, _req, reply) => {
    const code = errorCode(e);
    const status = code === 'WEBSHOP_ORDER_UNKNOWN' ? 404 : code.startsWith('WEBSHOP_') ? 400 : ((e as { statusCode?: number }).statusCode ?? 500);
    // Never the error's details (a form may hold PINs): its code and a plain sentence.
    void reply.code(status >= 400 && status <= 599 ? status : 500).type('text/plain; charset=utf-8').send(`${code}: ${buyerWords(code, false)}`);
  });
  return app;
}

function homePageOf(shop: Webshop, o: WebshopServerOptions): string {
  return homePage(o.name, shop.currency);
}

function clampInt(v: string | undefined, min: number, max: number, dflt: number): number {
  const n = Number(v);
  return Number.isSafeInteger(n) ? Math.min(max, Math.max(min, n)) : dflt;
}
