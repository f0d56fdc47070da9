/**
 * The TTP's routes on the admin API (docs/ADMIN-API.md, "Settlement
 * passwords"): the guessing lockouts (lockout.ts) an operator reads and lifts.
 *
 *   GET  /passwords/lockouts          (viewer) scopes counting failures or locked out now
 *   POST /passwords/lockouts/unlock   (operator, audited with its reason) { scope, reason }: lifts the lockout, clears the count
 *
 * The unlock's audit-trail row (operator, role, reason, the scope as target)
 * is written before it acts and completed after (AdminContext), as the
 * admin API's own mutating calls.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import type { AdminContext } from '../admin/context.js';
import { errorResponses } from '../http/app.js';
import type { Passwords } from './passwords.js';

const scope = z.string().regex(/^(key|terminal|addr):[\x21-\x7e]{1,128}$/, 'a lockout scope: key:<API key id>, terminal:<terminal id> or addr:<address>');
const lockout = z.object({ scope: z.string(), failures: z.number().int(), windowStartMs: z.number().int(), lockedUntilMs: z.number().int(), locked: z.boolean() });
const unlockBody = z.object({ scope, reason: z.string().min(3).max(200).describe('why (what the operator checked): kept in the audit trail') }).strict();

export function passwordsAdminRoutes(pw: Passwords): (app: FastifyInstance) => void {
  return (app) => {
    const a = app.withTypeProvider<import('fastify-type-provider-zod').ZodTypeProvider>();
    a.get(
      '/passwords/lockouts',
      { schema: { summary: 'Settlement-password lookup lockouts: scopes counting failures or locked out now (PASSWORD_LOCKED_OUT)', response: { 200: z.object({ items: z.array(lockout) }), ...errorResponses } }, config: { need: 'viewer' } },
      async () => ({ items: await pw.lockout.list() }),
    );
    a.post(
      '/passwords/lockouts/unlock',
      {
        schema: { summary: 'Lift a settlement-password lockout (operator; audited with its reason): the scope may look up passwords again at once', body: unlockBody, response: { 200: z.object({ scope: z.string(), wasLocked: z.boolean() }), ...errorResponses } },
        config: { need: 'operator', audit: true },
      },
      async (req) => audited(app.adminContext, req, req.body.reason, [req.body.scope], () => pw.lockout.unlock(req.body.scope)),
    );
  };
}

/** The audit row (with the reason, the scope as target) before the act, completed after. */
async function audited<T>(ctx: AdminContext | undefined, req: FastifyRequest, reason: string, targetIds: readonly string[], act: () => Promise<T>): Promise<T> {
  if (!ctx) return act();
  const e = { ...ctx.entry(req, reason), targetIds };
  const rowId = await ctx.trail.begin(e, ctx.clock.nowMs());
  try {
    const out = await act();
    await ctx.trail.finish(rowId, 'ok', null, e.targetIds, ctx.clock.nowMs());
    ctx.done(req, rowId, e, 'ok', null);
    return out;
  } catch (err) {
    const code = err instanceof TesseraError ? err.code : 'ADMIN_INTERNAL';
    const outcome = code === 'ADMIN_INTERNAL' ? 'failed' : 'refused';
    await ctx.trail.finish(rowId, outcome, code, e.targetIds, ctx.clock.nowMs()).catch((x: unknown) => ctx.log.error({ err: x, auditRow: rowId }, 'admin audit row not completed'));
    ctx.done(req, rowId, e, outcome, code);
    throw err;
  }
}
