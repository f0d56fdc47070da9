/**
 * What the settlement-password scene (seed 003) needs before the world
 * opens: the TTP's key (0600), the simulated SMSC and mail server as world
 * parties (started after the banks, before the center, so the center's
 * SMPP client binds at once), their account secrets in 0600 files, the
 * shop in store as a merchant of the center (its API key 0600, added on
 * the center's database before it starts, as `tessera merchant add` does),
 * and the `passwords` section of the center's config that turns the TTP
 * on with SMPP and SMTP delivery. No secret leaves these files.
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
import { PASSWORD_CAST } from './plan.js';

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
  /** The center config's `passwords` section. */
  centerSections(): Readonly<Record<string, unknown>>;
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
  const shop = await addStoreMerchant(join(runDir, 'center.db'), dir, o.clock);
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
    centerSections: () => ({
      passwords: {
        ttpKeyFile,
        issuers: [PASSWORD_ISSUER],
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

async function addStoreMerchant(dbPath: string, dir: string, clock: Clock): Promise<PasswordSetup['shop']> {
  const storage = await openStorage({ engine: 'sqlite', path: dbPath });
  try {
    const merchants = await MerchantRegistry.open(storage, clock, systemRandom);
    const m = await merchants.add(STORE_MERCHANT, STORE_SHOP_ID);
    const { key } = await merchants.addKey(STORE_MERCHANT, 'demo corner store');
    return { merchantId: m.id, shopId: STORE_SHOP_ID, apiKeyFile: writeSecretFile(dir, 'store-api.key', key) };
  } finally {
    await storage.close();
  }
}
