/**
 * The admin (operator) HTTP API on the shared HTTP surface (center/http):
 * ledger accounts, transfers and adjustments, validity data (media,
 * terminals), the audit, the audit trail, health. Reference:
 * docs/ADMIN-API.md; the OpenAPI document is served at /openapi.json.
 *
 * Every route but the probes needs an operator's bearer token
 * (operators.ts): GETs any role, validity changes `operator`, ledger changes
 * `admin`. Every mutating call has an audit-trail row with the operator and
 * role (audit-trail.ts) and a log line; a raw transfer on a system account is
 * refused (system-accounts.ts): a correction there is an adjustment.
 */
import { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { HTTP_LIMITS } from '../http/limits.js';
import { errorResponses, openObject, startHttpServer, type HttpApp, type HttpListening, type RouteContributor } from '../http/app.js';
import '../ledger/errors.js';
import { type AuditExtension } from '../ledger/audit.js';
import type { Ledger } from '../ledger/ledger.js';
import { ledgerMigrations } from '../ledger/schema.js';
import { CENTER_LIMITS } from '../limits.js';
import '../storage/errors.js';
import type { ModuleMigrations, Storage } from '../storage/types.js';
import { adminMigrations, ADJUSTMENTS_AUDIT, AuditTrail, targetIdsOf, type AuditEntry } from './audit-trail.js';
import { ADMIN_HTTP_ANSWERS } from './errors.js';
import { readinessRoutes, type ReadinessCheck } from './health.js';
import { ledgerRoutes } from './ledger-routes.js';
import { Operators, roleAllows, type Operator } from './operators.js';
import { validityRoutes, type FleetView } from './validity-routes.js';
import type { TerminalPresence } from '../fleet/fleet.js';
import type { FlowOutcome, OutcomeFeed } from '../server/outcomes.js';
import { ADMIN_EVENT_WATCHERS_MAX, operatorOf, type AdminChange, type AdminContext } from './context.js';
export { ADMIN_EVENT_WATCHERS_MAX, idParams, operatorOf, type AdminChange, type AdminContext } from './context.js';
import { ValidityRepository } from '../validity/repository.js';

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
  /** HTTPS with this certificate and key (PEM); without it the listener must be on loopback. */
  readonly tls?: { readonly cert: Buffer | string; readonly key: Buffer | string };
  /** More routes on this listener (/metrics, a module's admin routes). */
  readonly contributors?: readonly RouteContributor[];
  /** /readyz checks beyond the database and the migrations (validity store loaded, banks reachable). */
  readonly readiness?: readonly ReadinessCheck[];
  /** Modules whose migrations /readyz requires current (default: admin and ledger). */
  readonly migrations?: readonly ModuleMigrations[];
  /** The validity lists the media/terminal routes write (default: opened on storage). They move into the validity module's routes later. */
  readonly validity?: ValidityRepository;
  /** The fleet view (center/fleet): terminals' online/offline, last seen, address, version; GET /nodes; presence events. */
  readonly fleet?: FleetView;
  /** The modules' flow outcomes (a validity decision, a charge answered): `event: outcome` on GET /events. */
  readonly outcomes?: OutcomeFeed;
}

export interface AdminServer {
  readonly port: number;
  readonly url: string;
  readonly app: HttpApp;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A mutating admin route: it has an audit-trail row whatever its outcome. */
    audit?: boolean;
  }
}

