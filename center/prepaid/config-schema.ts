/**
 * The `prepaid` section of `tessera center --config` (seed 000): the master
 * key lives in a 0600 file, never in the config. The vendors (merchants of
 * the merchant API paid through prepaid media), the providers, and the bank
 * accounts their payables are paid out to through the seed-004 relay
 * (center/prepaid/payouts.ts) are optional.
 */
import { z } from 'zod';
import { parseBankUrl } from '../emoney/config-schema.js';
import { RELAY_LIMITS } from '../relay/limits.js';
import { PREPAID_LIMITS as L } from './limits.js';

const bankCode = z.string().regex(/^[0-9]{4}$/, 'bank code: 4 digits').describe('Bank code, 4 digits.');
const branchCode = z.string().regex(/^[0-9]{3}$/, 'branch code: 3 digits').describe('Branch code, 3 digits.');
const accountNumber = z.string().regex(/^[0-9]{7}$/, 'account number: 7 digits').describe('Account number, 7 digits.');
const payeeId = z.string().regex(/^[A-Z0-9-]{1,16}$/, 'id: 1-16 of [A-Z0-9-]');
const account = z.object({ bankCode, branchCode, accountNumber }).strict();

const vendor = z
  .object({
    vendorId: payeeId.describe('The vendor id: the payee of prepaid `vendor` uses (1-16 of [A-Z0-9-]).'),
    merchant: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).describe('The merchant (name, `tessera merchant add`) whose API keys see this vendor\'s payments on the merchant API.'),
    account: account.optional().describe('Where the vendor\'s payable is paid out (the center pays from its own account at the same bank); none: it stays payable.'),
  })
  .strict();

const provider = z
  .object({
    providerId: payeeId.describe('The provider center id: the payee of its `provider-fee` uses.'),
    account: account.optional().describe('Where the provider\'s fees are paid out; none: they stay payable.'),
  })
  .strict();

/** A provider center: its terminal id alone, or with the account its fees are paid out to. */
const providerEntry = z.union([payeeId.transform((providerId): z.infer<typeof provider> => ({ providerId })), provider]);

const centerAccount = z
  .object({ bankCode, branchCode, accountNumber, securityCodeFile: z.string().min(1).describe('Path of the file holding this account\'s security code (4-12 digits), mode 0600.') })
  .strict();

const bank = z
  .object({ bankCode, url: z.string().refine((t) => parseBankUrl(t) !== null, 'url: http://host:port of the bank host').describe('http://host:port of the bank host (tessera bank serve).') })
  .strict();

export const prepaidSectionSchema = z
  .object({
    masterKeyFile: z.string().min(1).describe('Path of the prepaid master key file (64 hex chars, mode 0600): every medium key is diversified from it.'),
    issuerId: z.number().int().min(0).max(0xffffffff).describe('This prepaid center\'s issuer id (u32), written in every medium file; a medium of another issuer is refused.'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency: 3 letters A-Z').default('JPY').describe('The currency of the media (ISO 4217 alpha).'),
    vendors: z.array(vendor).max(L.configPayeesMax).default([]).describe('Vendors paid through prepaid media: their merchant on the merchant API and their payout account.'),
    providers: z.array(providerEntry).max(L.configPayeesMax).default([]).describe('Provider centers: the terminal ids (on the validity terminal list) that may send PREPAID_REQUEST and PREPAID_CONFIRM (PROTOCOL.md §6.4) and charge their usage fee under that id; as an object with `account`, their fees are also paid out there.'),
    centerAccounts: z.array(centerAccount).max(RELAY_LIMITS.banksMax).default([]).describe('The prepaid center\'s own account at each bank it pays vendors and providers at.'),
    banks: z.array(bank).max(RELAY_LIMITS.banksMax).default([]).describe('Where the relay reaches each bank host; one entry per bank code.'),
    sweepIntervalMs: z.number().int().min(L.sweepIntervalMsMin).max(L.sweepIntervalMsMax).default(L.sweepIntervalMsDefault).describe('How often the prepaid center pays out vendors and providers, in milliseconds.'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    const banks = new Set(s.banks.map((b) => b.bankCode));
    const accounts = new Set<string>();
    s.centerAccounts.forEach((a, i) => {
      if (accounts.has(a.bankCode)) issue(['centerAccounts', i, 'bankCode'], `a second center account at bank ${a.bankCode}`);
      if (!banks.has(a.bankCode)) issue(['centerAccounts', i, 'bankCode'], `bank ${a.bankCode} has no entry in banks`);
      accounts.add(a.bankCode);
    });
    const ids = new Set<string>();
    const merchants = new Set<string>();
    s.vendors.forEach((v, i) => {
      if (ids.has(v.vendorId)) issue(['vendors', i, 'vendorId'], `vendor ${v.vendorId} listed twice`);
      if (merchants.has(v.merchant)) issue(['vendors', i, 'merchant'], `merchant ${v.merchant} is already another vendor`);
      if (v.account && !accounts.has(v.account.bankCode)) issue(['vendors', i, 'account', 'bankCode'], `the center has no account at bank ${v.account.bankCode} to pay this vendor from`);
      ids.add(v.vendorId);
      merchants.add(v.merchant);
    });
    const providers = new Set<string>();
    s.providers.forEach((p, i) => {
      if (providers.has(p.providerId)) issue(['providers', i, 'providerId'], `provider ${p.providerId} listed twice`);
      if (p.account && !accounts.has(p.account.bankCode)) issue(['providers', i, 'account', 'bankCode'], `the center has no account at bank ${p.account.bankCode} to pay this provider from`);
      providers.add(p.providerId);
    });
  });

export type PrepaidSection = z.infer<typeof prepaidSectionSchema>;
