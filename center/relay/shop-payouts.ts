/**
 * The `payouts` part of a module's config section, for payouts to shops by
 * bank transfer through the relay of seed 004 (the engine is
 * center/relay/bank-payouts.ts): the shops' accounts, the owner's own account
 * at each of their banks (security code in a 0600 file) and where the relay
 * reaches each bank; and the engine's config built from it.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { parseBankUrl } from '../emoney/config-schema.js';
import { readSecurityCodeFile } from '../emoney/secret-files.js';
import { HttpBankAdapter } from './http-bank-adapter.js';
import { RELAY_LIMITS } from './limits.js';
import { Relay } from './relay.js';
import type { BankPayoutConfig } from './bank-payouts.js';

// ---- config: the `payouts` part of a module's section ----
const bankCode = z.string().regex(/^[0-9]{4}$/, 'bank code: 4 digits').describe('The bank code (4 digits).');
const branchCode = z.string().regex(/^[0-9]{3}$/, 'branch code: 3 digits').describe('The branch code (3 digits).');
const accountNumber = z.string().regex(/^[0-9]{7}$/, 'account number: 7 digits').describe('The account number (7 digits).');

export const shopPayoutsSectionSchema = z
  .object({
    shops: z.array(z.object({ merchantId: z.string().min(1).max(64).describe('The shop id (a terminal\'s owner id; the merchant id online).'), bankCode, branchCode, accountNumber }).strict()).max(10_000)
      .describe('Shops paid out by bank transfer: their account (paid from the owner\'s own account at the same bank).'),
    ownerAccounts: z.array(z.object({ bankCode, branchCode, accountNumber, securityCodeFile: z.string().min(1).describe('Path of the file holding this account\'s security code, mode 0600.') }).strict())
      .max(RELAY_LIMITS.banksMax).describe('The owner\'s own account at each bank it pays shops at.'),
    banks: z.array(z.object({ bankCode, url: z.string().refine((t) => parseBankUrl(t) !== null, 'url: http://host:port of the bank host').describe('The bank host\'s URL, http://host:port.') }).strict())
      .max(RELAY_LIMITS.banksMax).describe('Where the relay reaches each bank host (tessera bank serve).'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const banks = new Set(s.banks.map((b) => b.bankCode));
    const owners = new Set(s.ownerAccounts.map((a) => a.bankCode));
    s.ownerAccounts.forEach((a, i) => banks.has(a.bankCode) || ctx.addIssue({ code: 'custom', path: ['ownerAccounts', i, 'bankCode'], message: `bank ${a.bankCode} has no entry in banks` }));
    s.shops.forEach((x, i) => owners.has(x.bankCode) || ctx.addIssue({ code: 'custom', path: ['shops', i, 'bankCode'], message: `no own account at bank ${x.bankCode} to pay this shop from` }));
  });
export type ShopPayoutsSection = z.infer<typeof shopPayoutsSectionSchema>;

/** The relay and accounts of a section (security codes read from their 0600 files). */
export function shopPayoutConfigOf(s: ShopPayoutsSection, log: Logger, clock: Clock): BankPayoutConfig {
  return {
    relay: new Relay({ adapters: s.banks.map((b) => new HttpBankAdapter(b.bankCode, parseBankUrl(b.url)!)), clock, log }),
    payees: new Map(s.shops.map((x) => [x.merchantId, { bankCode: x.bankCode, branchCode: x.branchCode, accountNumber: x.accountNumber }])),
    centerAccounts: new Map(s.ownerAccounts.map((a) => [a.bankCode, { bankCode: a.bankCode, branchCode: a.branchCode, accountNumber: a.accountNumber, securityCode: readSecurityCodeFile(a.securityCodeFile) }])),
  };
}
