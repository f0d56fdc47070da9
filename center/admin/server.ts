/**
 * Admin/ops HTTP JSON API on loopback: ledger accounts and transfers,
 * validity data (media, terminals), the audit. Bad input is answered with a
 * coded error and an HTTP status; nothing a client sends can crash it.
 *
 * Routes:
 *   GET  /health                      → { ok, engine, writable } (503 STORE_READ_ONLY when a write fails)
 *   POST /accounts    { accounts, atomic? }   → { results: [{ id, result, resultCode }] }
 *   GET  /accounts/:id                → Account
 *   POST /transfers   { transfers, atomic? }  → { results: [{ id, result, resultCode }] }
 *   GET  /transfers/:id               → Transfer
 *   POST /ledger/sweep                → { voided }
 *   GET  /audit                       → AuditReport
 *   GET  /validity/version            → { version }
 *   POST /media       { media }       → { version }
 *   GET  /media/:id                   → Medium
 *   POST /media/:id/block { status }  → { version }      (status: lost | stolen)
 *   POST /media/:id/unblock | /capture → { version }
 *   POST /terminals   { terminals }   → { version }
 *   GET  /terminals/:id               → Terminal
 *   POST /terminals/:id/block | /unblock → { version }
 * Errors: { error: { code, message, details? } } with the status of http-status.ts.
 * Every POST writes an audit-trail row and a log line (audit-trail.ts); a raw
 * transfer on a system account is refused (system-accounts.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.js';
import { errorCode, httpStatusOf, TesseraError } from '../../core/errors.js';
import './errors.js';
import '../storage/errors.js';
import '../ledger/errors.js';

const statusFor = (code: string): number => httpStatusOf(code) ?? 500;
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { auditLedger, type AuditExtension } from '../ledger/audit.js';
import type { Ledger } from '../ledger/ledger.js';
import { CreateAccountResult, CreateTransferResult } from '../ledger/results.js';
import type { NewAccount, NewTransfer } from '../ledger/types.js';
import { ADMIN_BODY_MAX_BYTES, ADMIN_BODY_TIMEOUT_MS, ADMIN_INFLIGHT_MAX } from '../limits.js';
import { checkWritable } from '../storage/open.js';
import type { NewMedium, NewTerminal, Storage } from '../storage/types.js';
import { adminMigrations, AuditTrail, targetIdsOf } from './audit-trail.js';
import { refuseSystemTransfers } from './system-accounts.js';
import { addMediaBody, addTerminalsBody, blockMediumBody, createAccountsBody, createTransfersBody, emptyBody } from './schemas.js';

export interface AdminServerOptions {
  readonly storage: Storage;
  readonly ledger: Ledger;
  readonly host?: string;
  readonly port?: number;
  readonly log?: Logger;
  readonly clock?: Clock;
  readonly random?: Random;
  /** Module checks GET /audit runs beside the ledger's (e.g. the e-money float). */
  readonly auditExtensions?: readonly AuditExtension[];
}

export interface AdminServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

type Handler = (params: string[], body: unknown) => Promise<unknown>;
interface Route {
  readonly method: 'GET' | 'POST';
  /** The path with `:id` for each parameter (the audit trail's `route`). */
  readonly template: string;
  readonly pattern: RegExp;
  readonly handler: Handler;
}

/** zod's optional fields may hold `undefined`; the domain types (exactOptionalPropertyTypes) want them absent. */
function dropUndefined<T>(o: object): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const issues = r.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new TesseraError('ADMIN_INVALID_BODY', 'request body has the wrong shape', { issues });
  }
  return r.data;
}

function notFound(what: string, id: string | undefined): never {
  throw new TesseraError('ADMIN_NOT_FOUND', `${what} not found`, { id });
}

function routes(storage: Storage, ledger: Ledger, auditExtensions: readonly AuditExtension[]): Route[] {
  const seg = '([^/]+)';
  const r = (method: Route['method'], path: string, handler: Handler): Route => ({
    method, template: path.split(seg).join(':id'), pattern: new RegExp(`^${path}$`), handler,
  });
  return [
    // A database that cannot be written is not healthy: the probe answers STORE_READ_ONLY (503) instead of ok.
    r('GET', '/health', async () => {
      await checkWritable(storage);
      return { ok: true, engine: storage.engine, writable: true };
    }),
    r('POST', '/accounts', async (_, body) => {
      const b = parse(createAccountsBody, body);
      const out = await ledger.createAccounts(b.accounts.map((a) => dropUndefined<NewAccount>(a)), { atomic: b.atomic === true });
      return { results: out.map((o) => ({ id: o.id, result: CreateAccountResult[o.result], resultCode: o.result })) };
    }),
    r('GET', `/accounts/${seg}`, async ([id]) => (await ledger.lookupAccounts([id!]))[0] ?? notFound('account', id)),
    r('POST', '/transfers', async (_, body) => {
      const b = parse(createTransfersBody, body);
      const transfers = b.transfers.map((t) => dropUndefined<NewTransfer>(t));
      await refuseSystemTransfers(ledger, transfers);
      const out = await ledger.createTransfers(transfers, { atomic: b.atomic === true });
      return { results: out.map((o) => ({ id: o.id, result: CreateTransferResult[o.result], resultCode: o.result })) };
    }),
    r('GET', `/transfers/${seg}`, async ([id]) => (await ledger.lookupTransfers([id!]))[0] ?? notFound('transfer', id)),
    r('POST', '/ledger/sweep', async (_, body) => (parse(emptyBody, body), { voided: await ledger.voidExpiredPending() })),
    r('GET', '/audit', async () => auditLedger(storage, auditExtensions)),
    r('GET', '/validity/version', async () => ({ version: await storage.getValidityVersion() })),
    r('POST', '/media', async (_, body) => ({
      version: await storage.addMedia(parse(addMediaBody, body).media.map((m) => dropUndefined<NewMedium>(m))),
    })),
    r('GET', `/media/${seg}`, async ([id]) => (await storage.getMedium(id!)) ?? notFound('medium', id)),
    r('POST', `/media/${seg}/block`, async ([id], body) => ({ version: await storage.blockMedium(id!, parse(blockMediumBody, body).status) })),
    r('POST', `/media/${seg}/unblock`, async ([id], body) => (parse(emptyBody, body), { version: await storage.unblockMedium(id!) })),
    r('POST', `/media/${seg}/capture`, async ([id], body) => (parse(emptyBody, body), { version: await storage.captureMedium(id!) })),
    r('POST', '/terminals', async (_, body) => ({
      version: await storage.addTerminals(parse(addTerminalsBody, body).terminals.map((t) => dropUndefined<NewTerminal>(t))),
    })),
    r('GET', `/terminals/${seg}`, async ([id]) => (await storage.getTerminal(id!)) ?? notFound('terminal', id)),
    r('POST', `/terminals/${seg}/block`, async ([id], body) => (parse(emptyBody, body), { version: await storage.blockTerminal(id!) })),
    r('POST', `/terminals/${seg}/unblock`, async ([id], body) => (parse(emptyBody, body), { version: await storage.unblockTerminal(id!) })),
  ];
}

