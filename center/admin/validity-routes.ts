/**
 * Validity routes of the admin API (seed 001's media and terminals): every
 * change bumps the validity version and answers it. Storage writes in its own
 * transaction, so each change's audit-trail row is written before it acts and
 * completed after (AdminContext.around).
 */
import { z } from 'zod';
import { errorResponses, openObject, type RouteContributor } from '../http/app.js';
import type { NewMedium, NewTerminal } from '../storage/types.js';
import { dropUndefined, notFound } from './ledger-routes.js';
import { addMediaBody, addTerminalsBody, blockMediumBody, emptyBody } from './schemas.js';
import { idParams, type AdminContext } from './server.js';

const version = z.object({ version: z.number() });
const page = z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(100), after: z.string().min(1).max(64).optional() }).strict();

export function validityRoutes(ctx: AdminContext): RouteContributor {
  const { storage } = ctx;
  const write = { response: { 200: version, ...errorResponses } };
  const operator = { need: 'operator', audit: true } as const;
  return (app) => {
    app.get('/validity/version', { schema: { response: { 200: version, ...errorResponses } }, config: { need: 'viewer' } }, async () => ({
      version: await storage.getValidityVersion(),
    }));

    app.post('/media', { schema: { body: addMediaBody, ...write }, config: operator }, async (req) => ({
      version: await ctx.around(req, () => storage.addMedia(req.body.media.map((m) => dropUndefined<NewMedium>(m)))),
    }));
    app.get('/media', {
      schema: { description: 'Media by id, a page at a time (`after`: the last id of the previous page).', querystring: page, response: { 200: z.object({ items: z.array(openObject({ id: z.string(), status: z.string() })), next: z.string().nullable() }), ...errorResponses } },
      config: { need: 'viewer' },
    }, async (req) => {
      const items = await storage.listMedia(req.query.after ?? null, req.query.limit);
      return { items, next: items.length === req.query.limit ? (items.at(-1)?.id ?? null) : null };
    });
    app.get('/media/:id', { schema: { params: idParams, response: { 200: openObject({ id: z.string(), status: z.string() }), ...errorResponses } }, config: { need: 'viewer' } }, async (req) =>
      (await storage.getMedium(req.params.id)) ?? notFound('medium', req.params.id));
    app.post('/media/:id/block', { schema: { params: idParams, body: blockMediumBody, ...write }, config: operator }, async (req) => ({
      version: await ctx.around(req, () => storage.blockMedium(req.params.id, req.body.status)),
    }));
    app.post('/media/:id/unblock', { schema: { params: idParams, body: emptyBody, ...write }, config: operator }, async (req) => ({
      version: await ctx.around(req, () => storage.unblockMedium(req.params.id)),
    }));
    app.post('/media/:id/capture', { schema: { params: idParams, body: emptyBody, ...write }, config: operator }, async (req) => ({
      version: await ctx.around(req, () => storage.captureMedium(req.params.id)),
    }));

    app.post('/terminals', { schema: { body: addTerminalsBody, ...write }, config: operator }, async (req) => ({
      version: await ctx.around(req, () => storage.addTerminals(req.body.terminals.map((t) => dropUndefined<NewTerminal>(t)))),
    }));
    app.get('/terminals', {
      schema: { description: 'Terminals by id, a page at a time (`after`: the last id of the previous page).', querystring: page, response: { 200: z.object({ items: z.array(openObject({ id: z.string(), status: z.string() })), next: z.string().nullable() }), ...errorResponses } },
      config: { need: 'viewer' },
    }, async (req) => {
      const items = await storage.listTerminals(req.query.after ?? null, req.query.limit);
      return { items, next: items.length === req.query.limit ? (items.at(-1)?.id ?? null) : null };
    });
    app.get('/terminals/:id', { schema: { params: idParams, response: { 200: openObject({ id: z.string(), status: z.string() }), ...errorResponses } }, config: { need: 'viewer' } }, async (req) =>
      (await storage.getTerminal(req.params.id)) ?? notFound('terminal', req.params.id));
    app.post('/terminals/:id/block', { schema: { params: idParams, body: emptyBody, ...write }, config: operator }, async (req) => ({
      version: await ctx.around(req, () => storage.blockTerminal(req.params.id)),
    }));
    app.post('/terminals/:id/retire', {
      schema: { description: 'Takes a terminal out of service (status `inactive`: the validity check refuses it, TERMINAL_INACTIVE); unblock puts it back.', params: idParams, body: emptyBody, ...write },
      config: operator,
    }, async (req) => ({
      version: await ctx.around(req, () => storage.setTerminalStatus(req.params.id, 'inactive')),
    }));
    app.post('/terminals/:id/unblock', { schema: { params: idParams, body: emptyBody, ...write }, config: operator }, async (req) => ({
      version: await ctx.around(req, () => storage.unblockTerminal(req.params.id)),
    }));
  };
}
