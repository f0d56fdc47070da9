/**
 * `tessera vendor serve`: the vendor as its own process, from its config
 * (config.ts): the database of orders (store.ts), the merchant API client
 * with the key from its 0600 file, the signing key from its 0600 file, the
 * listener (server.ts). `openVendor` is the same without the listener, for
 * `tessera vendor orders|statement` beside a serving vendor.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readSecretFile } from '../../center/kit/secret-files.js';
import { MerchantClient } from '../../center/merchant-api/client.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { errorCode, TesseraError } from '../../core/errors.js';
import { writeNewFileAtomic } from '../../core/atomic-write.js';
import { receiptSigningKey } from '../../protocol/prepaid/receipt.js';
import type { VendorConfig } from './config.js';
import { buildVendorApp } from './server.js';
import { VendorStore } from './store.js';
import { Vendor, type PaymentSource, type VendorCrashPoint } from './vendor.js';

/** The test hook's environment variable: `verified` or `stored` (sim/vendor/vendor.ts, VendorCrashPoint). */
export const VENDOR_CRASH_ENV = 'TESSERA_VENDOR_CRASH_AT';

function secret(path: string, what: string): string {
  const value = readSecretFile(path, { what, unreadable: 'VENDOR_SECRET_FILE', permissions: 'VENDOR_SECRET_FILE' }).toString('utf8').trim();
  if (value.length === 0) throw new TesseraError('VENDOR_SECRET_FILE', `the ${what} file is empty`, { path });
  return value;
}

/** The signing key seed (64 hex) from its 0600 file. */
export function readSigningSeed(path: string): Buffer {
  const hex = secret(path, 'vendor signing key');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new TesseraError('VENDOR_SECRET_FILE', 'the vendor signing key file must hold 64 hex chars', { path });
  return Buffer.from(hex, 'hex');
}

/** A new signing key seed in a new 0600 file (refuses to overwrite one). */
export async function writeSigningSeed(path: string): Promise<Buffer> {
  const seed = randomBytes(32);
  await writeNewFileAtomic(path, Buffer.from(`${seed.toString('hex')}\n`), '.tmp');
  return seed;
}

/** The prepaid center through the merchant API's typed client: a payment unknown there is null, nothing else is swallowed. */
export function merchantPaymentSource(client: MerchantClient): PaymentSource {
  return {
    payment: async (requestId) => {
      try {
        return await client.prepaidPayment(requestId);
      } catch (e) {
        if (errorCode(e) === 'PREPAID_PAYMENT_UNKNOWN') return null;
        throw e;
      }
    },
    statement: () => client.prepaidStatement(),
  };
}

export interface OpenedVendor {
  readonly vendor: Vendor;
  close(): Promise<void>;
}

/** Paths in the config are relative to the config file's directory (`base`). */
export function openVendor(config: VendorConfig, o: { base?: string; clock?: Clock; crashAt?: VendorCrashPoint | null } = {}): OpenedVendor {
  const at = (p: string): string => resolve(o.base ?? process.cwd(), p);
  const seed = readSigningSeed(at(config.signingKeyFile));
  const apiKey = secret(at(config.merchantApi.apiKeyFile), 'merchant API key');
  const ca = config.merchantApi.caFile !== undefined ? readFileSync(at(config.merchantApi.caFile)) : undefined;
  const client = new MerchantClient({ baseUrl: config.merchantApi.url, apiKey, ...(ca !== undefined && { ca }), ...(o.clock !== undefined && { clock: o.clock }) });
  const store = new VendorStore(at(config.db), o.clock ?? systemClock);
  const vendor = new Vendor(
    { vendorId: config.vendorId, name: config.name, currency: config.currency, catalogue: config.catalogue },
    store, receiptSigningKey(seed), seed, merchantPaymentSource(client), o.crashAt ?? null,
  );
  seed.fill(0);
  return {
    vendor,
    close: async () => {
      store.close();
      await client.close();
    },
  };
}

export interface ServedVendor {
  readonly url: string;
  readonly port: number;
  readonly vendor: Vendor;
  close(): Promise<void>;
}

export async function serveVendor(config: VendorConfig, configPath: string, o: { clock?: Clock } = {}): Promise<ServedVendor> {
  const crash = process.env[VENDOR_CRASH_ENV];
  const crashAt = crash === 'verified' || crash === 'stored' ? crash : null;
  const opened = openVendor(config, { base: dirname(resolve(configPath)), ...o, crashAt });
  const app = buildVendorApp(opened.vendor);
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (e) {
    await opened.close();
    throw new TesseraError('VENDOR_LISTEN_FAILED', 'cannot listen', { host: config.listen.host, port: config.listen.port }, { cause: e });
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  return {
    url: `http://${host}:${port}`,
    port,
    vendor: opened.vendor,
    close: async () => {
      await app.close();
      await opened.close();
    },
  };
}
