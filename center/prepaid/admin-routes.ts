/**
 * The prepaid center's routes on the admin API (docs/PREPAID.md, "Recovery
 * procedure"; `tessera prepaid frozen|recover` call them):
 *
 *   GET  /prepaid/frozen                 (viewer) frozen media, oldest first, each with its clone records
 *   POST /prepaid/media/:id/freeze       (operator, audited with its reason) { reason }: the medium frozen for
 *                                        review (refused everywhere, its balance kept); again: frozen-already
 *   POST /prepaid/media/:id/recover      (operator, audited with its reason) { requestId, newMediumId?, reason }:
 *                                        the frozen medium's balance to a replacement, generation 1's file
 *                                        returned (base64) for the operator to write on the holder's new medium
 *
 * The freeze's and the recovery's audit-trail rows are written before they
 * act and completed after (the admin API's AdminContext), with the operator
 * and the reason.
 * Idempotent by request id: the same request again answers the same file
 * while generation 1 is not confirmed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import type { AdminContext } from '../admin/context.js';
import { errorResponses } from '../http/app.js';
import { PREPAID_LIMITS as L } from './limits.js';
import type { Prepaid } from './prepaid.js';

const mediumId = z.string().regex(/^[0-9a-f]{32}$/, 'a prepaid medium id: 32 lowercase hex');
const clone = z.object({ presentedGen: z.number(), confirmedGen: z.number(), source: z.string(), atMs: z.number() });
const frozenMedium = z.object({
  mediumId: z.string(),
  state: z.string(),
  balanceMinor: z.number(),
  currency: z.string(),
  confirmedGen: z.number(),
  pendingGen: z.number().nullable(),
  frozenReason: z.string().nullable(),
  frozenAtMs: z.number(),
  clones: z.array(clone).describe('every superseded generation presented, oldest first, with the provider that relayed it'),
});
const recoverBody = z
  .object({
    requestId: z.string().regex(/^[0-9a-f]{32}$/, 'requestId: 32 lowercase hex (the recovery\'s idempotency key)'),
    newMediumId: mediumId.optional().describe('the replacement medium\'s id (default: 16 random bytes)'),
    reason: z.string().min(3).max(200).describe('why (what the operator checked): kept in the audit trail'),
  })
  .strict();
const recovered = z.object({
  status: z.enum(['done', 'repeated']),
  mediumId: z.string().describe('the replacement medium'),
  balanceMinor: z.number(),
  file: z.string().nullable().describe('generation 1 of the replacement (base64), to write into slot A of the new medium; null once superseded'),
});

const freezeBody = z
  .object({ reason: z.string().min(3).max(L.freezeReasonCharsMax).describe('why (the holder\'s report, what the operator saw): the medium\'s frozen reason and the audit trail\'s') })
  .strict();
const frozenNow = z.object({
  status: z.enum(['frozen', 'frozen-already']).describe('frozen-already: it was frozen before (its first reason kept)'),
  mediumId: z.string(),
  balanceMinor: z.number().describe('kept for the holder: recover it to a replacement (POST /prepaid/media/:id/recover)'),
  currency: z.string(),
  confirmedGen: z.number(),
  pendingGen: z.number().nullable(),
  frozenReason: z.string(),
});

export interface FrozenMediumView extends z.infer<typeof frozenMedium> {}

/** Frozen media with their clone records (also the CLI's offline view). */
export async function frozenMedia(prepaid: Prepaid): Promise<FrozenMediumView[]> {
  const media = await prepaid.frozen();
  if (media.length === 0) return [];
  const rows = await prepaid.storage.read((q) =>
    q.all(`SELECT medium_id, presented_gen, confirmed_gen, source, at_ms FROM prepaid_clones WHERE medium_id IN (${media.map(() => '?').join(',')}) ORDER BY at_ms`, media.map((m) => m.id)),
  );
  return media.map((m) => ({
    mediumId: m.id, state: m.state, balanceMinor: m.balanceMinor, currency: m.currency, confirmedGen: m.confirmedGen, pendingGen: m.pendingGen, frozenReason: m.frozenReason, frozenAtMs: m.updatedMs,
    clones: rows.filter((r) => r['medium_id'] === m.id).map((r) => ({ presentedGen: Number(r['presented_gen']), confirmedGen: Number(r['confirmed_gen']), source: String(r['source']), atMs: Number(r['at_ms']) })),
  }));
}

