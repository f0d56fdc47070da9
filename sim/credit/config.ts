/**
 * `tessera credit serve --config <file.json>`: the simulated credit company
 * (seed 003's issuer), its own process with its own SQLite journal. It holds
 * an account at each bank its customers use (as the e-money provider does,
 * seed 004) and reaches those banks through its own transaction relay
 * (center/relay, HttpBankAdapter per bank); it reaches the TTP through the
 * issuer routes of the merchant API. Secrets are never in the config: the
 * TTP API key and each bank account's security code are files, mode 0600.
 *
 *   { "issuer": "CREDIT-A", "db": "credit.db", "listen": { "port": 0 },
 *     "ttp": { "url": "http://127.0.0.1:8443", "apiKeyFile": "ttp.key" },
 *     "banks": [{ "bankCode": "0001", "url": "http://127.0.0.1:7801" }],
 *     "accounts": [{ "bankCode": "0001", "branchCode": "001", "accountNumber": "9000001", "pinFile": "credit-0001.pin" }],
 *     "customers": [{ "id": "alice", "bankCode": "0001", "branchCode": "001", "accountNumber": "1000001",
 *                     "device": { "channel": "sms", "address": "819000000001", "binding": "bearer" } }] }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { CREDIT_LIMITS } from './limits.js';

const bankCode = z.string().regex(/^[0-9]{4}$/, 'bank code: 4 digits').describe('The bank\'s 4-digit code.');
const accountRef = {
  bankCode,
  branchCode: z.string().regex(/^[0-9]{3}$/, 'branch code: 3 digits').describe('The branch\'s 3-digit code.'),
  accountNumber: z.string().regex(/^[0-9]{7}$/, 'account number: 7 digits').describe('The 7-digit account number.'),
};
export const deviceSchema = z
  .object({
    channel: z.enum(['sms', 'email']).describe('How the TTP sends the password: SMS over SMPP or e-mail over SMTP.'),
    address: z.string().min(1).max(254).describe('The MSISDN (sms) or e-mail address.'),
    binding: z.enum(['bearer', 'device', 'keypad']).default('bearer').describe('bearer (a device that stores the token), device (the phone app: its key is bound), keypad (display-only: a 16-digit code).'),
    deviceKey: z.string().regex(/^[0-9a-f]{64}$/).optional().describe("The phone app's Ed25519 public key, 64 hex (binding device)."),
  })
  .strict();

export const creditConfigSchema = z
  .object({
    issuer: z.string().regex(/^[A-Z0-9-]{1,16}$/).describe('This credit company\'s issuer id at the TTP (passwords.issuers there).'),
    db: z.string().min(1).describe('SQLite file of the journal (orders, returns, books); created on first start.'),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP API binds (loopback by default).'),
        port: z.number().int().min(0).max(65_535).describe('Port; 0 picks a free one (printed in the ready line).'),
      })
      .strict()
      .describe('The HTTP API customers (and `tessera credit order`) use.'),
    currency: z.string().regex(/^[A-Z]{3}$/).default('JPY').describe('ISO 4217 code of every amount.'),
    ttp: z
      .object({
        url: z.string().url().describe("The TTP's merchant API base URL (its issuer routes /v1/issuer/)."),
        apiKeyFile: z.string().min(1).describe("File holding the credit company's merchant API key at the TTP, mode 0600."),
        caFile: z.string().min(1).optional().describe("PEM CA certificate for the TTP's TLS certificate."),
      })
      .strict()
      .describe('The TTP (the center\'s passwords module) the credit company asks to issue.'),
    banks: z
      .array(z.object({ bankCode, url: z.string().url().describe("The bank host's HTTP endpoint (`tessera bank serve`).") }).strict())
      .min(1)
      .describe('The banks reachable through the credit company\'s relay.'),
    accounts: z
      .array(z.object({ ...accountRef, pinFile: z.string().min(1).describe("File holding the account's security code (4-12 digits), mode 0600.") }).strict())
      .min(1)
      .describe('The credit company\'s own account at each bank: customers pay into it, refunds are paid from it.'),
    customers: z
      .array(z.object({ id: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/).describe('The customer\'s id at the credit company (orders name it).'), ...accountRef, device: deviceSchema.optional().describe('The device passwords go to when an order names none.') }).strict())
      .max(CREDIT_LIMITS.customersMax)
      .default([])
      .describe('The card holders: the bank account each order is paid from and refunded to.'),
    terms: z
      .object({
        lifetimeMs: z.number().int().min(1_000).optional().describe('Lifetime of a password when the order names none (absent: the TTP default, 30 days).'),
        goods: z.array(z.string().regex(/^[A-Z0-9]{1,8}$/)).max(16).optional().describe('Goods categories the credit company allows by default.'),
        partial: z.boolean().default(true).describe('Passwords may be spent in parts (the rest stays spendable).'),
      })
      .strict()
      .default({ partial: true })
      .describe('Default terms of the passwords ordered (an order may narrow them).'),
    workerIntervalMs: z.number().int().min(100).default(CREDIT_LIMITS.workerIntervalMsDefault).describe('How often open orders are retried and the TTP\'s returns taken in.'),
    faults: z
      .object({
        holdAfterIssueMs: z.number().int().min(0).optional().describe('Tests: after the TTP answered an issue, wait this long before journaling it (printing {"event":"held"}): a kill -9 meanwhile loses the answer.'),
      })
      .strict()
      .default({})
      .describe('Fault injection for tests; leave empty in operation.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const banks = new Set(c.banks.map((b) => b.bankCode));
    const held = new Set<string>();
    c.accounts.forEach((a, i) => {
      if (!banks.has(a.bankCode)) ctx.addIssue({ code: 'custom', path: ['accounts', i, 'bankCode'], message: `no bank ${a.bankCode} in banks` });
      if (held.has(a.bankCode)) ctx.addIssue({ code: 'custom', path: ['accounts', i, 'bankCode'], message: `a second account at bank ${a.bankCode}` });
      held.add(a.bankCode);
    });
    const ids = new Set<string>();
    c.customers.forEach((cu, i) => {
      if (ids.has(cu.id)) ctx.addIssue({ code: 'custom', path: ['customers', i, 'id'], message: `customer ${cu.id} listed twice` });
      ids.add(cu.id);
      if (!held.has(cu.bankCode)) ctx.addIssue({ code: 'custom', path: ['customers', i, 'bankCode'], message: `the credit company holds no account at bank ${cu.bankCode}` });
    });
  });

export type CreditConfig = z.infer<typeof creditConfigSchema>;
export type CreditCustomer = CreditConfig['customers'][number];
export type CreditDevice = z.infer<typeof deviceSchema>;

/** Validates a config object; CREDIT_CONFIG_INVALID lists every bad field by path. */
export function parseCreditConfig(input: unknown): CreditConfig {
  const r = creditConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TesseraError('CREDIT_CONFIG_INVALID', problems.join('; '), { problems });
}

export function loadCreditConfig(path: string): CreditConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TesseraError('CREDIT_CONFIG_UNREADABLE', `cannot read ${path} as JSON`, { path }, { cause: e });
  }
  return parseCreditConfig(json);
}
