/**
 * The merchant API as a center module (the CenterModule interface of the
 * modules issue, center/server/module.ts): config section `merchantApi`
 * (config-schema.ts), runs only when present; its tables; `check` reads the
 * TLS files and refuses plain HTTP off loopback before a start; `open`
 * returns its api, on which modules that `use` it add their routes
 * (`addRoutes`, route-contributions.ts) in their own open(); `start`, run by
 * the center after every module opened, starts the listener (server.ts) with
 * them; `close` stops it. Once started the api is the running listener
 * (merchants, the idempotency store, the url).
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
import type { CenterModule } from '../server/module.js';
import type { MerchantRouteContribution } from './route-contributions.js';
import { isLoopbackHost } from '../../core/loopback.js';

export const MERCHANT_API_MODULE = 'merchant-api';

export interface MerchantModuleContext {
  readonly section: MerchantApiSection | undefined;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
}

/**
 * The merchant API module's api: until the center has started, only
 * `addRoutes` (other modules, in their open()); then the running listener.
 */
export interface MerchantApiHandle extends MerchantApi {
  /** Adds a module's routes under /v1/ (in its open(): the listener starts after every module opened). */
  addRoutes(c: MerchantRouteContribution): void;
}

export function merchantApiModule() {
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
    async open(ctx: MerchantModuleContext): Promise<{ api: MerchantApiHandle; start(): Promise<void>; close(): Promise<void> }> {
      const s = ctx.section;
      if (!s) throw new TesseraError('CENTER_CONFIG_INVALID', 'the merchant API runs only with a merchantApi section', { field: 'merchantApi' });
      const contributions: MerchantRouteContribution[] = [];
      let running: MerchantApi | null = null;
      const started = (): MerchantApi => {
        if (!running) throw new TesseraError('CENTER_MODULE_MISSING', 'the merchant API listener has not started yet (it starts after every module opened)', { module: MERCHANT_API_MODULE });
        return running;
      };
      const api: MerchantApiHandle = {
        addRoutes: (c) => {
          if (running) throw new Error(`merchant API: routes of ${c.name} added after the listener started`);
          contributions.push(c);
        },
        get app() { return started().app; },
        get port() { return started().port; },
        get url() { return started().url; },
        get merchants() { return started().merchants; },
        get idempotency() { return started().idempotency; },
        close: async () => running?.close(),
      };
      return {
        api,
        // After every module opened (their routes added): the listener, with them.
        start: async () => {
          running = await startMerchantApi({
            storage: ctx.storage, host: s.host, port: s.port, tls: s.tls, rateLimit: s.rateLimit, clock: ctx.clock, random: ctx.random, log: ctx.log, contributions,
          });
        },
        close: async () => {
          await running?.close();
          running = null;
        },
      };
    },
  };
  return module satisfies CenterModule<MerchantApiSection | undefined, MerchantApiHandle>;
}