/** The operator name as a recovery's `operator` (1-16 of [A-Z0-9-]). */
export function operatorTag(name: string | null | undefined): string {
  const t = (name ?? 'OPERATOR').toUpperCase().replace(/[^A-Z0-9-]/g, '-').slice(0, 16);
  return t.length > 0 ? t : 'OPERATOR';
}

export function prepaidAdminRoutes(prepaid: Prepaid): (app: FastifyInstance) => void {
  return (app) => {
    const a = app.withTypeProvider<import('fastify-type-provider-zod').ZodTypeProvider>();
    a.get(
      '/prepaid/frozen',
      { schema: { summary: 'Frozen prepaid media (oldest first, at most ' + L.frozenListMax + '), with their clone records', response: { 200: z.object({ items: z.array(frozenMedium) }), ...errorResponses } }, config: { need: 'viewer' } },
      async () => ({ items: await frozenMedia(prepaid) }),
    );
    a.post(
      '/prepaid/media/:id/freeze',
      {
        schema: { summary: 'Freeze a medium for review (operator; audited with its reason): refused everywhere, its balance kept for the recovery', params: z.object({ id: mediumId }), body: freezeBody, response: { 200: frozenNow, ...errorResponses } },
        config: { need: 'operator', audit: true },
      },
      async (req) => {
        const op = (req.principal as { name?: string } | null)?.name;
        return audited(app.adminContext, req, req.body.reason, () => prepaid.freeze({ mediumId: req.params.id, operator: operatorTag(op), reason: req.body.reason }));
      },
    );
    a.post(
      '/prepaid/media/:id/recover',
      {
        schema: { summary: 'Recover a frozen medium\'s balance to a replacement medium (operator; audited with its reason)', params: z.object({ id: mediumId }), body: recoverBody, response: { 200: recovered, ...errorResponses } },
        config: { need: 'operator', audit: true },
      },
      async (req) => {
        const body = req.body;
        const act = async () => {
          const op = (req.principal as { name?: string } | null)?.name;
          const r = await prepaid.recover({ requestId: body.requestId, mediumId: req.params.id, operator: operatorTag(op), ...(body.newMediumId !== undefined && { newMediumId: body.newMediumId }) });
          return { status: r.status, mediumId: r.mediumId, balanceMinor: r.balanceMinor, file: r.file ? r.file.toString('base64') : null };
        };
        return audited(app.adminContext, req, body.reason, act);
      },
    );
  };
}

/** The audit row (with the reason) before the act, completed after: the admin API's own pattern (AdminContext.around). */
async function audited<T>(ctx: AdminContext | undefined, req: FastifyRequest, reason: string, act: () => Promise<T>): Promise<T> {
  if (!ctx) return act();
  const e = ctx.entry(req, reason);
  const rowId = await ctx.trail.begin(e, ctx.clock.nowMs());
  try {
    const out = await act();
    await ctx.trail.finish(rowId, 'ok', null, e.targetIds, ctx.clock.nowMs());
    ctx.done(req, rowId, e, 'ok', null);
    return out;
  } catch (err) {
    const code = err instanceof TesseraError ? err.code : 'ADMIN_INTERNAL';
    const outcome = code === 'ADMIN_INTERNAL' || code === 'PREPAID_LEDGER_REFUSED' ? 'failed' : 'refused';
    await ctx.trail.finish(rowId, outcome, code, e.targetIds, ctx.clock.nowMs()).catch((x: unknown) => ctx.log.error({ err: x, auditRow: rowId }, 'admin audit row not completed'));
    ctx.done(req, rowId, e, outcome, code);
    throw err;
  }
}
