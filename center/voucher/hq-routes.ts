/**
 * The settlement center's side of the HQ link (PROTOCOL.md §6.5.1): routes
 * an HQ calls over HTTPS, each request signed with the HQ's Ed25519 key and
 * verified here with the public key the center holds for that HQ (replay
 * window on the timestamp, nonces remembered). The HQ id comes from the
 * verified signature, never from the body. Each route calls VoucherApi:
 *
 *   POST /hq/v1/activations                 activate
 *   POST /hq/v1/voids                       void
 *   POST /hq/v1/reversals                   reverse
 *   POST /hq/v1/blocks                      block (a batch or serial range lost or stolen)
 *   GET  /hq/v1/daily-files/:day            dailyFile
 *   POST /hq/v1/daily-files/:day/settlement settleHqDay
 *
 * `hqLinkRoutes(o)` is a route contributor for any listener built on the
 * one HTTP surface (center/http): the routes are `public` for its bearer
 * auth and carry their own (the signature), in their own encapsulated scope
 * that keeps the raw body for the digest. Refusals are the VoucherApi's
 * coded errors with their HTTP status; HQ_SIGNATURE_* are 401.
 */
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { checkDay } from '../hq/daily-file.js';
import { ed25519PublicKey, NonceWindow, verifyRequest } from '../hq/signature.js';
import type { VoucherApi } from './api.js';

export interface HqLinkRoutesOptions {
  /** The voucher module's api (a function: the module may open after the listener is built). */
  readonly api: VoucherApi | (() => VoucherApi);
  /** The public key the center holds for an HQ, or undefined (unknown HQ: HQ_SIGNATURE_INVALID). */
  publicKeyOf(hqId: string): KeyObject | undefined;
  readonly clock: Clock;
  readonly nonces?: NonceWindow;
  readonly windowMs?: number;
}

/**
 * The `hqLink` section of the settlement center's config: its own HTTPS
 * listener for the HQs (plain HTTP only on loopback), and the HQs that may
 * call it, each with its public key.
 */
export const hqLinkSectionSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1').describe('Address the HQ link binds; without tls only a loopback address is accepted.'),
    port: z.number().int().min(0).max(65_535).describe('TCP port of the HQ link; 0 picks a free port.'),
    tls: z
      .object({
        certFile: z.string().min(1).describe('Path of the PEM certificate of the HQ link listener.'),
        keyFile: z.string().min(1).describe('Path of the PEM private key of the HQ link listener, mode 0600.'),
      })
      .strict()
      .optional()
      .describe('HTTPS for the HQs; plain HTTP only on loopback (tests and the demo).'),
    hqs: z
      .array(
        z
          .object({
            hqId: z.string().regex(/^[A-Z0-9-]{1,16}$/).describe('The HQ\'s id (its cards\' batches name it).'),
            publicPemFile: z.string().min(1).describe('Path of the HQ\'s Ed25519 public key (PEM, SPKI; `tessera hq keygen` writes it beside the private key).'),
          })
          .strict(),
      )
      .min(1)
      .describe('The HQs that may call the HQ link, each with its public key.'),
  })
  .strict()
  .describe('The settlement center\'s HQ link (center/voucher/hq-routes.ts, PROTOCOL.md §6.5.1): when present, a listener for the HQs\' signed requests.');
export type HqLinkSection = z.infer<typeof hqLinkSectionSchema>;

/** Reads each HQ's public key file (HQ_KEY_FILE when one is unreadable or not Ed25519). */
export function readHqPublicKeys(section: HqLinkSection): ReadonlyMap<string, KeyObject> {
  const out = new Map<string, KeyObject>();
  for (const h of section.hqs) {
    let pem: Buffer;
    try {
      pem = readFileSync(h.publicPemFile);
    } catch (e) {
      throw new TesseraError('HQ_KEY_FILE', 'cannot read an HQ public key file', { path: h.publicPemFile, hqId: h.hqId }, { cause: e });
    }
    out.set(h.hqId, ed25519PublicKey(pem, h.publicPemFile));
  }
  return out;
}