function adminContext(storage: Storage, ledger: Ledger, trail: AuditTrail, clock: Clock, log: Logger, auditExtensions: readonly AuditExtension[]): {
  ctx: AdminContext;
  audited: WeakSet<FastifyRequest>;
} {
  const audited = new WeakSet<FastifyRequest>();
  const events = new EventEmitter();
  events.setMaxListeners(ADMIN_EVENT_WATCHERS_MAX + 1);
  const ctx: AdminContext = {
    storage, ledger, trail, clock, log, auditExtensions, events,
    entry(req, reason) {
      const op = operatorOf(req);
      return {
        actor: op?.name ?? null,
        role: op?.role ?? null,
        method: req.method,
        route: req.routeOptions.url ?? req.url.split('?')[0] ?? '/',
        targetIds: targetIdsOf(Object.values((req.params ?? {}) as Record<string, string>), req.body),
        sourceAddress: req.socket.remoteAddress ?? null,
        ...(reason !== undefined && { reason }),
      };
    },
    done(req, rowId, e, outcome, code) {
      audited.add(req);
      log.info({ route: `${e.method} ${e.route}`, targets: e.targetIds.length, outcome, code, actor: e.actor, role: e.role, source: e.sourceAddress, auditRow: rowId }, 'admin call');
      if (outcome === 'ok') {
        const change: AdminChange = { atMs: clock.nowMs(), method: e.method, route: e.route, targetIds: e.targetIds, actor: e.actor, role: e.role };
        events.emit('change', change);
      }
    },
    async around(req, act) {
      const e = ctx.entry(req);
      const rowId = await trail.begin(e, clock.nowMs());
      try {
        const out = await act();
        await trail.finish(rowId, 'ok', null, e.targetIds, clock.nowMs());
        ctx.done(req, rowId, e, 'ok', null);
        return out;
      } catch (err) {
        const code = err instanceof TesseraError ? err.code : 'ADMIN_INTERNAL';
        const outcome = code === 'ADMIN_INTERNAL' || /^STORE_(OVERLOADED|COMMIT_FAILED|CLOSED|UNSAFE_INTEGER)$/.test(code) ? 'failed' : 'refused';
        await trail.finish(rowId, outcome, code, e.targetIds, clock.nowMs()).catch((x: unknown) => log.error({ err: x, auditRow: rowId }, 'admin audit row not completed'));
        ctx.done(req, rowId, e, outcome, code);
        throw err;
      }
    },
  };
  return { ctx, audited };
}

/** A mutating call refused before its route acted (no/bad token, wrong role, bad body): its row, written before the answer leaves. */
function auditRefusals(app: HttpApp, ctx: AdminContext, audited: WeakSet<FastifyRequest>): void {
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (req.routeOptions.config.audit !== true || audited.has(req) || reply.statusCode < 400) return payload;
    let code: string | null = null;
    try {
      code = String((JSON.parse(String(payload)) as { error: { code: string } }).error.code);
    } catch {
      code = null;
    }
    const e = ctx.entry(req);
    const outcome = reply.statusCode >= 500 ? 'failed' : 'refused';
    const rowId = await ctx.trail.record(e, outcome, code, ctx.clock.nowMs());
    ctx.done(req, rowId, e, outcome, code);
    return payload;
  });
}

function auditTrailRoutes(ctx: AdminContext): RouteContributor {
  const query = z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(100), before: z.string().max(100).optional() }).strict();
  const row = openObject({ id: z.string(), atMs: z.number(), actor: z.string().nullable(), role: z.string().nullable(), route: z.string(), outcome: z.string() });
  return (app) => {
    app.get('/audit-trail', {
      schema: { querystring: query, response: { 200: z.object({ items: z.array(row), next: z.string().nullable() }), ...errorResponses } },
      config: { need: 'viewer' },
    }, async (req) => {
      let before: { atMs: number; id: string } | null = null;
      if (req.query.before !== undefined) {
        const m = /^(\d{1,16})\.([0-9a-f]{32})$/.exec(req.query.before);
        if (!m) throw new TesseraError('ADMIN_BAD_CURSOR', 'not a cursor of this API', {});
        before = { atMs: Number(m[1]), id: m[2]! };
      }
      const items = await ctx.trail.list(req.query.limit, before);
      const last = items.at(-1);
      return { items, next: items.length === req.query.limit && last ? `${last.atMs}.${last.id}` : null };
    });
  };
}

/** GET /nodes: the center nodes of this database (node registry) with their state. */
function nodeRoutes(fleet: FleetView | null): RouteContributor {
  const query = z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(100), after: z.string().min(1).max(64).optional() }).strict();
  const node = openObject({ id: z.string(), host: z.string(), version: z.string(), state: z.enum(['up', 'down', 'stopped']), heartbeatAtMs: z.number() });
  return (app) => {
    app.get('/nodes', {
      schema: {
        description: 'Center nodes on this database by id, a page at a time (`after`: the last id of the previous page): host, pid, version, protocol versions, heartbeat, state (up, down, stopped).',
        querystring: query,
        response: { 200: z.object({ items: z.array(node), next: z.string().nullable() }), ...errorResponses },
      },
      config: { need: 'viewer' },
    }, async (req) => {
      const items = fleet ? await fleet.listNodes({ afterId: req.query.after ?? null, limit: req.query.limit }) : [];
      return { items, next: items.length === req.query.limit ? (items.at(-1)?.id ?? null) : null };
    });
  };
}

/**
 * GET /events: Server-Sent Events for the operator console. Each change made
 * through the API (a block, an unblock, an adjustment, …) arrives as
 * `event: change` with an AdminChange as data, after its audit row; a
 * terminal going online or offline as `event: terminal`; a flow step ending
 * (a validity decision, a charge answered) as `event: outcome`.
 */
