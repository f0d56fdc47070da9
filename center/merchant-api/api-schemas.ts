/** Zod schemas of the merchant API's requests and answers (the OpenAPI document is generated from them). */
import { z } from 'zod';
import { MERCHANT_LIMITS } from './limits.js';
import { PAYOUT_STATES, SETTLEMENT_STATES } from './settlements.js';

const hex32 = z.string().regex(/^[0-9a-f]{32}$/, 'a 32-char lowercase hex id');
const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 alpha code, e.g. JPY');
const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const msQuery = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const controlTotal = z.object({ currency: z.string(), count: z.number().int(), totalMinor: z.number().int() });

export const listQuery = (states: readonly [string, ...string[]]) =>
  z
    .object({
      limit: z.coerce.number().int().min(1).max(MERCHANT_LIMITS.pageRowsMax).default(MERCHANT_LIMITS.pageRowsDefault),
      cursor: z.string().max(200).optional(),
      state: z.enum(states).optional(),
      createdFromMs: msQuery.optional(),
      createdToMs: msQuery.optional(),
    })
    .strict();

export const settlementsQuery = listQuery(SETTLEMENT_STATES);
export const payoutsQuery = listQuery(PAYOUT_STATES);

export const settlement = z.object({
  id: z.string().describe('the settlement (batch) id: its reconciliation id'),
  terminalId: z.string(),
  state: z.enum(SETTLEMENT_STATES),
  currency: z.string(),
  totalMinor: z.number().int(),
  recordCount: z.number().int(),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
  payoutId: z.string().nullable().describe('the bank transfer paying it, once acknowledged'),
});

export const payment = z.object({
  cardId: z.string(),
  cardCounter: z.number().int(),
  amountMinor: z.number().int(),
  currency: z.string(),
  status: z.string().nullable(),
});

export const payout = z.object({
  id: z.string().describe('the bank transfer id (on the shop\'s bank statement)'),
  settlementId: z.string(),
  state: z.enum(PAYOUT_STATES),
  amountMinor: z.number().int(),
  currency: z.string(),
  bankCode: z.string(),
  resultCode: z.string(),
  ledgerTransferId: z.string().nullable(),
  updatedAtMs: z.number().int(),
});

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable(), controlTotals: z.array(controlTotal) });

export const settlementDetail = z.object({
  settlement,
  payments: z.array(payment),
  controlTotals: z.object({ recordCount: z.number().int(), acceptedCount: z.number().int(), acceptedTotalMinor: z.number().int() }),
  payout: payout.nullable(),
});

export const me = z.object({ id: z.string(), name: z.string(), shopId: z.string().nullable(), keyId: z.string() });

export const idParam = z.object({ id: z.string().max(64) }).strict();

export const newReconciliation = z
  .object({
    settlementIds: z.array(hex32).min(1).max(MERCHANT_LIMITS.reconcileSettlementsMax),
    declared: z.object({ count: z.number().int().min(0).max(1_000_000), totalMinor: minor, currency }).strict(),
  })
  .strict();

export const reconciliation = z.object({
  id: z.string(),
  settlementIds: z.array(z.string()),
  declared: z.object({ count: z.number().int(), totalMinor: z.number().int(), currency: z.string() }),
  expected: z.object({ count: z.number().int(), totalMinor: z.number().int(), currency: z.string() }),
  matched: z.boolean(),
  createdAtMs: z.number().int(),
});

export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) });

export const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(MERCHANT_LIMITS.idempotencyKeyCharsMax).describe('unique per operation; reuse it to retry the same request'),
});

export type NewReconciliationBody = z.infer<typeof newReconciliation>;
