/**
 * The e-money module's routes on the admin API (viewer role): charges,
 * settlement batches and settlements (the shop payouts of batches), read
 * with the module's row mappers. Filters are query parameters; pages are in
 * id order (`after`: the `next` of the previous page), so paging is stable
 * while rows change state. Reference: docs/ADMIN-API.md, "E-money".
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { errorResponses, type HttpApp } from '../http/app.js';
import type { SqlParam, Storage } from '../storage/types.js';
import { BATCH_ROWS, BATCH_STATES, type Batch } from './batch-row.js';
import { CHARGE_ROWS, CHARGE_STATES, type Charge } from './charge-row.js';
import { derivedId } from './ledger-map.js';

const ID = /^[A-Za-z0-9._:-]{1,64}$/;
const page = {
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  after: z.string().regex(ID).optional().describe('the `next` of the previous page'),
};
const terminalId = z.string().regex(/^[A-Z0-9-]{1,16}$/).optional();
const bankCode = z.string().regex(/^[0-9]{4}$/).optional();
const shopId = z.string().min(1).max(64).optional();

export const SETTLEMENT_STATES = ['pending', 'paid', 'failed'] as const;
const SETTLEMENT_BATCH_STATE = { pending: 'acked', paid: 'settled', failed: 'pay_failed' } as const;

const chargesQuery = z.object({ ...page, state: z.enum(CHARGE_STATES.states).optional(), terminalId, bankCode, cardId: z.string().regex(/^[0-9a-f]{16}$/).optional() }).strict();
const batchesQuery = z.object({ ...page, state: z.enum(BATCH_STATES.states).optional(), terminalId, shopId, bankCode }).strict();
const settlementsQuery = z.object({ ...page, state: z.enum(SETTLEMENT_STATES).optional(), terminalId, shopId, bankCode }).strict();
const idParams = z.object({ id: z.string().regex(ID) });

const charge = z.object({
  id: z.string(),
  terminalId: z.string(),
  state: z.enum(CHARGE_STATES.states),
  amountMinor: z.number(),
  currency: z.string(),
  bankCode: z.string(),
  branchCode: z.string(),
  accountLast4: z.string().describe('the last 4 digits of the charged account (the whole number is never shown)'),
  code: z.string().describe('the last bank or center result code'),
  cardId: z.string().nullable(),
  authCounter: z.number().nullable(),
  inDoubtMs: z.number().nullable(),
  createdMs: z.number(),
  updatedMs: z.number(),
});
const batch = z.object({
  id: z.string(),
  terminalId: z.string(),
  shopId: z.string(),
  bankCode: z.string(),
  state: z.enum(BATCH_STATES.states),
  recordCount: z.number(),
  totalMinor: z.number(),
  currency: z.string(),
  code: z.string(),
  createdMs: z.number(),
  updatedMs: z.number(),
});
const settlement = z.object({
  id: z.string().describe('the bank transfer id of the payout'),
  batchId: z.string(),
  terminalId: z.string(),
  shopId: z.string(),
  state: z.enum(SETTLEMENT_STATES),
  amountMinor: z.number(),
  currency: z.string(),
  bankCode: z.string(),
  resultCode: z.string(),
  ledgerTransferId: z.string().nullable(),
  createdMs: z.number(),
  updatedMs: z.number(),
});
const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next: z.string().nullable() });

export function chargeView(c: Charge): z.infer<typeof charge> {
  return {
    id: c.id, terminalId: c.terminalId, state: c.state, amountMinor: c.amountMinor, currency: c.currency,
    bankCode: c.bankCode, branchCode: c.branchCode, accountLast4: c.accountNumber.slice(-4), code: c.code,
    cardId: c.cardId, authCounter: c.authCounter, inDoubtMs: c.inDoubtMs, createdMs: c.createdMs, updatedMs: c.updatedMs,
  };
}

export function batchView(b: Batch): z.infer<typeof batch> {
  return {
    id: b.id, terminalId: b.terminalId, shopId: b.shopId, bankCode: b.bankCode, state: b.state,
    recordCount: (JSON.parse(b.records) as unknown[]).length, totalMinor: b.totalMinor, currency: b.currency, code: b.code,
    createdMs: b.createdMs, updatedMs: b.updatedMs,
  };
}

function settlementView(b: Batch): z.infer<typeof settlement> {
  const state = b.state === 'acked' ? 'pending' : b.state === 'settled' ? 'paid' : 'failed';
  return {
    id: derivedId(b.id, 'PAY'), batchId: b.id, terminalId: b.terminalId, shopId: b.shopId, state,
    amountMinor: b.totalMinor, currency: b.currency, bankCode: b.bankCode, resultCode: state === 'pending' ? 'PENDING' : b.code,
    ledgerTransferId: state === 'paid' && b.totalMinor > 0 ? derivedId(b.id, 'SHOP_PAID') : null,
    createdMs: b.createdMs, updatedMs: b.updatedMs,
  };
}

/** `WHERE id > ? AND col = ? …` from the filters given (undefined: not filtered). */
function where(after: string | undefined, filters: ReadonlyArray<readonly [string, SqlParam | undefined]>, extra?: { sql: string; params: SqlParam[] }): { sql: string; params: SqlParam[] } {
  const parts = ['id > ?'];
  const params: SqlParam[] = [after ?? ''];
  for (const [col, v] of filters) {
    if (v === undefined) continue;
    parts.push(`${col} = ?`);
    params.push(v);
  }
  if (extra) {
    parts.push(extra.sql);
    params.push(...extra.params);
  }
  return { sql: `WHERE ${parts.join(' AND ')}`, params };
}

