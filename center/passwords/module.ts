/**
 * Seed 003 as a center module (`passwords`): runs when the config has a
 * `passwords` section (or a test hands it its secrets). open() reads the TTP
 * key from its 0600 file, opens Passwords on the center's storage, builds
 * the delivery side (the caller's, or the section's `delivery`: SMPP/SMTP
 * through center/passwords/delivery/) with Passwords as its outcome sink,
 * and starts the sweep. Its merchant routes (/v1/passwords/...) go on the merchant API's
 * listener when that module runs (`uses`, center/merchant-api/route-contributions.ts).
 */
import type { CenterModule, CenterTimer } from '../server/module.js';
import { startSweepTimer } from '../kit/sweep-timer.js';
import { MERCHANT_API_MODULE, type MerchantApiHandle } from '../merchant-api/module.js';
import { VALIDITY_MODULE, type ValidityApi } from '../validity/module.js';
import { PASSWORDS_AUDIT } from './audit-check.js';
import { passwordsSectionSchema, type PasswordsSection } from './config-schema.js';
import type { PasswordDelivery, PasswordDeliveryFactory, TransactionalPasswordDelivery } from './delivery-port.js';
import './delivery/errors.js'; // the PWDELIVERY_ registry: the section's secret-file errors carry their codes
import { readDeliverySecrets } from './delivery/config.js';
import { passwordDeliveryFactory } from './delivery/password-delivery.js';
import { readTtpKeyFile } from './keys.js';
import { passwordMerchantContribution } from './merchant-routes.js';
import { passwordDeviceContribution } from './device-routes.js';
import { passwordIssuerContribution } from './issuer-routes.js';
import { passwordsAdminRoutes } from './admin-routes.js';
import { TesseraError } from '../../core/errors.js';
import { Passwords } from './passwords.js';
import { shopPayoutConfigOf } from '../relay/shop-payouts.js';
import { unbookedPayoutShops } from './payouts.js';
import type { Storage } from '../storage/types.js';
import type { Logger } from '../../core/log.js';
import type { BankPayoutConfig } from '../relay/bank-payouts.js';
import { readSecurityCodeFile } from '../emoney/secret-files.js';
import { PasswordSaleService, passwordSaleFlow } from './sale-flow.js';
import { passwordsMigrations } from './schema.js';

export const PASSWORDS_MODULE = 'passwords';

export interface PasswordsModuleOptions {
  /** The TTP seed and issuers instead of the section (tests, the demo): the module then runs without a section. */
  readonly secrets?: { readonly ttpSeed: Buffer; readonly issuers: readonly string[]; readonly shopCategories?: Readonly<Record<string, string>>; readonly issuerClients?: Readonly<Record<string, string>> };
  /**
   * The delivery side (center/passwords/delivery/), given Passwords as its sink. Without it the section's
   * `delivery` (SMPP / SMTP) is opened; with neither, issue() refuses (PASSWORD_DELIVERY_UNAVAILABLE).
   */
  readonly delivery?: PasswordDeliveryFactory;
  /** Sweep on a timer (default: the section's sweepIntervalMs; none without a section: the caller sweeps). */
  readonly sweepIntervalMs?: number | null;
  /** Shop payouts on this relay and accounts instead of the section's (in-process bank hosts). */
  readonly payouts?: BankPayoutConfig;
}

export type PasswordsModule = CenterModule<PasswordsSection | undefined, Passwords>;

