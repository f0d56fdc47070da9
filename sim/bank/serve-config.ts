/**
 * `tessera bank serve --config <file.json>`: one simulated bank host with its
 * own SQLite database and HTTP endpoint, and the accounts it opens at start
 * (idempotent: a restart on the same database opens nothing twice). A PIN
 * (or the provider account's security code) is never in the config: each
 * account names a file holding it, mode 0600.
 *
 *   { "bankCode": "0001", "db": "bank-0001.db", "listen": { "port": 7801 },
 *     "accounts": [{ "holder": "alice", "role": "user", "branchCode": "001",
 *                    "accountNumber": "1000001", "pinFile": "alice.pin", "openingMinor": 100000 }] }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { metricsSectionSchema } from '../../core/metrics/config.js';
import { BANK_LIMITS } from './limits.js';

const account = z
  .object({
    holder: z.string().min(1).max(64).describe("The account holder's name."),
    role: z
      .enum(['user', 'merchant', 'provider'])
      .describe('user (a customer with a cash card), merchant (a member shop), provider (the e-money provider).'),
    branchCode: z.string().regex(/^[0-9]{3}$/, 'branch code: 3 digits').describe('Branch code, 3 digits.'),
    accountNumber: z.string().regex(/^[0-9]{7}$/, 'account number: 7 digits').describe('Account number, 7 digits; unique per branch.'),
    pinFile: z
      .string()
      .min(1)
      .describe("Path of the file holding the PIN (4-12 digits; the provider's security code for its account), mode 0600."),
    openingMinor: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .default(0)
      .describe("Deposited once from the bank's vault when the account is opened (JPY minor units)."),
  })
  .strict();

export const bankServeConfigSchema = z
  .object({
    bankCode: z.string().regex(/^[0-9]{4}$/, 'bank code: 4 digits').describe('Bank code of this bank host, 4 digits.'),
    name: z.string().min(1).max(64).optional().describe('Display name of the bank (GET /health); "Bank <bankCode>" when absent.'),
    db: z.string().min(1).describe('SQLite file of this bank (created on first start).'),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP endpoint binds.'),
        port: z.number().int().min(0).max(65_535).describe('Port of the HTTP endpoint; 0 picks a free one (printed in the ready line).'),
      })
      .strict()
      .describe('The HTTP endpoint the center relay calls (loopback by default).'),
    accounts: z
      .array(account)
      .max(BANK_LIMITS.accountsMax)
      .default([])
      .describe('Accounts opened at start (idempotent: a restart on the same database opens nothing twice).'),
    metrics: metricsSectionSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.accounts.forEach((a, i) => {
      const key = `${a.branchCode}-${a.accountNumber}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['accounts', i, 'accountNumber'], message: `account ${key} listed twice` });
      seen.add(key);
    });
  });

export type BankServeConfig = z.infer<typeof bankServeConfigSchema>;
export type BankAccountConfig = BankServeConfig['accounts'][number];

/** Validates a config object; BANKHOST_CONFIG_INVALID lists every bad field by path. */
export function parseBankServeConfig(input: unknown): BankServeConfig {
  const r = bankServeConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TesseraError('BANKHOST_CONFIG_INVALID', problems.join('; '), { problems });
}

export function loadBankServeConfig(path: string): BankServeConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TesseraError('BANKHOST_CONFIG_UNREADABLE', `cannot read ${path} as JSON`, { path }, { cause: e });
  }
  return parseBankServeConfig(json);
}
