/**
 * The merchant API listener: its own HTTP app from the one HTTP surface
 * (center/http), HTTPS from cert/key files (plain HTTP only on loopback, for
 * tests and the demo), API-key bearer auth, a per-key rate limit, the /v1/
 * routes, and a timer purging idempotency records past their retention.
 */
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { readTlsFiles as readTlsPair } from '../../core/files.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { startHttpServer, type HttpListening } from '../http/app.js';
import type { Storage } from '../storage/types.js';
import { MerchantErrors } from './errors.js';
import { IdempotencyStore } from './idempotency.js';
import { MERCHANT_LIMITS } from './limits.js';
import { MerchantRegistry } from './merchants.js';
import { KeyRateLimiter, type RateLimitOptions } from './rate-limit.js';
import type { MerchantRouteContribution } from './route-contributions.js';
import { merchantAuth, merchantRoutes } from './routes.js';

export interface MerchantApiOptions {
  readonly storage: Storage;
  readonly host: string;
  readonly port: number;
  /** PEM files; without them the listener must be on loopback. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Per API key (default MERCHANT_LIMITS.rateRequestsMaxDefault per MERCHANT_LIMITS.rateWindowMsDefault). */
  readonly rateLimit?: RateLimitOptions | undefined;
  /** false: no per-address limit of the shared surface (center/http, HTTP_LIMITS.rateRequestsMax per window) beside the per-key one; for benchmarks, which send everything from one address. */
  readonly addressRateLimit?: false | undefined;
  /** Idempotency records are kept this long (default and minimum 24 h; tests may shorten it). */
  readonly idempotencyRetentionMs?: number | undefined;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  /** Routes of other modules under /v1/ (route-contributions.ts). */
  readonly contributions?: readonly MerchantRouteContribution[];
}

export interface MerchantApi extends HttpListening {
  readonly merchants: MerchantRegistry;
  readonly idempotency: IdempotencyStore;
}

export async function startMerchantApi(o: MerchantApiOptions): Promise<MerchantApi> {
  const tls = o.tls && readTlsFiles(o.tls);
  const merchants = await MerchantRegistry.open(o.storage, o.clock, o.random);
  const idempotency = new IdempotencyStore(o.storage, o.clock, { retentionMs: o.idempotencyRetentionMs ?? MERCHANT_LIMITS.idempotencyRetentionMs });
  const limiter = new KeyRateLimiter(o.clock, o.rateLimit);
  const listening = await startHttpServer({
    title: 'Tessera merchant API',
    version: '1',
    description: 'Settlements, payouts and reconciliations of online shops. Every POST takes an Idempotency-Key header.',
    host: o.host,
    port: o.port,
    ...(tls && { tls }),
    ...(o.addressRateLimit === false && { rateLimit: false as const }),
    log: o.log,
    auth: merchantAuth(merchants),
    codes: { unauthorized: 'MERCHANT_UNAUTHENTICATED' },
    bodyBytesMax: MERCHANT_LIMITS.bodyBytesMax,
    answers: [
      ...Object.entries(MerchantErrors as Record<string, { http?: number }>).filter(([, spec]) => spec.http !== undefined).map(([c]) => c),
      ...(o.contributions ?? []).flatMap((c) => c.answers),
    ],
    contributors: [
      async (app) =>
        void (await app.register(merchantRoutes, {
          storage: o.storage, merchants, idempotency, limiter, clock: o.clock, random: o.random, log: o.log, ...(o.contributions && { contributions: o.contributions }),
        })),
    ],
  });
  // One purge pass per interval (each bounded to MERCHANT_LIMITS.idempotencyPurgeBatchMax rows), re-armed after it ends.
  let purge = { cancel: () => undefined as void };
  let closed = false;
  const arm = (): void => {
    purge = o.clock.setTimer(MERCHANT_LIMITS.idempotencyPurgeIntervalMs, () => void purgeOnce(idempotency, o.log).then(() => !closed && arm()));
  };
  arm();
  o.log.info({ url: listening.url }, 'merchant API listening');
  return {
    ...listening,
    merchants,
    idempotency,
    close: async () => {
      closed = true;
      purge.cancel();
      await listening.close();
    },
  };
}

async function purgeOnce(idempotency: IdempotencyStore, log: Logger): Promise<void> {
  try {
    const n = await idempotency.purgeExpired();
    if (n > 0) log.info({ purged: n }, 'expired idempotency records purged');
  } catch (e) {
    log.warn({ code: e instanceof TesseraError ? e.code : 'error' }, 'idempotency purge failed');
  }
}

/** The merchant API listener's certificate and key (CENTER_TLS_FILE when unreadable). */
export function readTlsFiles(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  return readTlsPair(tls, 'CENTER_TLS_FILE', "the merchant API's");
}
