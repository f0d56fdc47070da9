/**
 * What the voucher scene needs before the world opens: the settlement
 * center's PIN key (0600), the HQ's Ed25519 signing key pair (the private
 * key 0600 for the HQ, the public key for the center's HQ link, as `tessera
 * hq keygen` writes them), the loopback ports of the merchant API and the
 * HQ link, and the center config sections that turn them on (`voucher`,
 * `merchantApi`, `hqLink`), the way `tessera center --config` reads them;
 * the web shop as a merchant of the center with its API key (0600), added
 * on the center's database before it starts, as `tessera merchant add`
 * does, so the voucher section can name it among the shops paid out; the
 * bank accounts of the shop and of the settlement center (its payouts
 * leave from its own account at the shop's bank). No secret leaves these
 * files.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../world/terminals.js';
import { writeSecretFile } from '../../world/cli-parts.js';
import { MerchantRegistry } from '../../../center/merchant-api/merchants.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Clock } from '../../../core/clock.js';
import { systemRandom } from '../../../core/random.js';
import type { WorldAccount, WorldBanks } from '../../world/banks.js';
import { BANK_A } from '../cast.js';
import { VOUCHER_CHAIN, WEBSHOP_MERCHANT } from './plan.js';

export interface VoucherSetup {
  readonly dir: string;
  /** The HQ's private signing key (PKCS#8 PEM, 0600). */
  readonly hqKeyFile: string;
  /** Its public key (SPKI PEM), which the center's HQ link checks signatures with. */
  readonly hqPublicKeyFile: string;
  readonly merchantApiPort: number;
  readonly hqLinkPort: number;
  /** The web shop's merchant id and API key file. */
  readonly merchantId: string;
  readonly apiKeyFile: string;
  /** Accounts to open at the banks: the shop's (paid out to) and the settlement center's (pays out, with a working float). */
  readonly accounts: readonly WorldAccount[];
  /** The sections of the center's config for the voucher flows, given the banks' URLs. */
  centerSections(banks: WorldBanks | null): Readonly<Record<string, unknown>>;
}

/** The web shop's account and the settlement center's at bank A (payouts stay inside one bank: the simulator has no interbank transfers). */
export const VOUCHER_ACCOUNTS = {
  shop: { bankCode: BANK_A, branchCode: '005', accountNumber: '5000001' },
  center: { bankCode: BANK_A, branchCode: '009', accountNumber: '9000101' },
  /** What the settlement center keeps at the bank to pay shops from (the HQs' payments top it up once their days end). */
  centerFloatMinor: 100_000,
} as const;

export async function prepareVouchers(runDir: string, o: { sweepIntervalMs: number; clock: Clock }): Promise<VoucherSetup> {
  const dir = join(runDir, 'vouchers');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pinKeyFile = writeSecretFile(dir, 'voucher-pin.key', randomBytes(32));
  const pair = generateKeyPairSync('ed25519');
  const hqKeyFile = writeSecretFile(dir, 'hq-signing.key', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const hqPublicKeyFile = join(dir, 'hq-signing.pub');
  writeFileSync(hqPublicKeyFile, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  const centerCodeFile = writeSecretFile(dir, 'voucher-center-account.code', '73917391');
  const { merchantId, key } = await addShopMerchant(join(runDir, 'center.db'), o.clock);
  const apiKeyFile = writeSecretFile(dir, 'webshop-api.key', key);
  const merchantApiPort = await freeLoopbackPort();
  const hqLinkPort = await freeLoopbackPort();
  return {
    dir,
    hqKeyFile,
    hqPublicKeyFile,
    merchantApiPort,
    hqLinkPort,
    merchantId,
    apiKeyFile,
    accounts: [
      { ref: VOUCHER_ACCOUNTS.shop, holder: WEBSHOP_MERCHANT, role: 'merchant', pin: '5151' },
      { ref: VOUCHER_ACCOUNTS.center, holder: 'voucher-center', role: 'provider', pin: '73917391', openingMinor: VOUCHER_ACCOUNTS.centerFloatMinor },
    ],
    centerSections: (banks) => ({
      voucher: {
        pinKeyFile,
        hqs: [{ hqId: VOUCHER_CHAIN.hqId, commissionBp: VOUCHER_CHAIN.commissionBp }],
        sweepIntervalMs: o.sweepIntervalMs,
        shops: [{ merchantId, ...VOUCHER_ACCOUNTS.shop }],
        centerAccounts: [{ ...VOUCHER_ACCOUNTS.center, securityCodeFile: centerCodeFile }],
        banks: [...(banks?.byCode.values() ?? [])].filter((b) => b.http).map((b) => ({ bankCode: b.host.bankCode, url: `http://127.0.0.1:${b.http!.address.port}` })),
      },
      merchantApi: { host: '127.0.0.1', port: merchantApiPort },
      hqLink: { host: '127.0.0.1', port: hqLinkPort, hqs: [{ hqId: VOUCHER_CHAIN.hqId, publicPemFile: hqPublicKeyFile }] },
    }),
  };
}

/** `tessera merchant add` + `key add` on the center's database before the center starts: the shop's id and its API key. */
async function addShopMerchant(dbPath: string, clock: Clock): Promise<{ merchantId: string; key: string }> {
  const storage = await openStorage({ engine: 'sqlite', path: dbPath });
  try {
    const merchants = await MerchantRegistry.open(storage, clock, systemRandom);
    const m = await merchants.add(WEBSHOP_MERCHANT);
    const { key } = await merchants.addKey(WEBSHOP_MERCHANT, 'demo web shop');
    return { merchantId: m.id, key };
  } finally {
    await storage.close();
  }
}
