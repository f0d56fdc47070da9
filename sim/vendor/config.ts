/**
 * `tessera vendor serve --config <file.json>`: the simulated software vendor
 * and goods seller (seed 000's vendor center), its own process with its own
 * SQLite database of orders, paid through prepaid media and checking each
 * payment with the prepaid center through the merchant API only. The
 * signing key (Ed25519 seed, 64 hex) and the merchant API key are never in
 * the config: each is in a file of its own, mode 0600.
 *
 *   { "vendorId": "VENDOR-1", "db": "vendor.db", "listen": { "port": 0 }, "signingKeyFile": "vendor.key",
 *     "merchantApi": { "url": "https://center:8443", "apiKeyFile": "vendor.apikey", "caFile": "ca.pem" } }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { DEFAULT_CATALOGUE } from './catalogue.js';
import { VENDOR_LIMITS } from './limits.js';

const item = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'code: 1-32 of [A-Za-z0-9._-]').describe('The item code a client orders by.'),
    name: z.string().min(1).refine((s) => Buffer.byteLength(s, 'utf8') <= 64 && !/[\x00-\x1f]/.test(s), 'name: at most 64 bytes of UTF-8, no control characters').describe('The name shown on the receipt and the medium.'),
    kind: z.enum(['registration', 'goods']).describe('registration: answered with a licence key; goods: a receipt only.'),
    priceMinor: z.number().int().min(1).max(10_000_000).describe('Its price in minor units.'),
  })
  .strict();

export const vendorConfigSchema = z
  .object({
    name: z.string().min(1).max(64).default('Tessera shareware vendor').describe('The vendor\'s name (GET /vendor).'),
    vendorId: z.string().regex(/^[A-Z0-9-]{1,16}$/, 'vendorId: 1-16 of [A-Z0-9-]').describe('The vendor id: the payee of the holders\' prepaid uses, and prepaid.vendors[].vendorId at the center.'),
    db: z.string().min(1).describe('SQLite file of the vendor\'s orders and receipts (created on first start).'),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the vendor binds (loopback by default: put a TLS proxy in front to publish it).'),
        port: z.number().int().min(0).max(65_535).describe('Port; 0 picks a free one (printed in the ready line).'),
      })
      .strict()
      .describe('The vendor\'s HTTP listener (orders from the prepaid center\'s clients).'),
    signingKeyFile: z.string().min(1).describe('File holding the vendor\'s Ed25519 signing key seed (64 hex chars; `tessera vendor keygen`), mode 0600: it signs every receipt.'),
    merchantApi: z
      .object({
        url: z.string().url().describe("The prepaid center's merchant API base URL (`https://host:port`; plain http only to loopback)."),
        apiKeyFile: z.string().min(1).describe('File holding the vendor\'s merchant API key (`tessera merchant add --key-out`), mode 0600.'),
        caFile: z.string().min(1).optional().describe("PEM CA certificate to trust for the merchant API's TLS certificate (a private CA)."),
      })
      .strict()
      .describe('How the vendor checks payments and reads its statement: only through the merchant API and its typed client.'),
    currency: z.string().regex(/^[A-Z]{3}$/).default('JPY').describe('Currency of the prices (ISO 4217).'),
    catalogue: z.array(item).min(1).max(VENDOR_LIMITS.catalogueItemsMax).default([...DEFAULT_CATALOGUE]).describe('What the vendor sells (default: two registrations, two goods).'),
  })
  .strict();

export type VendorConfig = z.infer<typeof vendorConfigSchema>;

export function parseVendorConfig(input: unknown): VendorConfig {
  const r = vendorConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TesseraError('VENDOR_CONFIG_INVALID', problems.join('; '), { problems });
}

export function loadVendorConfig(path: string): VendorConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TesseraError('VENDOR_CONFIG_UNREADABLE', `cannot read ${path} as JSON`, { path }, { cause: e });
  }
  return parseVendorConfig(json);
}
