/**
 * What the admin API's route modules share (server.ts builds it): the audited
 * unit of work, the clock, the change events, the operator of a request.
 * Its own file so the route modules and the server do not import each other.
 */
import type { EventEmitter } from 'node:events';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { AuditExtension } from '../ledger/audit.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Storage } from '../storage/types.js';
import type { AuditEntry, AuditTrail } from './audit-trail.js';
import type { Operator } from './operators.js';

/** What the route modules share: the audited unit of work and the clock. */
export interface AdminContext {
  readonly storage: Storage;
  readonly ledger: Ledger;
  readonly trail: AuditTrail;
  readonly clock: Clock;
  readonly log: Logger;
  readonly auditExtensions: readonly AuditExtension[];
  /** The audit entry of a request (operator from the token, route template, targets from params and body). */
  entry(req: FastifyRequest, reason?: string): AuditEntry;
  /** Marks the request's row written (ok, or refused by the route itself) and logs the call. */
  done(req: FastifyRequest, rowId: string, entry: AuditEntry, outcome: 'ok' | 'refused' | 'failed', code: string | null): void;
  /** A change storage makes in its own transaction: the row is durable before it acts and completed after. */
  around<T>(req: FastifyRequest, act: () => Promise<T>): Promise<T>;
  /** `change` events (AdminChange) for GET /events watchers, emitted after a mutating call succeeded. */
  readonly events: EventEmitter;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The admin API's context, for modules' admin routes (ModuleRoutes get only the app): their mutating calls audited like the API's own. */
    adminContext?: AdminContext;
  }
}

/** What a watcher of GET /events learns about a change made through the API (never a token). */
export interface AdminChange {
  readonly atMs: number;
  readonly method: string;
  readonly route: string;
  readonly targetIds: readonly string[];
  readonly actor: string | null;
  readonly role: string | null;
}

/** Watchers of GET /events at once; more are refused with ADMIN_BUSY. */
export const ADMIN_EVENT_WATCHERS_MAX = 32;

/** The path parameter every `:id` route has. */
export const idParams = z.object({ id: z.string().min(1).max(128) });

export function operatorOf(req: FastifyRequest): Operator | null {
  return (req.principal as Operator | null) ?? null;
}

