/**
 * `tessera webshop serve --config <file.json>`: the simulated web shop, its
 * own process with its own SQLite journal of orders, paying with voucher
 * PINs through the merchant API only. The API key and the admin password
 * are never in the config: each is in a file of its own, mode 0600.
 *
 *   { "db": "webshop.db", "listen": { "port": 0 },
 *     "merchantApi": { "url": "https://center:8443", "apiKeyFile": "shop.key", "caFile": "ca.pem" },
 *     "adminPasswordFile": "admin.pw" }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';

export const webshopConfigSchema = z
  .object({
    name: z.string().min(1).max(64).default('Tessera web shop').describe('The shop name shown on its pages.'),
    db: z.string().min(1).describe("SQLite file of the shop's journal of orders (created on first start)."),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the shop binds (loopback by default: put a TLS proxy in front to publish it).'),
        port: z.number().int().min(0).max(65_535).describe('Port; 0 picks a free one (printed in the ready line).'),
      })
      .strict()
      .describe("The shop's HTTP listener: the buyers' pages and the admin page."),
    merchantApi: z
      .object({
        url: z.string().url().describe("The center's merchant API base URL (`https://host:port`; plain http only to loopback)."),
        apiKeyFile: z.string().min(1).describe('File holding the shop\'s merchant API key (`tessera merchant add --key-out`), mode 0600.'),
        caFile: z.string().min(1).optional().describe("PEM CA certificate to trust for the merchant API's TLS certificate (a private CA)."),
      })
      .strict()
      .describe('How the shop reaches the settlement center: only through the merchant API and its typed client.'),
    adminPasswordFile: z.string().min(1).describe('File holding the password of the admin page (HTTP Basic, user `admin`), mode 0600.'),
    currency: z.string().regex(/^[A-Z]{3}$/).default('JPY').describe('Currency of the prices (ISO 4217).'),
  })
  .strict();

export type WebshopConfig = z.infer<typeof webshopConfigSchema>;

/** Validates a config object; WEBSHOP_CONFIG_INVALID lists every bad field by path. */
export function parseWebshopConfig(input: unknown): WebshopConfig {
  const r = webshopConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TesseraError('WEBSHOP_CONFIG_INVALID', problems.join('; '), { problems });
}

export function loadWebshopConfig(path: string): WebshopConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TesseraError('WEBSHOP_CONFIG_UNREADABLE', `cannot read ${path} as JSON`, { path }, { cause: e });
  }
  return parseWebshopConfig(json);
}
