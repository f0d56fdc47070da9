/**
 * The settlement center's HQ link as a center module (`voucher-hq-link`,
 * config section `hqLink`): its own HTTPS listener serving hq-routes.ts to
 * the HQs (`tessera hq serve`), each request verified by the HQ's Ed25519
 * signature. Requires the voucher module (the routes call its api). A
 * listener of its own, not the merchant API's: HQs are not shops (no API
 * keys, no idempotency store: every HQ request is idempotent by its POS
 * request id), and the center can expose it on another interface.
 */
import type { KeyObject } from 'node:crypto';
import { readTlsFiles } from '../../core/files.js';
import { TesseraError, allRegistries } from '../../core/errors.js';
import { isLoopbackHost } from '../../core/loopback.js';
import { startHttpServer, type HttpListening } from '../http/app.js';
import type { CenterModule } from '../server/module.js';
import type { VoucherApi } from './api.js';
import { hqLinkRoutes, hqLinkSectionSchema, readHqPublicKeys, type HqLinkSection } from './hq-routes.js';
import { VOUCHER_MODULE } from './module.js';
import '../hq/errors.js';
import './errors.js';

export const HQ_LINK_MODULE = 'voucher-hq-link';

export interface HqLinkApi {
  readonly url: string;
  readonly port: number;
}

/** Every code with an HTTP status of the voucher and HQ registries (the listener answers them). */
function answeredCodes(): string[] {
  const out: string[] = [];
  for (const [area, specs] of allRegistries()) {
    if (area !== 'vouchers' && area !== 'hq') continue;
    for (const [code, spec] of Object.entries(specs)) if ((spec as { http?: number }).http !== undefined) out.push(code);
  }
  return out;
}

export function hqLinkModule(): CenterModule<HqLinkSection | undefined, HqLinkApi> {
  return {
    name: HQ_LINK_MODULE,
    config: { key: 'hqLink', schema: hqLinkSectionSchema.optional() },
    requires: [VOUCHER_MODULE],
    enabled: (section) => section !== undefined,
    check: (section) => {
      if (!section) return;
      readHqPublicKeys(section);
      if (section.tls) readTlsFiles(section.tls, 'CENTER_TLS_FILE', "the HQ link's").key.fill(0);
      else if (!isLoopbackHost(section.host)) throw new TesseraError('HTTP_PLAIN_NOT_LOOPBACK', `HQ link: plain HTTP only on loopback, not ${section.host}`, { field: 'hqLink.tls', host: section.host });
    },
    async open(ctx) {
      const s = ctx.section!;
      const keys: ReadonlyMap<string, KeyObject> = readHqPublicKeys(s);
      const api = ctx.module<VoucherApi>(VOUCHER_MODULE);
      const tls = s.tls && readTlsFiles(s.tls, 'CENTER_TLS_FILE', "the HQ link's");
      const listening: HttpListening = await startHttpServer({
        title: 'Tessera HQ link',
        version: '1',
        description: 'The store headquarters\' signed requests (PROTOCOL.md §6.5.1): activations, voids, reversals, blocks, daily files.',
        host: s.host,
        port: s.port,
        ...(tls && { tls }),
        log: ctx.log,
        answers: answeredCodes(),
        contributors: [hqLinkRoutes({ api, publicKeyOf: (id) => keys.get(id), clock: ctx.clock }) as never],
      });
      ctx.log.info({ port: listening.port, hqs: s.hqs.map((h) => h.hqId) }, 'HQ link listening');
      return { api: { url: listening.url, port: listening.port }, close: () => listening.close() };
    },
  };
}