const requestId = z.string().regex(/^[0-9a-f]{32}$/).describe('The POS request id (32 hex): the idempotency key.');
const id = z.string().regex(/^[A-Z0-9-]{1,16}$/);
const serial = z.string().regex(/^[0-9]{16}$/).describe('Card serial: 15 digits and a Luhn check digit.');
const amount = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const activationBody = z.object({ requestId, storeId: id, terminalId: id, serial, amount, currency: z.string().regex(/^[A-Z]{3}$/) }).strict();
const voidBody = z.object({ requestId, storeId: id, activationRequestId: requestId }).strict();
const reversalBody = z.object({ activationRequestId: requestId }).strict();
const blockBody = z.object({ batchId: z.string().min(1).max(64).optional(), fromSerial: serial.optional(), toSerial: serial.optional(), reason: z.string().min(1).max(200) }).strict();
const dayParams = z.object({ day: z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/) });
const settleBody = z
  .object({ paidMinor: z.number().int().min(0), hqTotals: z.object({ activations: z.number().int().min(0), netFaceMinor: z.number().int(), dueMinor: z.number().int() }).strict() })
  .strict();

export function hqLinkRoutes(o: HqLinkRoutesOptions): (app: FastifyInstance) => Promise<void> {
  const nonces = o.nonces ?? new NonceWindow(o.windowMs);
  const api = (): VoucherApi => (typeof o.api === 'function' ? o.api() : o.api);
  return async (app) => {
    await app.register(async (scope) => {
      const raw = new WeakMap<FastifyRequest, Buffer>();
      const hqOf = new WeakMap<FastifyRequest, string>();
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
        raw.set(req, body);
        if (body.length === 0) return done(null, {});
        try {
          done(null, JSON.parse(body.toString('utf8')) as unknown);
        } catch {
          done(new TesseraError('HTTP_BAD_JSON', 'body is not JSON', { bytes: body.length }), undefined);
        }
      });
      // Before validation: an unsigned request learns nothing about the shape it should have.
      scope.addHook('preValidation', async (req) => {
        const hqId = verifyRequest(
          { method: req.method, path: req.url, headers: req.headers, body: raw.get(req) ?? Buffer.alloc(0) },
          { publicKeyOf: o.publicKeyOf, nowMs: o.clock.nowMs(), nonces, ...(o.windowMs !== undefined && { windowMs: o.windowMs }) },
        );
        hqOf.set(req, hqId);
      });
      const hq = (req: FastifyRequest): string => hqOf.get(req)!;
      const config = { public: true };
      const tags = ['hq link'];
      scope.post('/hq/v1/activations', { config, schema: { tags, body: activationBody } }, async (req) => {
        const b = activationBody.parse(req.body);
        return api().activate({ ...b, hqId: hq(req) });
      });
      scope.post('/hq/v1/voids', { config, schema: { tags, body: voidBody } }, async (req) => {
        const b = voidBody.parse(req.body);
        return api().void({ ...b, hqId: hq(req) });
      });
      scope.post('/hq/v1/reversals', { config, schema: { tags, body: reversalBody } }, async (req) => {
        const b = reversalBody.parse(req.body);
        return api().reverse({ ...b, hqId: hq(req) });
      });
      scope.post('/hq/v1/blocks', { config, schema: { tags, body: blockBody } }, async (req) => {
        const b = blockBody.parse(req.body);
        return api().block({ hqId: hq(req), reason: b.reason, ...(b.batchId !== undefined && { batchId: b.batchId }), ...(b.fromSerial !== undefined && { fromSerial: b.fromSerial }), ...(b.toSerial !== undefined && { toSerial: b.toSerial }) });
      });
      scope.get('/hq/v1/daily-files/:day', { config, schema: { tags, params: dayParams } }, async (req) => {
        const { day } = dayParams.parse(req.params);
        checkDay(day);
        return api().dailyFile(hq(req), day);
      });
      scope.post('/hq/v1/daily-files/:day/settlement', { config, schema: { tags, params: dayParams, body: settleBody } }, async (req) => {
        const { day } = dayParams.parse(req.params);
        checkDay(day);
        const b = settleBody.parse(req.body);
        await api().settleHqDay(hq(req), day, b);
        return { day, paidMinor: b.paidMinor };
      });
    });
  };
}
