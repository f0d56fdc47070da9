/**
 * The `voucher` section of `tessera center --config` (seed 002): the PIN
 * key lives in a file (0600, read with kit readSecretFile), never in the
 * config. Every bad field is CENTER_CONFIG_INVALID naming its path.
 */
import { z } from 'zod';
import { RELAY_LIMITS } from '../relay/limits.js';
import { parseBankUrl } from '../emoney/config-schema.js';
import { VOUCHER_LIMITS as L } from './limits.js';

const bankCode = z.string().regex(/^[0-9]{4}$/, 'bank code: 4 digits').describe('Bank code, 4 digits.');
const branchCode = z.string().regex(/^[0-9]{3}$/, 'branch code: 3 digits').describe('Branch code, 3 digits.');
const accountNumber = z.string().regex(/^[0-9]{7}$/, 'account number: 7 digits').describe('Account number, 7 digits.');

const hq = z
  .object({
    hqId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'hqId: 1-32 chars [A-Za-z0-9._-]').describe('The chain headquarters\' id (its cards and daily files carry it).'),
    commissionBp: z.number().int().min(0).max(L.commissionBpMax).describe('The HQ\'s commission on the net face value it sells, in basis points (250 = 2.5 %).'),
  })
  .strict();

const shop = z
  .object({
    merchantId: z.string().min(1).max(64).describe('The online shop\'s merchant id (merchant API, `tessera merchant add`).'),
    bankCode,
    branchCode,
    accountNumber,
  })
  .strict();

const centerAccount = z
  .object({
    bankCode,
    branchCode,
    accountNumber,
    securityCodeFile: z.string().min(1).describe('Path of the file holding this account\'s security code (4-12 digits), mode 0600.'),
  })
  .strict();

const bank = z
  .object({
    bankCode,
    url: z.string().refine((t) => parseBankUrl(t) !== null, 'url: http://host:port of the bank host').describe('http://host:port of the bank host (tessera bank serve).'),
  })
  .strict();

export const voucherSectionSchema = z
  .object({
    pinKeyFile: z.string().min(1).describe('Path of the PIN key file: 32 random bytes (raw or 64 hex chars), mode 0600. PINs are stored as HMACs under a key derived from it; it must never change while cards live.'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency: 3 uppercase letters').default('JPY').describe('Currency of the vouchers (ISO 4217 alpha).'),
    timeZone: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-CA', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'timeZone: an IANA time zone name')
      .default('Asia/Tokyo')
      .describe('Time zone of business days (activations, voids, HQ daily files).'),
    hqs: z.array(hq).max(L.configHqsMax).default([]).describe('HQs registered at start (idempotent) with their commission.'),
    shops: z.array(shop).max(L.configShopsMax).default([]).describe('Online shops paid out by bank transfer: their account (the center pays from its own account at the same bank).'),
    centerAccounts: z.array(centerAccount).max(RELAY_LIMITS.banksMax).default([]).describe('The settlement center\'s own account at each bank it pays shops at.'),
    banks: z.array(bank).max(RELAY_LIMITS.banksMax).default([]).describe('Where the relay reaches each bank host; one entry per bank code.'),
    sweepIntervalMs: z
      .number()
      .int()
      .min(L.sweepIntervalMsMin)
      .max(L.sweepIntervalMsMax)
      .default(L.sweepIntervalMsDefault)
      .describe('How often the center runs the voucher sweep (authorisation expiry, card expiry, shop payouts), in milliseconds.'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    const hqs = new Set<string>();
    s.hqs.forEach((h, i) => (hqs.has(h.hqId) ? issue(['hqs', i, 'hqId'], `HQ ${h.hqId} listed twice`) : hqs.add(h.hqId)));
    const banks = new Set(s.banks.map((b) => b.bankCode));
    const accounts = new Set<string>();
    s.centerAccounts.forEach((a, i) => {
      if (accounts.has(a.bankCode)) issue(['centerAccounts', i, 'bankCode'], `a second center account at bank ${a.bankCode}`);
      if (!banks.has(a.bankCode)) issue(['centerAccounts', i, 'bankCode'], `bank ${a.bankCode} has no entry in banks`);
      accounts.add(a.bankCode);
    });
    const shops = new Set<string>();
    s.shops.forEach((x, i) => {
      if (shops.has(x.merchantId)) issue(['shops', i, 'merchantId'], `shop ${x.merchantId} listed twice`);
      if (!accounts.has(x.bankCode)) issue(['shops', i, 'bankCode'], `the center has no account at bank ${x.bankCode} to pay this shop from`);
      shops.add(x.merchantId);
    });
  });

export type VoucherSection = z.infer<typeof voucherSectionSchema>;
