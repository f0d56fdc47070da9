/**
 * Seed 002 as a center module (`voucher`, like center/emoney/module.ts): runs
 * when the config has a `voucher` section (or a test hands it the PIN key).
 * open() reads the PIN key from its 0600 file, registers the medium kind
 * `voucher` with the validity module (cards are media on the one block
 * list), opens the engine on the center's storage, registers the configured
 * HQs, adds the /v1/vouchers/ routes to the merchant API when it runs
 * (`uses`, route-contributions.ts) and starts the sweep on a timer.
 */
import { startSweepTimer } from '../kit/sweep-timer.js';
import type { CenterModule, CenterTimer } from '../server/module.js';
import { VALIDITY_MODULE, type ValidityApi } from '../validity/module.js';
import { MERCHANT_API_MODULE, type MerchantApiHandle } from '../merchant-api/module.js';
import { voucherMerchantRoutes } from './merchant-routes.js';
import { VOUCHER_AUDIT } from './audit-check.js';
import { voucherSectionSchema, type VoucherSection } from './config-schema.js';
import { readPinKeyFile } from './pins.js';
import { voucherMigrations } from './schema.js';
import { isSerial } from './serial.js';
import { VOUCHER_KIND, Vouchers, type VoucherMetrics } from './vouchers.js';
import { readSecurityCodeFile } from '../emoney/secret-files.js';
import { parseBankUrl } from '../emoney/config-schema.js';
import { HttpBankAdapter } from '../relay/http-bank-adapter.js';
import { Relay } from '../relay/relay.js';
import type { PayoutConfig } from './payouts.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';

export const VOUCHER_MODULE = 'voucher';

export interface VoucherModuleOptions {
  /** The PIN key itself instead of the section's file (tests, the demo): the module then runs without a section. */
  readonly pinKey?: Buffer;
  /** Sweep on a timer (default: the section's sweepIntervalMs; none without a section: the caller sweeps). */
  readonly sweepIntervalMs?: number | null;
  /** PIN failures, lockouts, redemptions, activations. */
  readonly metrics?: VoucherMetrics;
  /** Shop payouts on this relay and accounts instead of the section's (in-process bank hosts). */
  readonly payouts?: PayoutConfig;
}

/** Shop payouts from the section: the relay to its banks, the center's accounts (security codes from their 0600 files), the shops'. */
export function payoutConfigOf(section: VoucherSection, log: Logger, clock: Clock): PayoutConfig | undefined {
  if (section.shops.length === 0) return undefined;
  return {
    relay: new Relay({ adapters: section.banks.map((b) => new HttpBankAdapter(b.bankCode, parseBankUrl(b.url)!)), clock, log }),
    shops: new Map(section.shops.map((x) => [x.merchantId, { bankCode: x.bankCode, branchCode: x.branchCode, accountNumber: x.accountNumber }])),
    centerAccounts: new Map(section.centerAccounts.map((a) => [a.bankCode, { bankCode: a.bankCode, branchCode: a.branchCode, accountNumber: a.accountNumber, securityCode: readSecurityCodeFile(a.securityCodeFile) }])),
  };
}

/** The medium kind of voucher serials on the validity lists. */
export const VOUCHER_MEDIUM_KIND = { name: VOUCHER_KIND, isId: isSerial } as const;

export function voucherModule(o: VoucherModuleOptions = {}): CenterModule<VoucherSection | undefined, Vouchers> {
  return {
    name: VOUCHER_MODULE,
    config: { key: 'voucher', schema: voucherSectionSchema.optional().describe('Seed 002 vouchers (center/voucher/config-schema.ts): when present the center issues, activates and redeems vouchers.') },
    migrations: [voucherMigrations],
    requires: [VALIDITY_MODULE],
    // When the merchant API runs, the redemption routes go on it (added here, served once it starts).
    uses: [MERCHANT_API_MODULE],
    auditChecks: [VOUCHER_AUDIT],
    enabled: (section) => section !== undefined || o.pinKey !== undefined,
    check: (section) => {
      if (section && !o.pinKey) readPinKeyFile(section.pinKeyFile).fill(0);
      if (section && !o.payouts) for (const a of section.centerAccounts) readSecurityCodeFile(a.securityCodeFile);
    },
    async open(ctx) {
      const { section, clock, log } = ctx;
      const validity = ctx.module<ValidityApi>(VALIDITY_MODULE);
      validity.kinds.register(VOUCHER_MEDIUM_KIND);
      const pinKey = o.pinKey ?? readPinKeyFile(section!.pinKeyFile);
      const vouchers = await Vouchers.open({
        storage: ctx.storage,
        clock,
        random: ctx.random,
        log,
        pinKey,
        ...(section && { currency: section.currency, timeZone: section.timeZone }),
        gate: validity.gate,
        validity: validity.repository,
        ...(o.metrics && { metrics: o.metrics }),
        ...(() => {
          const payouts = o.payouts ?? (section && payoutConfigOf(section, log, clock));
          return payouts ? { payouts } : {};
        })(),
      });
      for (const h of section?.hqs ?? []) await vouchers.registerHq(h.hqId, { commissionBp: h.commissionBp });
      ctx.optionalModule<MerchantApiHandle>(MERCHANT_API_MODULE)?.addRoutes(voucherMerchantRoutes(vouchers));
      const intervalMs = o.sweepIntervalMs === undefined ? (section?.sweepIntervalMs ?? null) : o.sweepIntervalMs;
      const timers: CenterTimer[] = intervalMs === null ? [] : [startSweepTimer({ sweep: () => vouchers.sweepOnce() }, intervalMs, clock, log, 'voucher')];
      log.info({ hqs: section?.hqs.length ?? 0, sweepIntervalMs: intervalMs }, 'vouchers running');
      return { api: vouchers, timers };
    },
  };
}
