/**
 * Routes other modules add to the merchant API (the voucher redemptions,
 * the settlement-password redemptions): a module that `uses` the merchant
 * API calls `addRoutes(contribution)` on its api in its own open(); the
 * merchant API starts listening in its start(), after every module opened
 * (center/server/start-center.ts), with every contribution registered inside
 * its /v1/ plugin: behind the same API-key auth, per-key rate limit and
 * error answers, and in /openapi.json. A contribution after the listener
 * started is a programming error (it throws).
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { IdempotencyStore } from './idempotency.js';
import type { MerchantPrincipal, MerchantRegistry } from './merchants.js';

/** The /v1/ plugin's app as a contribution gets it (zod type provider). */
export type MerchantApp = Parameters<FastifyPluginAsyncZod>[0];

export interface MerchantRouteContext {
  /** The idempotency store: every POST runs its effect through it (idempotent-route.ts), in the same unit of work. */
  readonly idempotency: IdempotencyStore;
  readonly merchants: MerchantRegistry;
  /** The authenticated caller of a request (API key id and merchant). */
  principal(req: FastifyRequest): MerchantPrincipal;
}

export interface MerchantRouteContribution {
  /** Who contributes (for messages): the module's name. */
  readonly name: string;
  /** The error codes its routes answer; each must have an `http` status in its registry (checked when the app is built). */
  readonly answers: readonly string[];
  readonly routes: (app: MerchantApp, ctx: MerchantRouteContext) => void | Promise<void>;
}
