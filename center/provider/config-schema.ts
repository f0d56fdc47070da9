/**
 * `tessera provider serve --config F` (seed 000): the provider center's JSON
 * config. Secrets live in files (the terminal key and the TLS private key,
 * 0600), never in the config.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';

const ID = /^[A-Z0-9-]{1,16}$/;
const port = z.number().int().min(0).max(65_535);

export const providerConfigSchema = z
  .object({
    providerId: z.string().regex(ID, 'providerId: 1-16 of [A-Z0-9-]').describe('The provider\'s terminal id at the prepaid center (in its prepaid.providers list); also the payee of its usage fee.'),
    db: z.string().min(1).default('./tessera-provider.db').describe('SQLite file of the provider\'s own records (created 0600).'),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address of the HTTPS listener the PCs reach.'),
        port: port.default(8443).describe('Its port (0: any free port, printed in the ready line).'),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8443 })
      .describe('The HTTPS listener the client PCs (`tessera client`) reach.'),
    tls: z
      .object({
        certFile: z.string().min(1).describe('PEM certificate of the HTTPS listener (its SPKI is pinned in the clients).'),
        keyFile: z.string().min(1).describe('PEM private key (mode 0600).'),
      })
      .strict()
      .describe('TLS 1.3 only: the PCs pin the SHA-256 of this certificate\'s SPKI.'),
    prepaidCenter: z
      .object({
        centers: z.array(z.object({ host: z.string().min(1).describe('Host of a center node.'), port: port.min(1).describe('Its terminal protocol port.') }).strict()).min(1).max(8).describe('The prepaid center\'s terminal protocol addresses (tried in order).'),
        keyFile: z.string().min(1).describe('The provider\'s terminal key at the prepaid center (64 hex chars, mode 0600).'),
        issuerId: z.number().int().min(0).max(0xffffffff).describe('The prepaid center\'s issuer id: a medium of another issuer is refused here (PREPAID_FOREIGN_ISSUER).'),
        currency: z.string().regex(/^[A-Z]{3}$/).default('JPY').describe('The media\'s currency.'),
      })
      .strict()
      .describe('The prepaid center the provider relays to, over the framed terminal protocol as a terminal of its own.'),
    fee: z
      .object({ amountMinor: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe('The usage fee a PC pays with service provider-fee.') })
      .strict()
      .optional()
      .describe('The provider\'s usage fee; absent: it charges none.'),
  })
  .strict();

export type ProviderConfig = z.infer<typeof providerConfigSchema>;

/** Reads and validates the provider config file (every bad field named, PROVIDER_CONFIG_INVALID). */
export function loadProviderConfig(path: string): ProviderConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TesseraError('PROVIDER_CONFIG_INVALID', `cannot read ${path} as JSON`, { path }, { cause: e });
  }
  const r = providerConfigSchema.safeParse(json);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TesseraError('PROVIDER_CONFIG_INVALID', problems.join('; '), { path, problems });
}
