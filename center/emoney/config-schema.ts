/**
 * The `emoney` section of `tessera center --config` (seed 004): the issuer
 * key and the provider's security codes live in files (mode 0600), never in
 * the config. Validated with the rest of the center config, so every bad
 * field is CENTER_CONFIG_INVALID naming its path (`emoney.banks.0.url`, …).
 */
import { z } from 'zod';
import { RELAY_LIMITS } from '../relay/limits.js';
import { EMONEY_LIMITS } from './limits.js';

const bankCode = z.string().regex(/^[0-9]{4}$/, 'bank code: 4 digits').describe('Bank code, 4 digits.');
const branchCode = z.string().regex(/^[0-9]{3}$/, 'branch code: 3 digits').describe('Branch code, 3 digits.');
const accountNumber = z.string().regex(/^[0-9]{7}$/, 'account number: 7 digits').describe('Account number, 7 digits.');

/** `http://host:port` of a bank host's HTTP endpoint (sim/bank, `tessera bank serve`); no path, no TLS. */
export function parseBankUrl(text: string): { host: string; port: number } | null {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' || u.pathname !== '/' || u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') return null;
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port === '' ? 80 : Number(u.port) };
}

const providerAccount = z
  .object({
    bankCode,
    branchCode,
    accountNumber,
    securityCodeFile: z.string().min(1).describe("Path of the file holding the provider account's security code, mode 0600."),
  })
  .strict();
const bank = z
  .object({
    bankCode,
    url: z
      .string()
      .refine((t) => parseBankUrl(t) !== null, 'url: http://host:port of the bank host')
      .describe('http://host:port of the bank host (tessera bank serve); no path, no TLS.'),
  })
  .strict();
const shop = z
  .object({ shopId: z.string().min(1).max(64).describe("The shop's id (its terminals' ownerId)."), bankCode, branchCode, accountNumber })
  .strict();

export const emoneySectionSchema = z
  .object({
    issuerMasterKeyFile: z
      .string()
      .min(1)
      .describe("Path of the purse issuer master key file: 32 raw bytes or 64 hex chars, mode 0600 (the simulator's issuer.key)."),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'currency: 3 uppercase letters (ISO 4217 alpha)')
      .default('JPY')
      .describe('Currency of the e-money purses (ISO 4217 alpha code).'),
    providerAccounts: z
      .array(providerAccount)
      .min(1)
      .max(RELAY_LIMITS.banksMax)
      .describe("The provider's account at every bank it works with; the security code is read from its file."),
    banks: z.array(bank).min(1).max(RELAY_LIMITS.banksMax).describe('Where the relay reaches each bank host (HttpBankAdapter); one entry per bank code.'),
    shops: z
      .array(shop)
      .max(EMONEY_LIMITS.configShopsMax)
      .default([])
      .describe('Member shops (terminal ownerId = shopId) and their bank accounts, registered at start (idempotent).'),
    sweepIntervalMs: z
      .number()
      .int()
      .min(EMONEY_LIMITS.sweepIntervalMsMin)
      .max(EMONEY_LIMITS.sweepIntervalMsMax)
      .default(EMONEY_LIMITS.sweepIntervalMsDefault)
      .describe('How often the center runs the e-money sweep (charge timeouts, pending shop payments), in milliseconds.'),
  })
  .strict()
  .superRefine(crossCheck);

export type EmoneySection = z.infer<typeof emoneySectionSchema>;

type Section = Pick<EmoneySection, 'providerAccounts' | 'banks' | 'shops'>;

/** One bank per code, one provider account per bank, every provider bank reachable, every shop's bank served. */
function crossCheck(s: Section, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
  const banks = new Set<string>();
  s.banks.forEach((b, i) => (banks.has(b.bankCode) ? issue(['banks', i, 'bankCode'], `bank ${b.bankCode} listed twice`) : banks.add(b.bankCode)));
  const provided = new Set<string>();
  s.providerAccounts.forEach((p, i) => {
    if (provided.has(p.bankCode)) issue(['providerAccounts', i, 'bankCode'], `a second provider account at bank ${p.bankCode}`);
    if (!banks.has(p.bankCode)) issue(['providerAccounts', i, 'bankCode'], `bank ${p.bankCode} has no entry in banks`);
    provided.add(p.bankCode);
  });
  const shops = new Set<string>();
  s.shops.forEach((x, i) => {
    if (shops.has(x.shopId)) issue(['shops', i, 'shopId'], `shop ${x.shopId} listed twice`);
    if (!provided.has(x.bankCode)) issue(['shops', i, 'bankCode'], `the provider has no account at bank ${x.bankCode} to pay this shop from`);
    shops.add(x.shopId);
  });
}
