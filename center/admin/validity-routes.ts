/**
 * Validity routes of the admin API (seed 001's media and terminals): every
 * change bumps the validity version and answers it. Storage writes in its own
 * transaction, so each change's audit-trail row is written before it acts and
 * completed after (AdminContext.around).
 */
import { z } from 'zod';
import { errorResponses, openObject, type RouteContributor } from '../http/app.js';
import type { Fleet } from '../fleet/fleet.js';
import type { TerminalStatusView } from '../fleet/terminal-status.js';
import { MEDIUM_STATUSES, TERMINAL_STATUSES, type NewMedium, type NewTerminal, type Terminal } from '../validity/records.js';
import type { ValidityRepository } from '../validity/repository.js';
import { dropUndefined, notFound } from './ledger-routes.js';
import { addMediaBody, addTerminalsBody, blockMediumBody, editTerminalBody, emptyBody } from './schemas.js';
import { idParams, type AdminContext } from './context.js';

const version = z.object({ version: z.number() });
const pageShape = { limit: z.coerce.number().int().min(1).max(1_000).default(100), after: z.string().min(1).max(64).optional() };
const mediaQuery = z.object({ ...pageShape, status: z.enum(MEDIUM_STATUSES).optional(), kind: z.string().regex(/^[a-z0-9-]{1,32}$/).optional().describe('a medium kind name (ic-card, and the kinds modules register)') }).strict();
const terminalsQuery = z.object({ ...pageShape, status: z.enum(TERMINAL_STATUSES).optional() }).strict();
const medium = openObject({ id: z.string(), kind: z.string(), status: z.string() });
const terminal = openObject({
  id: z.string(),
  status: z.string(),
  role: z.string().describe('the owner kind: store (a shop terminal) or user (a PC reader)'),
  online: z.boolean().describe('its session is open on a center node that is up (fleet view)'),
  lastSeenAtMs: z.number().nullable(),
  address: z.string().nullable().describe('the remote address of its last session'),
  softwareVersion: z.string().nullable().describe('the software version of its last TERMINAL_STATUS (`version` is the validity version of its row)'),
});

/** The fleet queries the terminal routes join (center/fleet); absent: no terminal has reported. */
export type FleetView = Pick<Fleet, 'listNodes' | 'listTerminalStatus' | 'terminalStatus' | 'terminalStatuses' | 'onPresence'>;

/** A terminal of the validity list with what the fleet view knows of it. */
export function terminalView(t: Terminal, s: TerminalStatusView | undefined): object {
  return {
    ...t,
    role: t.ownerKind,
    online: s?.connected ?? false,
    lastSeenAtMs: s?.lastSeenAtMs ?? null,
    address: s?.remoteAddress ?? null,
    softwareVersion: s?.softwareVersion ?? null,
    nodeId: s?.nodeId ?? null,
    devices: s?.devices ?? [],
  };
}

export function validityRoutes(ctx: AdminContext, storage: ValidityRepository, fleet: FleetView | null = null): RouteContributor {
  const statusOf = async (id: string): Promise<TerminalStatusView | undefined> => (fleet ? fleet.terminalStatus(id) : undefined);
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
      schema: {
        description: 'Media by id, a page at a time (`after`: the last id of the previous page), filtered by `status` and `kind` (a registered medium kind: ic-card, …).',
        querystring: mediaQuery,
        response: { 200: z.object({ items: z.array(medium), next: z.string().nullable() }), ...errorResponses },
      },
      config: { need: 'viewer' },
    }, async (req) => {
      const { kind, status } = req.query;
      const items = await storage.listMedia(req.query.after ?? null, req.query.limit, kind, status);
      return { items, next: items.length === req.query.limit ? (items.at(-1)?.id ?? null) : null };
    });
    app.get('/media/:id', { schema: { params: idParams, response: { 200: medium, ...errorResponses } }, config: { need: 'viewer' } }, async (req) =>
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
      schema: {
        description: 'Terminals by id, a page at a time (`after`: the last id of the previous page), filtered by `status`; each with online/offline, last seen, address, role and version from the fleet view.',
        querystring: terminalsQuery,
        response: { 200: z.object({ items: z.array(terminal), next: z.string().nullable() }), ...errorResponses },
      },
      config: { need: 'viewer' },
    }, async (req) => {
      const rows = await storage.listTerminals(req.query.after ?? null, req.query.limit, req.query.status);
      // The page's fleet statuses in one query (was one lookup per terminal).
      const statuses = fleet ? await fleet.terminalStatuses(rows.map((t) => t.id)) : new Map<string, TerminalStatusView>();
      const items = rows.map((t) => terminalView(t, statuses.get(t.id)));
      return { items, next: rows.length === req.query.limit ? (rows.at(-1)?.id ?? null) : null };
    });
    app.get('/terminals/:id', { schema: { params: idParams, response: { 200: terminal, ...errorResponses } }, config: { need: 'viewer' } }, async (req) => {
      const t = (await storage.getTerminal(req.params.id)) ?? notFound('terminal', req.params.id);
      return terminalView(t, await statusOf(t.id));
    });
    app.patch('/terminals/:id', {
      schema: {
        description: 'Edits a terminal: its callback address (`host:port`, null: none) and/or a new keyRef (key rotation: its next handshake uses the key derived from it).',
        params: idParams,
        body: editTerminalBody,
        ...write,
      },
      config: operator,
    }, async (req) => ({
      version: await ctx.around(req, () => storage.editTerminal(req.params.id, dropUndefined<{ callbackAddress?: string | null; keyRef?: string }>(req.body))),
    }));
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
