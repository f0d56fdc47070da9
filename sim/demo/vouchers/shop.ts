/**
 * The online shop of the voucher scene: sim/webshop on its own journal in
 * the run directory, reaching the settlement center only through the
 * merchant API with its typed client and its own API key (setup.ts added it
 * the way `tessera merchant add` does, the key in a 0600 file). Buyers use its
 * pages over HTTP as a browser would, without one: the checkout form (its
 * attempt key from the page), the PINs they scratched off, the redirect to
 * the order page. The shop's operator ships what was authorised.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../../core/clock.js';
import { TesseraError } from '../../../core/errors.js';
import { MerchantClient } from '../../../center/merchant-api/client.js';
import type { VoucherStatement } from '../../../center/voucher/payouts.js';
import { writeSecretFile } from '../../world/cli-parts.js';
import type { Order } from '../../webshop/orders.js';
import { openWebshop, type OpenedWebshop } from '../../webshop/serve.js';
import { buildWebshopApp } from '../../webshop/server.js';
import type { VoucherSetup } from './setup.js';

export interface DemoShop {
  readonly url: string;
  /** The shop's merchant id at the center (its redemptions and payable carry it). */
  readonly merchantId: string;
  readonly opened: OpenedWebshop;
  /** The shop's voucher statement from the merchant API (captured, paid out, payable, payouts with their reconciliation ids). */
  statement(): Promise<VoucherStatement>;
  /** A buyer at the checkout page: the item, how many, the PINs typed; the order as the shop journalled it. */
  checkout(sku: string, quantity: number, pins: readonly string[]): Promise<Order>;
  close(): Promise<void>;
}

export async function startShop(o: { setup: VoucherSetup; clock: Clock }): Promise<DemoShop> {
  const dir = o.setup.dir;
  writeSecretFile(dir, 'webshop-admin.pw', 'demo-admin-password');
  const config = {
    name: 'Tessera demo web shop',
    db: 'webshop.db',
    listen: { host: '127.0.0.1', port: 0 },
    merchantApi: { url: `http://127.0.0.1:${o.setup.merchantApiPort}`, apiKeyFile: o.setup.apiKeyFile },
    adminPasswordFile: 'webshop-admin.pw',
    currency: 'JPY',
  };
  writeFileSync(join(dir, 'webshop.json'), `${JSON.stringify(config, null, 2)}\n`);
  const opened = openWebshop(config, { base: dir, clock: o.clock });
  const client = new MerchantClient({ baseUrl: config.merchantApi.url, apiKey: readFileSync(o.setup.apiKeyFile, 'utf8').trim(), clock: o.clock });
  let app: FastifyInstance | null = null;
  try {
    app = buildWebshopApp(opened.shop, { name: config.name, adminPassword: 'demo-admin-password' });
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (e) {
    await app?.close().catch(() => undefined);
    await opened.close();
    await client.close();
    throw e;
  }
  const server = app;
  const addr = server.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    url,
    merchantId: o.setup.merchantId,
    opened,
    checkout: (sku, quantity, pins) => checkout(url, opened, sku, quantity, pins),
    statement: () => client.voucherStatement(),
    close: async () => {
      await server.close();
      await opened.close();
      await client.close();
    },
  };
}

/** GET the checkout page (its attempt key), POST the form with the PINs, follow the redirect to the order page. */
async function checkout(url: string, opened: OpenedWebshop, sku: string, quantity: number, pins: readonly string[]): Promise<Order> {
  const page = await fetch(`${url}/checkout?sku=${encodeURIComponent(sku)}&quantity=${quantity}&cards=${pins.length}`);
  const html = await page.text();
  const attempt = /name="attempt" value="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || attempt === undefined) throw new TesseraError('DEMO_UNEXPECTED_OUTCOME', 'the web shop has no checkout form for this item', { sku, status: page.status });
  const form = new URLSearchParams({ attempt, sku, quantity: String(quantity) });
  for (const pin of pins) form.append('pin', pin);
  const paid = await fetch(`${url}/pay`, { method: 'POST', body: form, redirect: 'manual' });
  const location = paid.headers.get('location') ?? '';
  const orderId = /^\/orders\/([^/?#]+)$/.exec(location)?.[1];
  if (paid.status !== 303 || orderId === undefined) throw new TesseraError('DEMO_UNEXPECTED_OUTCOME', 'the web shop did not take the payment form', { sku, status: paid.status });
  const shown = await fetch(`${url}${location}`);
  await shown.text();
  if (shown.status !== 200) throw new TesseraError('DEMO_UNEXPECTED_OUTCOME', 'the order page did not show', { status: shown.status });
  return opened.shop.journal.order(decodeURIComponent(orderId));
}
