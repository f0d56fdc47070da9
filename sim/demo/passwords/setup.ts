/**
 * What the settlement-password scene (seed 003) needs before the world
 * opens: the TTP's key (0600), the simulated SMSC and mail server as world
 * parties (started after the banks, before the center, so the center's
 * SMPP client binds at once), their account secrets in 0600 files, the
 * shop in store and the credit company as merchants of the center (API
 * keys 0600, added on the center's database before it starts, as `tessera
 * merchant add` does; the credit company's key is an issuer's, through
 * `issuerClients`), the bank accounts of the customers (they pay the credit
 * company) and of the credit company (customers pay into it, refunds leave
 * it), the `passwords` section of the center's config that turns the TTP
 * on with SMPP and SMTP delivery, and the credit company's config
 * (`tessera credit serve`'s) once the banks' URLs are known. No secret
 * leaves these files.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MerchantRegistry } from '../../../center/merchant-api/merchants.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Clock } from '../../../core/clock.js';
import { systemRandom } from '../../../core/random.js';
import { startMailbox, type Mailbox } from '../../mailbox/mailbox.js';
import { startSmsc, type Smsc } from '../../smsc/smsc.js';
import { writeSecretFile } from '../../world/cli-parts.js';
import { freeLoopbackPort } from '../../world/terminals.js';
import type { WorldParty } from '../../world/world.js';
import { parseCreditConfig, type CreditConfig } from '../../credit/config.js';
import type { WorldAccount, WorldBanks } from '../../world/banks.js';
import { BANK_A } from '../cast.js';
import { PASSWORD_CAST, PASSWORD_CURRENCY } from './plan.js';

export interface PasswordSetup {
  readonly dir: string;
  readonly smscPort: number;
  readonly mailboxPort: number;
  /** The mail server's directory (a directory per mailbox; the e-mail phone reads its own). */
  readonly mailDir: string;
  /** The shop in store: its merchant id, shop id and API key file. */
  readonly shop: { readonly merchantId: string; readonly shopId: string; readonly apiKeyFile: string };
  /** The SMSC and the mail server, as world parties. */
  readonly parties: readonly WorldParty[];
  /** Accounts to open at the banks: each customer's (with a PIN and money) and the credit company's. */
  readonly accounts: readonly WorldAccount[];
  /** The center config's `passwords` section. */
  centerSections(): Readonly<Record<string, unknown>>;
  /** The credit company's config (sim/credit/config.ts), given the banks and the TTP's merchant API URL. */
  creditConfig(banks: WorldBanks, ttpUrl: string): CreditConfig;
}

const SMPP_SYSTEM_ID = 'tessera';

