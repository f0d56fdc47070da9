/**
 * The store headquarters as a center module (seed 002): `tessera hq serve`
 * runs startCenter with [validity, hq] on the HQ's own database. Its tills
 * connect over the terminal protocol as terminals connect to a center (the
 * validity module holds their list and keys); this module journals each
 * voucher request and forwards it to the settlement center over the signed
 * HTTPS link, repeating from its outbox until answered.
 *
 * Why under center/: the HQ is Tessera software the chain runs, built from
 * center modules (docs/STYLE.md: "a host that is part of Tessera ... is a
 * center module or a `tessera <name> serve` program built from center
 * modules"); sim/ holds only parties Tessera does not run.
 */
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import { readSecretFile } from '../kit/secret-files.js';
import { startSweepTimer } from '../kit/sweep-timer.js';
import type { CenterModule, CenterTimer } from '../server/module.js';
import { VALIDITY_MODULE, type ValidityApi } from '../validity/module.js';
import { httpsCenterLink, type CenterLink } from './center-link.js';
import { hqSectionSchema, type HqSection } from './config-schema.js';
import { hqFlow } from './flow.js';
import { HqService } from './hq-service.js';
import { HQ_LIMITS } from './limits.js';
import { hqMigrations } from './schema.js';
import { ed25519PrivateKey } from './signature.js';

export const HQ_MODULE = 'hq';

export interface HqModuleOptions {
  /** The link instead of one built from the section (tests). */
  readonly link?: CenterLink;
  /** Sweep interval; null: no timer (the caller sweeps). */
  readonly sweepIntervalMs?: number | null;
}

/** The HQ's Ed25519 signing key from its 0600 file. */
export function readHqKey(path: string): KeyObject {
  const pem = readSecretFile(path, { what: 'HQ signing key', unreadable: 'HQ_KEY_FILE', permissions: 'HQ_KEY_FILE_PERMISSIONS' });
  return ed25519PrivateKey(pem, path);
}

/** The link the section describes (key file, CA file). */
export function linkOf(section: HqSection, deps: { clock: Clock; random: Random }): CenterLink {
  let ca: Buffer | undefined;
  if (section.center.caFile) {
    try {
      ca = readFileSync(section.center.caFile);
    } catch (e) {
      throw new TesseraError('HQ_CONFIG_INVALID', 'cannot read the center CA file', { path: section.center.caFile }, { cause: e });
    }
  }
  return httpsCenterLink({ url: section.center.url, hqId: section.hqId, key: readHqKey(section.center.keyFile), ...(ca && { ca }), ...deps });
}

export function hqModule(o: HqModuleOptions = {}): CenterModule<HqSection | undefined, HqService> {
  return {
    name: HQ_MODULE,
    config: { key: 'hq', schema: hqSectionSchema.optional().describe('Seed 002 store headquarters (center/hq): its stores, tills and the signed link to the settlement center; `tessera hq serve` runs with it.') },
    migrations: [hqMigrations],
    requires: [VALIDITY_MODULE],
    enabled: (section) => section !== undefined,
    check: (section) => {
      if (section && !o.link) readHqKey(section.center.keyFile);
    },
    async open(ctx) {
      const section = ctx.section!;
      const validity = ctx.module<ValidityApi>(VALIDITY_MODULE);
      const link = o.link ?? linkOf(section, { clock: ctx.clock, random: ctx.random });
      const hq = new HqService({ storage: ctx.storage, clock: ctx.clock, log: ctx.log, section, link, gate: validity.gate });
      const intervalMs = o.sweepIntervalMs === undefined ? HQ_LIMITS.sweepIntervalMs : o.sweepIntervalMs;
      const timers: CenterTimer[] = intervalMs === null ? [] : [startSweepTimer(hq, intervalMs, ctx.clock, ctx.log, 'hq outbox')];
      ctx.log.info({ hqId: section.hqId, stores: section.stores.length, center: section.center.url }, 'hq running');
      return { api: hq, flows: [hqFlow(hq)], timers, idle: () => hq.idle() };
    },
  };
}