/** Reads the body up to ADMIN_BODY_MAX_BYTES and parses it as JSON (empty body: undefined). */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > ADMIN_BODY_MAX_BYTES) throw new TesseraError('ADMIN_BODY_TOO_LARGE', 'body too large', { bytes: declared });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > ADMIN_BODY_MAX_BYTES) throw new TesseraError('ADMIN_BODY_TOO_LARGE', 'body too large', { bytes: size });
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown;
  } catch {
    throw new TesseraError('ADMIN_BAD_JSON', 'body is not JSON', { bytes: size });
  }
}

function pathOf(url: string | undefined): string {
  try {
    return decodeURIComponent(new URL(url ?? '/', 'http://admin').pathname);
  } catch {
    throw new TesseraError('ADMIN_NO_ROUTE', 'malformed path', {});
  }
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  if (res.headersSent) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  await opts.storage.migrate(adminMigrations);
  const trail = new AuditTrail(opts.storage, opts.random ?? systemRandom);
  const table = routes(opts.storage, opts.ledger, opts.auditExtensions ?? []);
  let inflight = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    const matching = table.filter((r) => r.pattern.test(path));
    const route = matching.find((r) => r.method === req.method);
    if (!route) throw new TesseraError('ADMIN_NO_ROUTE', `no route ${req.method} ${path}`, { allowed: matching.map((r) => r.method) });
    const params = route.pattern.exec(path)!.slice(1);
    if (route.method === 'GET') return send(res, 200, await route.handler(params, undefined));
    send(res, 200, await audited(req, route, params));
  }

  /** A mutating call: the trail row is durable before it acts, and completed (and logged) with its outcome. */
  async function audited(req: IncomingMessage, route: Route, params: string[]): Promise<unknown> {
    const entry = { actor: null, role: null, method: route.method, route: route.template, targetIds: params, sourceAddress: req.socket.remoteAddress ?? null };
    const rowId = await trail.begin(entry, clock.nowMs());
    let targets: string[] = params;
    const done = async (outcome: 'ok' | 'refused' | 'failed', code: string | null): Promise<void> => {
      log.info({ route: `${route.method} ${route.template}`, targets: targets.length, outcome, code, source: entry.sourceAddress, auditRow: rowId }, 'admin call');
      await trail.finish(rowId, outcome, code, targets, clock.nowMs());
    };
    try {
      const body = await readJson(req);
      targets = targetIdsOf(params, body);
      const out = await route.handler(params, body);
      await done('ok', null);
      return out;
    } catch (e) {
      const code = e instanceof TesseraError ? e.code : 'ADMIN_INTERNAL';
      await done(statusFor(code) >= 500 ? 'failed' : 'refused', code).catch((err: unknown) => log.error({ err, auditRow: rowId }, 'admin audit row not completed'));
      throw e;
    }
  }

  const server: Server = createServer((req, res) => {
    if (inflight >= ADMIN_INFLIGHT_MAX) {
      send(res, 503, { error: { code: 'ADMIN_BUSY', message: 'too many requests in flight' } });
      return;
    }
    inflight++;
    handle(req, res)
      .catch((e: unknown) => {
        const code = e instanceof TesseraError ? e.code : 'ADMIN_INTERNAL';
        const status = statusFor(code);
        if (status >= 500) log.error({ err: e, code, url: req.url }, 'admin request failed');
        // The code has its own field: the message is the sentence alone, as docs/ADMIN-API.md shows it
        // (a TesseraError's own message starts with `${code}: `).
        const message = e instanceof TesseraError ? e.message.replace(`${code}: `, '') : 'internal error';
        const details = e instanceof TesseraError ? e.details : { cause: errorCode(e) };
        send(res, status, { error: { code, message, ...(details ? { details } : {}) } });
      })
      .finally(() => {
        inflight--;
      });
  });
  server.requestTimeout = ADMIN_BODY_TIMEOUT_MS;
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
