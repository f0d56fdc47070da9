/**
 * `tessera webshop serve`: the web shop as its own process, from its config
 * (config.ts): the journal (orders.ts), the merchant API client with the key
 * from its 0600 file, the pages (server.ts). `openWebshop` is the same
 * without the listener, for the admin commands (`tessera webshop capture ...`),
 * which run beside a serving shop on the same journal.
 */
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { readSecretFile } from '../../center/kit/secret-files.js';
import { MerchantClient } from '../../center/merchant-api/client.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { WebshopConfig } from './config.js';
import { OrderJournal } from './orders.js';
import { merchantVoucherPayments } from './payments.js';
import { buildWebshopApp } from './server.js';
import { Webshop } from './shop.js';

export interface OpenedWebshop {
  readonly shop: Webshop;
  close(): Promise<void>;
}

function secret(path: string, what: string): string {
  const value = readSecretFile(path, { what, unreadable: 'WEBSHOP_SECRET_FILE', permissions: 'WEBSHOP_SECRET_FILE' }).toString('utf8').trim();
  if (value.length === 0) throw new TesseraError('WEBSHOP_SECRET_FILE', `the ${what} file is empty`, { path });
  return value;
}

/** Paths in the config are relative to the config file's directory (`base`). */
export function openWebshop(config: WebshopConfig, o: { base?: string; clock?: Clock } = {}): OpenedWebshop {
  const at = (p: string): string => resolve(o.base ?? process.cwd(), p);
  const apiKey = secret(at(config.merchantApi.apiKeyFile), 'merchant API key');
  const ca = config.merchantApi.caFile !== undefined ? readFileSync(at(config.merchantApi.caFile)) : undefined;
  const client = new MerchantClient({ baseUrl: config.merchantApi.url, apiKey, ...(ca !== undefined && { ca }), ...(o.clock !== undefined && { clock: o.clock }) });
  const journal = new OrderJournal(at(config.db), o.clock ?? systemClock);
  const shop = new Webshop(journal, merchantVoucherPayments(client), config.currency);
  return {
    shop,
    close: async () => {
      journal.close();
      await client.close();
    },
  };
}

export interface ServedWebshop {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function serveWebshop(config: WebshopConfig, configPath: string, o: { clock?: Clock } = {}): Promise<ServedWebshop> {
  const base = dirname(resolve(configPath));
  const adminPassword = secret(resolve(base, config.adminPasswordFile), 'admin password');
  const opened = openWebshop(config, { base, ...o });
  const app = buildWebshopApp(opened.shop, { name: config.name, adminPassword });
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (e) {
    await opened.close();
    throw new TesseraError('WEBSHOP_LISTEN_FAILED', 'cannot listen', { host: config.listen.host, port: config.listen.port }, { cause: e });
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  // Attempts left without an answer by the last run are looked up at the center by order reference (best effort: the form sent again also settles them).
  const recovering = opened.shop.recover().catch(() => undefined);
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      await recovering;
      await app.close();
      await opened.close();
    },
  };
}