function eventRoutes(ctx: AdminContext, fleet: FleetView | null, outcomes: OutcomeFeed | null): RouteContributor {
  return (app) => {
    app.get('/events', {
      schema: {
        description:
          'Server-Sent Events (text/event-stream): `event: change`, data an AdminChange { atMs, method, route, targetIds, actor, role }, for each change made through this API; ' +
          '`event: terminal`, data { terminalId, online, nodeId, remoteAddress, atMs }, when a terminal goes online (its first TERMINAL_STATUS on a session of this node) or offline (that session ended); ' +
          '`event: outcome`, data a FlowOutcome { flow, step, outcome, code, terminalId, subject, atMs }, when a flow step of this node ends: a validity decision (flow validity, step admit: ack, early-ack or nak with its reason; step transaction: cleared or nak), an e-money charge answered (flow emoney, step charge: approved or refused with its result code).',
        response: { 200: z.string(), ...errorResponses },
      },
      config: { need: 'viewer' },
    }, async (req, reply) => {
      if (ctx.events.listenerCount('change') >= ADMIN_EVENT_WATCHERS_MAX) {
        throw new TesseraError('ADMIN_BUSY', 'too many event watchers', { watchersMax: ADMIN_EVENT_WATCHERS_MAX });
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
      res.write(': watching\n\n');
      const send = (c: AdminChange): void => void res.write(`event: change\ndata: ${JSON.stringify(c)}\n\n`);
      ctx.events.on('change', send);
      const unwatch = fleet?.onPresence((p: TerminalPresence) => void res.write(`event: terminal\ndata: ${JSON.stringify(p)}\n\n`));
      const unwatchOutcomes = outcomes?.watch((o: FlowOutcome) => void res.write(`event: outcome\ndata: ${JSON.stringify(o)}\n\n`));
      req.raw.once('close', () => {
        ctx.events.off('change', send);
        unwatch?.();
        unwatchOutcomes?.();
      });
    });
  };
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? systemRandom;
  await opts.storage.migrate(adminMigrations);
  const trail = new AuditTrail(opts.storage, random);
  const operators = new Operators(opts.storage, random);
  const auditExtensions = [...(opts.auditExtensions ?? []), ADJUSTMENTS_AUDIT];
  const { ctx, audited } = adminContext(opts.storage, opts.ledger, trail, clock, log, auditExtensions);
  const server: HttpListening = await startHttpServer({
    title: 'Tessera center admin API',
    description: 'Operators steer the fleet and the books. Reference: docs/ADMIN-API.md.',
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    log,
    ...(opts.tls && { tls: opts.tls }),
    codes: { badJson: 'ADMIN_BAD_JSON', invalidRequest: 'ADMIN_INVALID_BODY', bodyTooLarge: 'ADMIN_BODY_TOO_LARGE', noRoute: 'ADMIN_NO_ROUTE', overloaded: 'ADMIN_BUSY', internal: 'ADMIN_INTERNAL' },
    answers: ADMIN_HTTP_ANSWERS,
    // Operators' desks are limited per address; this host's own tools (the CLI, the crash test's clients) are not.
    rateLimit: { max: HTTP_LIMITS.rateRequestsMax, timeWindowMs: HTTP_LIMITS.rateWindowMs, allowList: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] },
    bodyBytesMax: CENTER_LIMITS.adminBodyBytesMax,
    inflightMax: CENTER_LIMITS.adminInFlightMax,
    requestTimeoutMs: CENTER_LIMITS.adminBodyTimeoutMs,
    auth: {
      verify: (token) => operators.verify(token),
      allows: (op: Operator, need) => roleAllows(op.role, need),
    },
    contributors: [
      (app) => auditRefusals(app, ctx, audited),
      // Modules' admin routes (after these) find the audited unit of work here.
      (app) => void app.decorate('adminContext', ctx),
      readinessRoutes(opts.storage, opts.migrations ?? [adminMigrations, ledgerMigrations], opts.readiness ?? []),
      ledgerRoutes(ctx),
      validityRoutes(ctx, opts.validity ?? (await ValidityRepository.open(opts.storage)), opts.fleet ?? null),
      nodeRoutes(opts.fleet ?? null),
      auditTrailRoutes(ctx),
      eventRoutes(ctx, opts.fleet ?? null, opts.outcomes ?? null),
      ...(opts.contributors ?? []),
    ],
  });
  return { port: server.port, url: server.url, app: server.app, close: () => server.close() };
}
