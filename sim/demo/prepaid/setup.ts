/**
 * What the prepaid-medium scene (seed 000) needs before the world opens: the
 * prepaid master key (0600), the provider center registered as a terminal of
 * the center and the prepaid kiosk (their keys derived from the world's
 * master key once it is known), the provider's
 * TLS pair (self-signed, as `tessera provider keygen` makes it; the PCs pin
 * its SPKI), the vendor as a merchant of the center (its merchant API key
 * 0600, added on the center's database before it starts, as `tessera
 * merchant add` does) with its receipt signing key, and the `prepaid`
 * section of the center's config. No secret leaves these files.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MerchantRegistry } from '../../../center/merchant-api/merchants.js';
import { openStorage } from '../../../center/storage/open.js';
import type { NewTerminal } from '../../../center/validity/records.js';
import type { Clock } from '../../../core/clock.js';
import { TesseraError } from '../../../core/errors.js';
import { systemRandom } from '../../../core/random.js';
import { writeSigningSeed } from '../../vendor/serve.js';
import { writeSecretFile } from '../../world/cli-parts.js';
import { CURRENCY } from '../cast.js';

/** The prepaid center's issuer id in the demo. */
export const PREPAID_ISSUER_ID = 7;
export const PREPAID_PROVIDER = 'PROV-DEMO';
export const PREPAID_VENDOR = 'VENDOR-SOFT';
export const PREPAID_VENDOR_MERCHANT = 'shareware-vendor';
export const PREPAID_KIOSK = 'KIOSK-PP1';
export const PREPAID_FEE_MINOR = 100;
export const PREPAID_CURRENCY = CURRENCY;

export interface PrepaidSetup {
  readonly dir: string;
  /** The provider center's and the kiosk's rows on the validity terminal list. */
  readonly terminals: readonly NewTerminal[];
  readonly tls: { readonly certFile: string; readonly keyFile: string };
  readonly vendorApiKeyFile: string;
  readonly vendorSigningKeyFile: string;
  centerSections(): Readonly<Record<string, unknown>>;
}

export async function preparePrepaid(runDir: string, o: { clock: Clock }): Promise<PrepaidSetup> {
  const dir = join(runDir, 'prepaid');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const masterKeyFile = writeSecretFile(dir, 'prepaid-master.key', `${randomBytes(32).toString('hex')}\n`);
  const tls = selfSignedPair(dir);
  const vendorSigningKeyFile = join(dir, 'vendor-signing.key');
  await writeSigningSeed(vendorSigningKeyFile);
  const vendorApiKeyFile = await addVendorMerchant(join(runDir, 'center.db'), dir, o.clock);
  return {
    dir,
    terminals: [
      { id: PREPAID_PROVIDER, ownerKind: 'store', ownerId: PREPAID_PROVIDER, keyRef: `k-${PREPAID_PROVIDER}` },
      { id: PREPAID_KIOSK, ownerKind: 'store', ownerId: PREPAID_KIOSK, keyRef: `k-${PREPAID_KIOSK}` },
    ],
    tls,
    vendorApiKeyFile,
    vendorSigningKeyFile,
    centerSections: () => ({
      prepaid: {
        masterKeyFile, issuerId: PREPAID_ISSUER_ID, currency: PREPAID_CURRENCY,
        vendors: [{ vendorId: PREPAID_VENDOR, merchant: PREPAID_VENDOR_MERCHANT }],
        providers: [PREPAID_PROVIDER],
      },
    }),
  };
}

/** A self-signed EC P-256 pair for the provider's HTTPS listener (what `tessera provider keygen` writes). */
export function selfSignedPair(dir: string): { certFile: string; keyFile: string } {
  const keyFile = join(dir, 'provider-tls.key');
  const certFile = join(dir, 'provider-tls.pem');
  const umask = process.umask(0o077);
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore', env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
  } catch (e) {
    throw new TesseraError('DEMO_SETUP_FAILED', 'openssl could not make the provider\'s TLS pair', { part: 'prepaid' }, { cause: e });
  } finally {
    process.umask(umask);
  }
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile };
}

async function addVendorMerchant(dbPath: string, dir: string, clock: Clock): Promise<string> {
  const storage = await openStorage({ engine: 'sqlite', path: dbPath });
  try {
    const merchants = await MerchantRegistry.open(storage, clock, systemRandom);
    await merchants.add(PREPAID_VENDOR_MERCHANT);
    const k = await merchants.addKey(PREPAID_VENDOR_MERCHANT, 'demo shareware vendor');
    return writeSecretFile(dir, 'vendor-api.key', `${k.key}\n`);
  } finally {
    await storage.close();
  }
}