function notFound(what: string, id: string): never {
  throw new TesseraError('ADMIN_NOT_FOUND', `${what} not found`, { id });
}

const next = <T extends { id: string }>(rows: readonly T[], limit: number): string | null => (rows.length === limit ? (rows.at(-1)?.id ?? null) : null);

/** The routes, for OpenedModule.routes (registered on the admin listener with its operator tokens). */
export function emoneyAdminRoutes(storage: Storage): (app: FastifyInstance) => void {
  return (base) => {
    const app = base as unknown as HttpApp;
    const viewer = { need: 'viewer' } as const;
    app.get('/charges', {
      schema: {
        description: 'E-money charges (bank account → card) by id, a page at a time, filtered by state, terminalId, bankCode, cardId.',
        querystring: chargesQuery,
        response: { 200: pageOf(charge), ...errorResponses },
      },
      config: viewer,
    }, async (req) => {
      const q = req.query;
      const w = where(q.after, [[CHARGE_ROWS.column('state'), q.state], [CHARGE_ROWS.column('terminalId'), q.terminalId], [CHARGE_ROWS.column('bankCode'), q.bankCode], [CHARGE_ROWS.column('cardId'), q.cardId]]);
      const rows = await storage.read((x) => CHARGE_ROWS.all(x, `${w.sql} ORDER BY id LIMIT ?`, [...w.params, q.limit]));
      return { items: rows.map(chargeView), next: next(rows, q.limit) };
    });
    app.get('/charges/:id', { schema: { params: idParams, response: { 200: charge, ...errorResponses } }, config: viewer }, async (req) => {
      const c = await storage.read((x) => CHARGE_ROWS.get(x, 'WHERE id = ?', [req.params.id]));
      return chargeView(c ?? notFound('charge', req.params.id));
    });
    app.get('/batches', {
      schema: {
        description: 'Settlement batches (a terminal\'s purchase records for one shop) by id, a page at a time, filtered by state, terminalId, shopId, bankCode.',
        querystring: batchesQuery,
        response: { 200: pageOf(batch), ...errorResponses },
      },
      config: viewer,
    }, async (req) => {
      const q = req.query;
      const w = where(q.after, [[BATCH_ROWS.column('state'), q.state], [BATCH_ROWS.column('terminalId'), q.terminalId], [BATCH_ROWS.column('shopId'), q.shopId], [BATCH_ROWS.column('bankCode'), q.bankCode]]);
      const rows = await storage.read((x) => BATCH_ROWS.all(x, `${w.sql} ORDER BY id LIMIT ?`, [...w.params, q.limit]));
      return { items: rows.map(batchView), next: next(rows, q.limit) };
    });
    app.get('/batches/:id', { schema: { params: idParams, response: { 200: batch, ...errorResponses } }, config: viewer }, async (req) => {
      const b = await storage.read((x) => BATCH_ROWS.get(x, 'WHERE id = ?', [req.params.id]));
      return batchView(b ?? notFound('batch', req.params.id));
    });
    app.get('/settlements', {
      schema: {
        description: 'Settlements: the shop payouts of acknowledged batches (pending, paid, failed), by batch id a page at a time (`after`: the `next`, a batch id), filtered by state, terminalId, shopId, bankCode.',
        querystring: settlementsQuery,
        response: { 200: pageOf(settlement), ...errorResponses },
      },
      config: viewer,
    }, async (req) => {
      const q = req.query;
      const states: string[] = q.state ? [SETTLEMENT_BATCH_STATE[q.state]] : Object.values(SETTLEMENT_BATCH_STATE);
      const w = where(q.after, [[BATCH_ROWS.column('terminalId'), q.terminalId], [BATCH_ROWS.column('shopId'), q.shopId], [BATCH_ROWS.column('bankCode'), q.bankCode]], {
        sql: `state IN (${states.map(() => '?').join(', ')})`,
        params: states,
      });
      const rows = await storage.read((x) => BATCH_ROWS.all(x, `${w.sql} ORDER BY id LIMIT ?`, [...w.params, q.limit]));
      return { items: rows.map(settlementView), next: next(rows, q.limit) };
    });
  };
}
