/**
 * Ledger routes of the admin API. Accounts, transfers and adjustments are
 * written with their audit-trail row in one transaction; a raw transfer on a
 * system account is refused (ADMIN_SYSTEM_ACCOUNT): an operator correction
 * there is an adjustment (admin role, mandatory reason, ledger code 901,
 * listed by `tessera audit`).
 */
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { errorResponses, openObject, type RouteContributor } from '../http/app.js';
import { auditLedger } from '../ledger/audit.js';
import { CreateAccountResult, CreateTransferResult } from '../ledger/results.js';
import type { NewAccount, NewTransfer } from '../ledger/types.js';
import { ACCOUNT_COLUMNS, accountFromRow, accountRowFrom, TRANSFER_COLUMNS, transferFromRow, transferRowFrom } from '../ledger/schema.js';
import { ACCOUNT_KINDS } from '../ledger/types.js';
import type { SqlParam } from '../storage/types.js';
import { ADJUSTMENT_LEDGER_CODE } from './audit-trail.js';
import { createAccountsBody, createTransfersBody, emptyBody } from './schemas.js';
import { idParams, operatorOf, type AdminContext } from './server.js';
import { refuseSystemTransfers } from './system-accounts.js';

/** zod's optional fields may hold `undefined`; the domain types (exactOptionalPropertyTypes) want them absent. */
export function dropUndefined<T>(o: object): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const results = z.object({ results: z.array(z.object({ id: z.string(), result: z.string(), resultCode: z.number() })) });

