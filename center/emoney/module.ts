/**
 * Seed 004 as a center module (the worked example of center/server/module.ts):
 * runs when the config has an `emoney` section (or a test hands it its
 * secrets). open() reads the issuer key and security codes from their 0600
 * files, builds the relay with one HttpBankAdapter per configured bank,
 * opens Emoney on the center's storage behind validity's gate, registers
 * the member shops and starts the sweep on a timer; idle() waits for
 * settlement callbacks in flight.
 */
import { HttpBankAdapter } from '../relay/http-bank-adapter.js';
import { Relay } from '../relay/relay.js';
import type { CenterModule, CenterTimer } from '../server/module.js';
import { VALIDITY_MODULE, type ValidityApi } from '../validity/module.js';
import { emoneyAdminRoutes } from './admin-routes.js';
import { EMONEY_AUDIT } from './audit-check.js';
import { emoneySectionSchema, parseBankUrl, type EmoneySection } from './config-schema.js';
import type { EmoneyConfig } from './config.js';
import { Emoney } from './emoney.js';
import { emoneyMigrations } from './schema.js';
import { readIssuerKeyFile, readProviderAccounts } from './secret-files.js';
import type { SettlementStep } from './settlement.js';
import { startSweepTimer } from '../kit/sweep-timer.js';
import { httpReachable } from '../admin/health.js';
import type { CenterMetrics } from '../metrics/center-metrics.js';

export interface EmoneyModuleOptions {
  /** The secrets themselves instead of the section's files (tests, the demo): the module then runs without a section. */
  readonly secrets?: EmoneyConfig;
  /** The relay instead of one built from the section's banks (in-process bank hosts). */
  readonly relay?: Relay;
  /** Sweep on a timer (default: the section's sweepIntervalMs; none without a section: the caller sweeps). */
  readonly sweepIntervalMs?: number | null;
  readonly onSettlementStep?: (step: SettlementStep, batchId: string) => void;
  /** Bank calls by bank and outcome (center/metrics). */
  readonly metrics?: CenterMetrics;
}

export const EMONEY_MODULE = 'emoney';

/** Reads every e-money secret file (issuer key, security codes): coded errors, values never shown. */
export function readEmoneySecrets(section: EmoneySection): EmoneyConfig {
  return { issuerMasterKey: readIssuerKeyFile(section.issuerMasterKeyFile), currency: section.currency, providerAccounts: readProviderAccounts(section) };
}

export function emoneyModule(o: EmoneyModuleOptions = {}): CenterModule<EmoneySection | undefined, Emoney> {
  return {
    name: EMONEY_MODULE,
    config: { key: 'emoney', schema: emoneySectionSchema.optional().describe('Seed 004 e-money (center/emoney/config-schema.ts): when present the center runs the Emoney flow, the relay and the sweep.') },
    migrations: [emoneyMigrations],
    requires: [VALIDITY_MODULE],
    auditChecks: [EMONEY_AUDIT],
    enabled: (section) => section !== undefined || o.secrets !== undefined,
    check: (section) => {
      if (section && !o.secrets) readEmoneySecrets(section);
    },
    async open(ctx) {
      const { section, clock, log } = ctx;
      const validity = ctx.module<ValidityApi>(VALIDITY_MODULE);
      const config = o.secrets ?? readEmoneySecrets(section!);
      const relay = o.relay ?? new Relay({ adapters: section!.banks.map((b) => new HttpBankAdapter(b.bankCode, parseBankUrl(b.url)!)), clock, log });
      o.metrics?.attachRelay(relay);
      const emoney = await Emoney.open({
        storage: ctx.storage,
        relay,
        config,
        lookupTerminalKey: ctx.terminalKey,
        gate: validity.gate,
        validity: validity.repository,
        clock,
        random: ctx.random,
        log,
        ...(o.onSettlementStep && { onSettlementStep: o.onSettlementStep }),
        onOutcome: (x) => ctx.outcomes.publish(x),
      });
      for (const s of section?.shops ?? []) await emoney.registerShop(s.shopId, { bankCode: s.bankCode, branchCode: s.branchCode, accountNumber: s.accountNumber });
      const intervalMs = o.sweepIntervalMs === undefined ? (section?.sweepIntervalMs ?? null) : o.sweepIntervalMs;
      const timers: CenterTimer[] = intervalMs === null ? [] : [startSweepTimer(emoney, intervalMs, clock, log, 'e-money')];
      log.info({ banks: relay.bankCodes, shops: section?.shops.length ?? 0, sweepIntervalMs: intervalMs }, 'e-money running');
      // /readyz: each configured bank host answers its /health (the center cannot charge or settle without it).
      const readiness = (section?.banks ?? []).map((b) => httpReachable(`bank ${b.bankCode} reachable`, new URL('/health', b.url).href, 'RELAY_BANK_UNREACHABLE'));
      return { api: emoney, flows: [emoney.flow], routes: emoneyAdminRoutes(ctx.storage), timers, readiness, idle: () => emoney.idle() };
    },
  };
}
