/**
 * Fastify glue of the idempotency store: a POST route's handler built with
 * {@link idempotentHandler} checks the Idempotency-Key header, fingerprints
 * the validated request and runs its effect once per key (idempotency.ts).
 * The voucher and settlement-password redemption routes use it the same way.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Tx } from '../storage/types.js';
import { checkIdempotencyKey, requestFingerprint, type IdempotencyStore, type StoredAnswer } from './idempotency.js';

/** Answer header: `true` when the body is the stored answer of an earlier request with the same key. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** A preValidation hook: a POST without a well-formed Idempotency-Key is refused before its body is looked at. */
export async function requireIdempotencyKey(req: FastifyRequest): Promise<void> {
  checkIdempotencyKey(idempotencyHeader(req));
}

/**
 * The Idempotency-Key header as sent: Node joins repeated headers it does
 * not know into one `a, b` string, so two keys would pass for one; the
 * distinct values show them (two headers: MERCHANT_IDEMPOTENCY_KEY_INVALID).
 */
function idempotencyHeader(req: FastifyRequest): string | string[] | undefined {
  const all = req.raw.headersDistinct['idempotency-key'];
  return all === undefined ? undefined : all.length === 1 ? all[0] : all;
}

export function idempotentHandler<R extends FastifyRequest, B>(
  store: IdempotencyStore,
  scopeOf: (req: R) => string,
  effect: (req: R, tx: Tx) => Promise<StoredAnswer & { body: B }>,
): (req: R, reply: FastifyReply) => Promise<B> {
  return async (req, reply) => {
    const key = checkIdempotencyKey(idempotencyHeader(req));
    const out = await store.run({ scope: scopeOf(req), key, fingerprint: requestFingerprint(req.method, req.url, req.body) }, (tx) => effect(req, tx));
    void reply.code(out.status).header(REPLAYED_HEADER, String(out.replayed));
    // A replayed body is the JSON of an answer this effect returned: the same shape.
    return out.body as B;
  };
}