export const adjustmentBody = z
  .object({
    id: z.string().regex(/^[0-9a-f]{32}$/),
    debitAccountId: z.string().min(1).max(64),
    creditAccountId: z.string().min(1).max(64),
    amountMinor: z.number().int().positive(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    /** Why the books are corrected by hand (a ticket, an incident): kept in the audit trail. */
    reason: z.string().trim().min(8).max(500),
  })
  .strict();

const pageQuery = { limit: z.coerce.number().int().min(1).max(1_000).default(100), after: z.string().min(1).max(64).optional() };
const accountsQuery = z.object({ ...pageQuery, kind: z.enum(ACCOUNT_KINDS).optional(), institution: z.string().max(8).optional(), currency: z.string().regex(/^[A-Z]{3}$/).optional() }).strict();
const transfersQuery = z.object({ ...pageQuery, account: z.string().min(1).max(64).optional(), code: z.coerce.number().int().min(0).max(65_535).optional() }).strict();

/** `WHERE` text and params for the filters given (each `column = ?`), plus the id cursor. */
function where(filters: ReadonlyArray<[string, SqlParam | undefined]>, after: string | undefined): { sql: string; params: SqlParam[] } {
  const parts: string[] = [];
  const params: SqlParam[] = [];
  for (const [clause, value] of filters) {
    if (value === undefined) continue;
    parts.push(clause);
    for (let i = 0; i < clause.split('?').length - 1; i++) params.push(value);
  }
  if (after !== undefined) {
    parts.push('id > ?');
    params.push(after);
  }
  return { sql: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function ledgerRoutes(ctx: AdminContext): RouteContributor {
  const { storage, ledger, trail, clock } = ctx;
  return (app) => {
    app.post('/accounts', {
      schema: { body: createAccountsBody, response: { 200: results, ...errorResponses } },
      config: { need: 'admin', audit: true },
    }, async (req) => {
      const accounts = req.body.accounts.map((a) => dropUndefined<NewAccount>(a));
      const e = ctx.entry(req);
      const { out, rowId } = await storage.transact(async (tx) => {
        const r = await ledger.createAccountsIn(tx, accounts, req.body.atomic === true);
        return { out: r, rowId: await trail.recordIn(tx, e, 'ok', null, clock.nowMs()) };
      });
      ctx.done(req, rowId, e, 'ok', null);
      return { results: out.map((r, i) => ({ id: accounts[i]!.id, result: CreateAccountResult[r], resultCode: r })) };
    });

    app.post('/transfers', {
      schema: { body: createTransfersBody, response: { 200: results, ...errorResponses } },
      config: { need: 'admin', audit: true },
    }, async (req) => {
      const transfers = req.body.transfers.map((t) => dropUndefined<NewTransfer>(t));
      await refuseSystemTransfers(ledger, transfers);
      const e = ctx.entry(req);
      const { out, rowId } = await storage.transact(async (tx) => {
        const r = await ledger.createTransfersIn(tx, transfers, req.body.atomic === true);
        return { out: r, rowId: await trail.recordIn(tx, e, 'ok', null, clock.nowMs()) };
      });
      ctx.done(req, rowId, e, 'ok', null);
      return { results: out.map((r, i) => ({ id: transfers[i]!.id, result: CreateTransferResult[r], resultCode: r })) };
    });

    app.post('/ledger/adjustments', {
      schema: {
        description: 'An operator correction of the books, on any accounts (system accounts included): admin role, mandatory reason, in the audit trail and in `tessera audit`.',
        body: adjustmentBody,
        response: { 200: z.object({ id: z.string(), result: z.string(), resultCode: z.number() }), ...errorResponses },
      },
      config: { need: 'admin', audit: true },
    }, async (req) => {
      const b = req.body;
      const op = operatorOf(req);
      const transfer: NewTransfer = {
        id: b.id, debitAccountId: b.debitAccountId, creditAccountId: b.creditAccountId, amountMinor: b.amountMinor, currency: b.currency,
        code: ADJUSTMENT_LEDGER_CODE, reference: `adjustment by ${op?.name ?? '?'}`,
      };
      const e = ctx.entry(req, b.reason);
      const { r, rowId } = await storage.transact(async (tx) => {
        const [res] = await ledger.createTransfersIn(tx, [transfer], false);
        if (res !== CreateTransferResult.ok && res !== CreateTransferResult.exists) {
          throw new TesseraError('ADMIN_ADJUSTMENT_REFUSED', 'the ledger refused the adjustment; nothing was booked', { result: CreateTransferResult[res!] });
        }
        return { r: res!, rowId: await trail.recordIn(tx, e, 'ok', null, clock.nowMs()) };
      });
      ctx.done(req, rowId, e, 'ok', null);
      return { id: b.id, result: CreateTransferResult[r], resultCode: r };
    });

    app.get('/accounts', {
      schema: {
        description: 'Accounts in id order, a page at a time (`after`: the `next` of the previous page), filtered by kind, institution, currency.',
        querystring: accountsQuery,
        response: { 200: z.object({ items: z.array(openObject({ id: z.string(), kind: z.string() })), next: z.string().nullable() }), ...errorResponses },
      },
      config: { need: 'viewer' },
    }, async (req) => {
      const q = req.query;
      const w = where([['kind = ?', q.kind], ['institution = ?', q.institution], ['currency = ?', q.currency]], q.after);
      const rows = await storage.read((x) => x.all(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts ${w.sql} ORDER BY id LIMIT ?`, [...w.params, q.limit]));
      const items = rows.map((r) => accountFromRow(accountRowFrom(r)));
      return { items, next: items.length === q.limit ? (items.at(-1)?.id ?? null) : null };
    });
    app.get('/transfers', {
      schema: {
        description: 'Transfers in id order, a page at a time (`after`: the `next` of the previous page), filtered by an account (debit or credit) and a ledger code (901: adjustments).',
        querystring: transfersQuery,
        response: { 200: z.object({ items: z.array(openObject({ id: z.string(), amountMinor: z.number() })), next: z.string().nullable() }), ...errorResponses },
      },
      config: { need: 'viewer' },
    }, async (req) => {
      const q = req.query;
      const w = where([['(debit_account_id = ? OR credit_account_id = ?)', q.account], ['code = ?', q.code]], q.after);
      const rows = await storage.read((x) => x.all(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers ${w.sql} ORDER BY id LIMIT ?`, [...w.params, q.limit]));
      const items = rows.map((r) => transferFromRow(transferRowFrom(r)));
      return { items, next: items.length === q.limit ? (items.at(-1)?.id ?? null) : null };
    });

    app.get('/accounts/:id', { schema: { params: idParams, response: { 200: openObject({ id: z.string(), kind: z.string() }), ...errorResponses } }, config: { need: 'viewer' } }, async (req) =>
      (await ledger.lookupAccounts([req.params.id]))[0] ?? notFound('account', req.params.id));
    app.get('/transfers/:id', { schema: { params: idParams, response: { 200: openObject({ id: z.string(), amountMinor: z.number() }), ...errorResponses } }, config: { need: 'viewer' } }, async (req) =>
      (await ledger.lookupTransfers([req.params.id]))[0] ?? notFound('transfer', req.params.id));

    app.post('/ledger/sweep', {
      schema: { body: emptyBody, response: { 200: z.object({ voided: z.number() }), ...errorResponses } },
      config: { need: 'operator', audit: true },
    }, async (req) => ({ voided: await ctx.around(req, () => ledger.voidExpiredPending()) }));

    app.get('/audit', {
      schema: { response: { 200: openObject({ ok: z.boolean(), accounts: z.number(), transfers: z.number() }), ...errorResponses } },
      config: { need: 'viewer' },
    }, async () => auditLedger(storage, ctx.auditExtensions));
  };
}

export function notFound(what: string, id: string): never {
  throw new TesseraError('ADMIN_NOT_FOUND', `${what} not found`, { id });
}