export async function preparePasswords(runDir: string, o: { clock: Clock }): Promise<PasswordSetup> {
  const dir = join(runDir, 'passwords');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ttpKeyFile = writeSecretFile(dir, 'ttp.key', `${randomBytes(32).toString('hex')}\n`);
  const smppPassword = randomBytes(4).toString('hex');
  const smtpPassword = randomBytes(12).toString('hex');
  const smppPasswordFile = writeSecretFile(dir, 'smpp.pw', `${smppPassword}\n`);
  const smtpPasswordFile = writeSecretFile(dir, 'smtp.pw', `${smtpPassword}\n`);
  const smscPort = await freeLoopbackPort();
  const mailboxPort = await freeLoopbackPort();
  const mailDir = join(dir, 'mail');
  mkdirSync(mailDir, { recursive: true, mode: 0o700 });
  const { shop, creditApiKeyFile } = await addMerchants(join(runDir, 'center.db'), dir, o.clock);
  const creditPinFile = writeSecretFile(dir, 'credit-account.pin', `${CREDIT_ACCOUNT.pin}\n`);
  const parties: WorldParty[] = [
    {
      name: 'smsc',
      start: (): Promise<Smsc> =>
        startSmsc({ host: '127.0.0.1', port: smscPort, accounts: [{ systemId: SMPP_SYSTEM_ID, password: smppPassword }], phones: PASSWORD_CAST.filter((c) => c.channel === 'sms').map((c) => c.msisdn), holdMs: 10_000 }),
    },
    {
      name: 'mailbox',
      start: (): Promise<Mailbox> =>
        startMailbox({ host: '127.0.0.1', port: mailboxPort, dir: mailDir, mailboxes: PASSWORD_CAST.filter((c) => c.channel === 'email').map((c) => c.email), auth: { user: 'ttp', password: smtpPassword }, messageBytesMax: 64 * 1024 }),
    },
  ];
  return {
    dir,
    smscPort,
    mailboxPort,
    mailDir,
    shop,
    parties,
    accounts: [
      ...PASSWORD_CAST.map((c) => ({ ref: c.account, holder: c.name, role: 'user' as const, pin: c.bankPin, openingMinor: CUSTOMER_OPENING_MINOR })),
      { ref: CREDIT_ACCOUNT.ref, holder: CREDIT_MERCHANT, role: 'merchant' as const, pin: CREDIT_ACCOUNT.pin },
    ],
    creditConfig: (banks, ttpUrl) =>
      parseCreditConfig({
        issuer: PASSWORD_ISSUER,
        db: join(dir, 'credit.db'),
        listen: { host: '127.0.0.1', port: 0 },
        currency: PASSWORD_CURRENCY,
        ttp: { url: ttpUrl, apiKeyFile: creditApiKeyFile },
        banks: [...banks.byCode.values()].filter((b) => b.http).map((b) => ({ bankCode: b.host.bankCode, url: `http://127.0.0.1:${b.http!.address.port}` })),
        accounts: [{ ...CREDIT_ACCOUNT.ref, pinFile: creditPinFile }],
        customers: PASSWORD_CAST.map((c) => ({ id: c.name.toLowerCase(), ...c.account })),
        terms: { partial: true },
        workerIntervalMs: 60_000,
      }),
    centerSections: () => ({
      passwords: {
        ttpKeyFile,
        issuers: [PASSWORD_ISSUER],
        issuerClients: { [CREDIT_MERCHANT]: PASSWORD_ISSUER },
        shopCategories: { [shop.shopId]: 'GROCERY' },
        // The scene sweeps itself once the short-lived password has expired.
        sweepIntervalMs: 60_000,
        delivery: {
          smpp: { host: '127.0.0.1', port: smscPort, systemId: SMPP_SYSTEM_ID, passwordFile: smppPasswordFile },
          smtp: { host: '127.0.0.1', port: mailboxPort, user: 'ttp', passwordFile: smtpPasswordFile, from: 'passwords@ttp.tessera.test' },
          sweepIntervalMs: 50,
          backoffMsBase: 200,
        },
      },
    }),
  };
}

/** The credit company the demo's TTP issues for. */
export const PASSWORD_ISSUER = 'CREDIT-DEMO';
export const STORE_MERCHANT = 'corner-store';
export const STORE_SHOP_ID = 'SHOP-CORNER';

/** The credit company's merchant name at the TTP (its key may use the issuer routes). */
export const CREDIT_MERCHANT = 'credit-demo';
/** What each customer has at the bank before ordering. */
export const CUSTOMER_OPENING_MINOR = 20_000;
/** The credit company's account at bank A (the customers bank there): they pay into it; refunds leave it. */
export const CREDIT_ACCOUNT = { ref: { bankCode: BANK_A, branchCode: '030', accountNumber: '3000001' }, pin: '97531' } as const;

async function addMerchants(dbPath: string, dir: string, clock: Clock): Promise<{ shop: PasswordSetup['shop']; creditApiKeyFile: string }> {
  const storage = await openStorage({ engine: 'sqlite', path: dbPath });
  try {
    const merchants = await MerchantRegistry.open(storage, clock, systemRandom);
    const m = await merchants.add(STORE_MERCHANT, STORE_SHOP_ID);
    const store = await merchants.addKey(STORE_MERCHANT, 'demo corner store');
    await merchants.add(CREDIT_MERCHANT);
    const credit = await merchants.addKey(CREDIT_MERCHANT, 'demo credit company (issuer)');
    return {
      shop: { merchantId: m.id, shopId: STORE_SHOP_ID, apiKeyFile: writeSecretFile(dir, 'store-api.key', store.key) },
      creditApiKeyFile: writeSecretFile(dir, 'credit-ttp-api.key', credit.key),
    };
  } finally {
    await storage.close();
  }
}
