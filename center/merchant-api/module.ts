/**
 * The merchant API as a center module (the CenterModule interface of the
 * modules issue, center/server/module.ts): config section `merchantApi`
 * (config-schema.ts), runs only when present; its tables; `check` reads the
 * TLS files and refuses plain HTTP off loopback before a start; `open` starts
 * its own listener (server.ts), `close` stops it. Its api (merchants, the
 * idempotency store for the routes to come, the listener's url) is what the
 * voucher and settlement-password modules use to add their redemption routes.
 *
 * The types below are the subset of ModuleContext / OpenedModule it uses,
 * so this file compiles on its own; the object is a CenterModule structurally.
 */
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { Storage } from '../storage/types.js';
import { merchantApiSectionSchema, type MerchantApiSection } from './config-schema.js';
import { merchantApiMigrations } from './schema.js';
import { readTlsFiles, startMerchantApi, type MerchantApi } from './server.js';
import type { MerchantRouteContributor } from './routes.js';
import type { CenterModule } from '../server/module.js';
import { isLoopbackHost } from '../../core/loopback.js';

export const MERCHANT_API_MODULE = 'merchant-api';

export interface MerchantModuleContext {
  readonly section: MerchantApiSection | undefined;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
}

export interface MerchantApiModuleOptions {
  /** Other modules' /v1/ routes (the passwords module's `merchantRoutes`); those modules must come before this one in the list. */
  readonly routes?: readonly MerchantRouteContributor[];
}

export function merchantApiModule(o: MerchantApiModuleOptions = {}) {
  const module = {
    name: MERCHANT_API_MODULE,
    config: { key: 'merchantApi', schema: merchantApiSectionSchema.optional() },
    migrations: [merchantApiMigrations],
    enabled: (section: MerchantApiSection | undefined): boolean => section !== undefined,
    /** What `tessera center --check` reads: the TLS files, and no plain HTTP off loopback. */
    check(section: MerchantApiSection | undefined): void {
      if (!section) return;
      if (section.tls) readTlsFiles(section.tls).key.fill(0);
      else if (!isLoopbackHost(section.host)) {
        throw new TesseraError('HTTP_PLAIN_NOT_LOOPBACK', `merchant API: plain HTTP only on loopback, not ${section.host}`, { field: 'merchantApi.tls', host: section.host });
      }
    },
    async open(ctx: MerchantModuleContext): Promise<{ api: MerchantApi; close(): Promise<void> }> {
      const s = ctx.section;
      if (!s) throw new TesseraError('CENTER_CONFIG_INVALID', 'the merchant API runs only with a merchantApi section', { field: 'merchantApi' });
      const api = await startMerchantApi({
        contributors: o.routes, storage: ctx.storage, host: s.host, port: s.port, tls: s.tls, rateLimit: s.rateLimit, clock: ctx.clock, random: ctx.random, log: ctx.log,
      });
      return { api, close: () => api.close() };
    },
  };
  return module satisfies CenterModule<MerchantApiSection | undefined, MerchantApi>;
}
