/**
 * `tessera provider serve`: the provider center's process. Its own SQLite
 * database (the record), its HTTPS front (TLS 1.3 only, from cert/key files;
 * `POST /v1/prepaid/use|confirm|balance`, `GET /v1/prepaid/provider`), and its
 * link to the prepaid center as a registered terminal (prepaid-link.ts).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { errorResponses, startHttpServer, type HttpApp } from '../http/app.js';
import { readSecretFile } from '../kit/secret-files.js';
import { openStorage } from '../storage/open.js';
import type { Storage } from '../storage/types.js';
import type { ProviderConfig } from './config-schema.js';
import { PROVIDER_ERRORS } from './errors.js';
import { PROVIDER_LIMITS } from './limits.js';
import { prepaidLink, type PrepaidLink } from './prepaid-link.js';
import { ProviderService, type MediumShownBody, type UseBody } from './provider.js';

const hex32 = z.string().regex(/^[0-9a-f]{32}$/, '32 lowercase hex chars');
const b64 = (bytes: number) => z.string().refine((s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && Buffer.from(s, 'base64').length === bytes, `base64 of ${bytes} bytes`);
const shownSchema = z.object({
  requestId: hex32.describe('Fresh per request (16 bytes as hex): the idempotency key; repeat it only to repeat the very same request.'),
  issuerId: z.number().int().min(0).max(0xffffffff),
  mediumId: hex32,
  generation: z.number().int().min(1).max(0xffffffff),
  proof: b64(16).describe('HMAC keyed from the file the medium shows over the canonical request (PROTOCOL.md §6.4), base64.'),
});
const useSchema = shownSchema.extend({
  service: z.enum(['vendor', 'provider-fee']),
  goods: z.boolean().optional().describe('A vendor\'s sale of goods (default: a shareware registration).'),
  payee: z.string().regex(/^[A-Z0-9-]{1,16}$/),
  amountMinor: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/),
});
const answerSchema = z.object({
  requestId: z.string(),
  status: z.enum(['done', 'repeated', 'resume', 'confirmed', 'current', 'refused']),
  code: z.string(),
  balanceMinor: z.number().int().optional(),
  generation: z.number().int().optional(),
  sealedFile: z.string().optional(),
  receipt: z.string().optional(),
});
const infoSchema = z.object({ providerId: z.string(), issuerId: z.number().int(), currency: z.string(), feeMinor: z.number().int().nullable() });

export interface ProviderServer {
  readonly url: string;
  readonly port: number;
  /** SHA-256 of the certificate's SPKI (hex): what the clients pin. */
  readonly spkiPin: string;
  readonly service: ProviderService;
  close(): Promise<void>;
}

export interface ProviderSecrets {
  readonly terminalKey: Buffer;
  readonly tls: { readonly cert: Buffer; readonly key: Buffer };
}

/** Reads the terminal key and the TLS pair (what `--check` reads). */
export function readProviderSecrets(c: ProviderConfig): ProviderSecrets {
  const raw = readSecretFile(c.prepaidCenter.keyFile, { what: 'provider terminal key', unreadable: 'PROVIDER_KEY_FILE', permissions: 'PROVIDER_KEY_PERMISSIONS' }).toString('latin1').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(raw)) throw new TesseraError('PROVIDER_KEY_FILE', 'the provider terminal key file is not 64 hex characters', { path: c.prepaidCenter.keyFile });
  const key = readSecretFile(c.tls.keyFile, { what: 'provider TLS private key', unreadable: 'PROVIDER_TLS_FILE', permissions: 'PROVIDER_KEY_PERMISSIONS' });
  let cert: Buffer;
  try {
    cert = readFileSync(c.tls.certFile);
    new X509Certificate(cert);
  } catch (e) {
    throw new TesseraError('PROVIDER_TLS_FILE', 'cannot read the provider TLS certificate (PEM)', { path: c.tls.certFile }, { cause: e });
  }
  return { terminalKey: Buffer.from(raw, 'hex'), tls: { cert, key } };
}

/** SHA-256 (hex) of a PEM certificate's SubjectPublicKeyInfo: the pin a client keeps. */
export function spkiPinOf(certPem: Buffer | string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

export async function startProvider(c: ProviderConfig, d: { clock: Clock; random: Random; log: Logger; storage?: Storage; link?: PrepaidLink }): Promise<ProviderServer> {
  const secrets = readProviderSecrets(c);
  const storage = d.storage ?? (await openStorage(c.db, { clock: d.clock, log: d.log }));
  const link = d.link ?? prepaidLink({ terminalId: c.providerId, terminalKey: secrets.terminalKey, centers: c.prepaidCenter.centers, clock: d.clock, random: d.random, log: d.log });
  const service = await ProviderService.open({
    storage, link, clock: d.clock, log: d.log,
    info: { providerId: c.providerId, issuerId: c.prepaidCenter.issuerId, currency: c.prepaidCenter.currency, feeMinor: c.fee?.amountMinor ?? null },
  });
  let http;
  try {
    http = await startHttpServer({
      title: 'Tessera provider center',
      version: '1',
      description: 'Prepaid media used from the users\' PCs (seed 000, PROTOCOL.md §6.4): each request carries a proof keyed from the medium.',
      host: c.listen.host,
      port: c.listen.port,
      tls: { ...secrets.tls, minVersion: 'TLSv1.3' },
      log: d.log,
      bodyBytesMax: PROVIDER_LIMITS.bodyBytesMax,
      inflightMax: PROVIDER_LIMITS.inflightMax,
      rateLimit: { max: PROVIDER_LIMITS.rateRequestsMax, timeWindowMs: PROVIDER_LIMITS.rateWindowMs },
      answers: Object.entries(PROVIDER_ERRORS as Record<string, { http?: number }>).filter(([, s]) => s.http !== undefined).map(([k]) => k),
      contributors: [(app) => routes(app, service)],
    });
  } catch (e) {
    await link.close();
    if (!d.storage) await storage.close();
    throw e;
  }
  const h = http;
  return {
    url: h.url,
    port: h.port,
    spkiPin: spkiPinOf(secrets.tls.cert),
    service,
    async close() {
      await h.close();
      await link.close();
      if (!d.storage) await storage.close();
    },
  };
}

function routes(app: HttpApp, service: ProviderService): void {
  const pub = { public: true } as const;
  app.get('/v1/prepaid/provider', { config: pub, schema: { summary: 'Who this provider is and the usage fee it charges', response: { 200: infoSchema, ...errorResponses } } }, async () => service.info);
  app.post('/v1/prepaid/use', { config: pub, schema: { summary: 'Pay a vendor or the provider\'s fee from a medium (relayed to the prepaid center)', body: useSchema, response: { 200: answerSchema, ...errorResponses } } },
    async (req) => service.use(req.body as UseBody));
  app.post('/v1/prepaid/confirm', { config: pub, schema: { summary: 'The medium shows the generation it holds (S43 confirmed)', body: shownSchema, response: { 200: answerSchema, ...errorResponses } } },
    async (req) => service.confirm(req.body as MediumShownBody));
  app.post('/v1/prepaid/balance', { config: pub, schema: { summary: 'The balance the prepaid center holds for the medium', body: shownSchema, response: { 200: answerSchema, ...errorResponses } } },
    async (req) => service.balance(req.body as MediumShownBody));
}
