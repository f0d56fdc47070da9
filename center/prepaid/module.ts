/**
 * Seed 000 as a center module: runs when the config has a `prepaid` section
 * (or a test hands it its secrets). open() reads the master key from its
 * 0600 file, registers the medium kind `prepaid-medium` on the validity
 * lists (so a frozen or blocked medium is refused everywhere) and opens
 * Prepaid on the center's storage and ledger behind validity's gate.
 * Its flow (flow.ts) serves PREPAID_REQUEST and PREPAID_CONFIRM from the
 * provider centers listed in the section's `providers` (PROTOCOL.md §6.4).
 * Its flow serves PREPAID_ISSUE from prepaid terminals (issue-flow.ts),
 * booking cash through the cash module and purse-card debit records through
 * the e-money module when they run (`uses`).
 * When the merchant API runs, the vendors' routes go on it
 * (`/v1/prepaid/...`, merchant-routes.ts); vendors' payables and providers'
 * fees are paid out through the bank relay on a sweep timer (payouts.ts).
 */
import type { CashBook } from '../cash/cash.js';
import { CASH_MODULE } from '../cash/module.js';
import type { Emoney } from '../emoney/emoney.js';
import { EMONEY_MODULE } from '../emoney/module.js';
import { startSweepTimer } from '../kit/sweep-timer.js';
import { MERCHANT_API_MODULE, type MerchantApiHandle } from '../merchant-api/module.js';
import type { CenterModule, CenterTimer } from '../server/module.js';
import { VALIDITY_MODULE, type ValidityApi } from '../validity/module.js';
import { PREPAID_AUDIT } from './audit-check.js';
import { prepaidIssueFlow } from './issue-flow.js';
import { prepaidSectionSchema, type PrepaidSection } from './config-schema.js';
import { readSecurityCodeFile } from '../emoney/secret-files.js';
import { prepaidAdminRoutes } from './admin-routes.js';
import { readPrepaidMasterKey } from './key-table.js';
import { prepaidFlow } from './flow.js';
import { Prepaid, PREPAID_MEDIUM_KIND, type PrepaidConfig } from './prepaid.js';
import { prepaidMerchantRoutes } from './merchant-routes.js';
import { prepaidPayoutMigrations } from './payout-schema.js';
import { PrepaidPayouts, prepaidPayoutConfigOf, type PrepaidPayoutConfig } from './payouts.js';
import { prepaidMigrations } from './schema.js';

export const PREPAID_MODULE = 'prepaid';

export interface PrepaidModuleOptions {
  /** The secrets themselves instead of the section's file (tests, the demo): the module then runs without a section. */
  readonly secrets?: PrepaidConfig;
  /** Provider centers' terminal ids, added to the section's `providers` (tests, the demo). */
  readonly providers?: readonly string[];
  /** Vendors (vendor id, merchant name) instead of the section's (tests, the demo). */
  readonly vendors?: ReadonlyArray<{ readonly vendorId: string; readonly merchant: string }>;
  /** Payouts on this relay and accounts instead of the section's (in-process bank hosts). */
  readonly payouts?: PrepaidPayoutConfig;
  /** Payout sweep on a timer (default: the section's sweepIntervalMs; none without a section). */
  readonly sweepIntervalMs?: number | null;
}

const PAYOUTS_OF = new WeakMap<Prepaid, PrepaidPayouts>();

/** The payouts of a running prepaid module (tests and the demo sweep them by hand; the center sweeps on its timer). */
export function prepaidPayoutsOf(prepaid: Prepaid): PrepaidPayouts | undefined {
  return PAYOUTS_OF.get(prepaid);
}

export function readPrepaidSecrets(section: PrepaidSection): PrepaidConfig {
  return { masterKey: readPrepaidMasterKey(section.masterKeyFile), issuerId: section.issuerId, currency: section.currency };
}

export function prepaidModule(o: PrepaidModuleOptions = {}): CenterModule<PrepaidSection | undefined, Prepaid> {
  return {
    name: PREPAID_MODULE,
    config: { key: 'prepaid', schema: prepaidSectionSchema.optional().describe('Seed 000 rewritable-medium prepaid (center/prepaid/config-schema.ts): when present the center runs the prepaid center.') },
    migrations: [prepaidMigrations, prepaidPayoutMigrations],
    requires: [VALIDITY_MODULE],
    // The cash module books an issue's notes, e-money its purse records; when the merchant API runs, the vendors' routes go on it (added here, served once it starts).
    uses: [CASH_MODULE, MERCHANT_API_MODULE, EMONEY_MODULE],
    auditChecks: [PREPAID_AUDIT],
    enabled: (section) => section !== undefined || o.secrets !== undefined,
    check: (section) => {
      if (section && !o.secrets) readPrepaidSecrets(section);
      if (section && !o.payouts) for (const a of section.centerAccounts) readSecurityCodeFile(a.securityCodeFile);
    },
    async open(ctx) {
      const validity = ctx.module<ValidityApi>(VALIDITY_MODULE);
      validity.kinds.register(PREPAID_MEDIUM_KIND);
      const config = o.secrets ?? readPrepaidSecrets(ctx.section!);
      const prepaid = await Prepaid.open({ storage: ctx.storage, config, clock: ctx.clock, random: ctx.random, log: ctx.log, validity: { gate: validity.gate, repository: validity.repository } });
      await ctx.storage.migrate(prepaidPayoutMigrations);
      const marked = await prepaid.reconcileFrozen();
      const payouts = new PrepaidPayouts({
        storage: ctx.storage, ledger: prepaid.ledger, clock: ctx.clock, random: ctx.random, log: ctx.log, currency: config.currency,
        config: o.payouts ?? (ctx.section && prepaidPayoutConfigOf(ctx.section, ctx.log, ctx.clock)),
      });
      await payouts.ensureAccounts();
      PAYOUTS_OF.set(prepaid, payouts);
      const vendors = o.vendors ?? ctx.section?.vendors ?? [];
      ctx.optionalModule<MerchantApiHandle>(MERCHANT_API_MODULE)?.addRoutes(
        prepaidMerchantRoutes({ storage: ctx.storage, currency: config.currency, vendorOfMerchant: new Map(vendors.map((v) => [v.merchant, v.vendorId])), payouts }),
      );
      const intervalMs = o.sweepIntervalMs === undefined ? (ctx.section?.sweepIntervalMs ?? null) : o.sweepIntervalMs;
      const timers: CenterTimer[] = intervalMs === null ? [] : [startSweepTimer(payouts, intervalMs, ctx.clock, ctx.log, 'prepaid payouts')];
      ctx.log.info({ issuerId: config.issuerId, currency: config.currency, frozenMarked: marked, providers: ctx.section?.providers.length ?? 0, vendors: vendors.length, sweepIntervalMs: intervalMs }, 'prepaid center running');
      const providers = new Set([...(ctx.section?.providers ?? []).map((p) => p.providerId), ...(o.providers ?? [])]);
      const flow = prepaidFlow({ prepaid, issuerId: config.issuerId, isProvider: (id) => providers.has(id), log: ctx.log });
      const cash = ctx.optionalModule<CashBook>(CASH_MODULE);
      const purses = ctx.optionalModule<Emoney>(EMONEY_MODULE)?.purses;
      const issueFlow = prepaidIssueFlow({ prepaid, gate: validity.gate, ...(cash && { cash }), ...(purses && { purses }), currency: config.currency, log: ctx.log });
      return { api: prepaid, flows: [flow, issueFlow], timers, routes: prepaidAdminRoutes(prepaid) };
    },
  };
}