export function passwordsModule(o: PasswordsModuleOptions = {}): PasswordsModule {
  return {
    name: PASSWORDS_MODULE,
    config: { key: 'passwords', schema: passwordsSectionSchema.optional().describe('Seed 003 settlement passwords (center/passwords/config-schema.ts): when present the center is a TTP issuing and redeeming passwords.') },
    migrations: [passwordsMigrations],
    auditChecks: [PASSWORDS_AUDIT],
    // Validity's terminal rows name each terminal's shop: with it the in-store sale flow runs (sale-flow.ts).
    uses: [MERCHANT_API_MODULE, VALIDITY_MODULE],
    enabled: (section) => section !== undefined || o.secrets !== undefined,
    check: (section) => {
      if (section && !o.secrets) readTtpKeyFile(section.ttpKeyFile).fill(0);
      if (section) checkIssuerClients(section.issuerClients, section.issuers);
      // The delivery's SMPP / SMTP password files (0600): refused here, before anything opens or connects.
      if (section?.delivery && !o.delivery) readDeliverySecrets(section.delivery);
      if (section?.payouts && !o.payouts) for (const a of section.payouts.ownerAccounts) readSecurityCodeFile(a.securityCodeFile);
    },
    async open(ctx) {
      const { section, clock, log } = ctx;
      const fromFile = o.secrets === undefined;
      const secrets = o.secrets ?? { ttpSeed: readTtpKeyFile(section!.ttpKeyFile), issuers: section!.issuers, shopCategories: section!.shopCategories, issuerClients: section!.issuerClients };
      const issuerClients = secrets.issuerClients ?? {};
      checkIssuerClients(issuerClients, secrets.issuers);
      const pw = await Passwords.open({ storage: ctx.storage, clock, random: ctx.random, log, ...secrets, currency: section?.currency ?? 'JPY' });
      if (fromFile) secrets.ttpSeed.fill(0); // the keys derived from it are held by pw
      const factory = o.delivery ?? (section?.delivery ? passwordDeliveryFactory(section.delivery, { storage: ctx.storage, clock, random: ctx.random, log }) : undefined);
      const delivery = factory ? await factory(pw) : null;
      if (delivery) pw.useDelivery(delivery);
      // The delivery side's queue takes the message in the issue's own unit (delivery-port.ts TransactionalPasswordDelivery).
      if (delivery && isTransactional(delivery)) pw.useDeliveryQueue(delivery);
      const intervalMs = o.sweepIntervalMs === undefined ? (section?.sweepIntervalMs ?? null) : o.sweepIntervalMs;
      if (section) pw.timeZone = section.timeZone;
      const payouts = o.payouts ?? (section?.payouts ? shopPayoutConfigOf(section.payouts, log, clock) : undefined);
      if (payouts) await pw.usePayouts(payouts, section?.currency ?? 'JPY');
      if (payouts) await warnUnbookedPayoutShops(ctx.storage, [...payouts.payees.keys()], log);
      const timers: CenterTimer[] = intervalMs === null ? [] : [startSweepTimer(pw, intervalMs, clock, log, 'passwords')];
      if (payouts && intervalMs !== null) timers.push(startSweepTimer({ sweep: () => pw.sweepPayouts() }, intervalMs, clock, log, 'password-payouts'));
      log.info({ issuers: secrets.issuers.length, keyId: pw.keys.keyId.toString('hex'), delivery: delivery !== null, sweepIntervalMs: intervalMs }, 'passwords (TTP) running');
      ctx.optionalModule<MerchantApiHandle>(MERCHANT_API_MODULE)?.addRoutes(passwordMerchantContribution(pw, issuerClients));
      ctx.optionalModule<MerchantApiHandle>(MERCHANT_API_MODULE)?.addRoutes(passwordIssuerContribution(pw, issuerClients));
      ctx.optionalModule<MerchantApiHandle>(MERCHANT_API_MODULE)?.addRoutes(passwordDeviceContribution(pw));
      const validity = ctx.optionalModule<ValidityApi>(VALIDITY_MODULE);
      const flows = validity ? [passwordSaleFlow(new PasswordSaleService(pw, validity.repository, log))] : [];
      return {
        api: pw,
        flows,
        timers,
        routes: passwordsAdminRoutes(pw),
        close: async () => {
          await delivery?.close?.();
        },
      };
    },
  };
}

/** A payout entry naming an id nothing books to pays nobody: said at start, coded, with the id to use (terminals may still be added, so it does not stop the center). */
async function warnUnbookedPayoutShops(storage: Storage, shops: readonly string[], log: Logger): Promise<void> {
  for (const u of await unbookedPayoutShops(storage, shops)) {
    const hint = u.bookedAs !== null ? `: this merchant's sales are booked to its shop id ${u.bookedAs}, name that` : ': name the shop id (a store terminal\'s owner id, a merchant\'s --shop id)';
    log.warn({ code: 'PASSWORD_PAYOUT_SHOP_UNKNOWN', field: `passwords.payouts.shops[${u.index}].merchantId`, merchantId: u.merchantId, ...(u.bookedAs !== null && { shopId: u.bookedAs }) }, `PASSWORD_PAYOUT_SHOP_UNKNOWN: no sale is booked to ${u.merchantId}, this payout entry pays nobody${hint}`);
  }
}

function isTransactional(d: PasswordDelivery): d is PasswordDelivery & TransactionalPasswordDelivery {
  return typeof (d as Partial<TransactionalPasswordDelivery>).enqueue === 'function';
}

/** Every issuer client must name a configured issuer. */
function checkIssuerClients(clients: Readonly<Record<string, string>>, issuers: readonly string[]): void {
  for (const [merchant, issuer] of Object.entries(clients)) {
    if (!issuers.includes(issuer)) throw new TesseraError('PASSWORD_ISSUER_UNKNOWN', `passwords.issuerClients.${merchant}: ${issuer} is not in passwords.issuers`, { field: `passwords.issuerClients.${merchant}`, issuer });
  }
}
