/**
 * The `passwords` section of `tessera center --config` (seed 003): the TTP's
 * key lives in a file (mode 0600, 64 hex characters), never in the config;
 * so do the delivery side's SMPP and SMTP passwords (`delivery`).
 */
import { z } from 'zod';
import { deliverySectionSchema } from './delivery/config.js';
import { shopPayoutsSectionSchema } from '../relay/shop-payouts.js';
import { PASSWORDS_LIMITS } from './limits.js';

const id = z.string().regex(/^[A-Z0-9-]{1,16}$/, '1-16 of [A-Z0-9-]');

export const passwordsSectionSchema = z
  .object({
    ttpKeyFile: z.string().min(1).describe('Path of the TTP signing key: 64 hex characters (a 32-byte Ed25519 seed), mode 0600. Its public key is what shops and terminals trust.'),
    issuers: z.array(id.describe('An issuer (credit company) id.')).min(1).describe('The issuers (credit companies) this TTP issues passwords for.'),
    shopCategories: z
      .record(z.string().min(1).max(64), id)
      .default({})
      .describe('Shop id → category code, for passwords whose payee is a category.'),
    issuerClients: z
      .record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a merchant name'), id)
      .default({})
      .describe('Merchant name → issuer id: the merchant API clients that are issuers (credit companies) and may use the issuer routes /v1/issuer/ (issue, look up, revoke, returns, daily file) as that issuer. Each issuer must be in issuers.'),
    sweepIntervalMs: z
      .number()
      .int()
      .min(1_000)
      .default(PASSWORDS_LIMITS.sweepIntervalMsDefault)
      .describe('How often the sweep expires passwords, fails undelivered ones and releases reservations past their deadline.'),
    delivery: deliverySectionSchema
      .optional()
      .describe('Where issued passwords are sent (center/passwords/delivery/config.ts): the SMSC (SMPP) and/or the mail server (SMTP), their passwords each in a 0600 file. Absent: no channel, and issuing is refused (PASSWORD_DELIVERY_UNAVAILABLE) unless the program hands the module a delivery.'),
    payouts: shopPayoutsSectionSchema
      .optional()
      .describe('Shop payouts (center/passwords/payouts.ts): each shop\'s bank account, the TTP\'s own account at each of those banks (security code in a 0600 file) and where the relay reaches the banks. Absent: captured value stays payable.'),
    currency: z.string().regex(/^[A-Z]{3}$/).default('JPY').describe('The one currency of this TTP (one per deployment): of its passwords, ledger accounts and payouts. An issue in any other is refused (400 PASSWORD_BAD_REQUEST, field currency).'),
    timeZone: z.string().min(1).default('Asia/Tokyo').describe('The time zone of the business day in the daily file for shops.'),
  })
  .strict();

export type PasswordsSection = z.infer<typeof passwordsSectionSchema>;
