/**
 * What the voucher scene needs before the world opens: the settlement
 * center's PIN key (0600), the HQ's Ed25519 signing key pair (the private
 * key 0600 for the HQ, the public key for the center's HQ link, as `tessera
 * hq keygen` writes them), the loopback ports of the merchant API and the
 * HQ link, and the center config sections that turn them on (`voucher`,
 * `merchantApi`, `hqLink`), the way `tessera center --config` reads them.
 * No secret leaves these files.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../world/terminals.js';
import { writeSecretFile } from '../../world/cli-parts.js';
import { VOUCHER_CHAIN } from './plan.js';

export interface VoucherSetup {
  readonly dir: string;
  /** The HQ's private signing key (PKCS#8 PEM, 0600). */
  readonly hqKeyFile: string;
  /** Its public key (SPKI PEM), which the center's HQ link checks signatures with. */
  readonly hqPublicKeyFile: string;
  readonly merchantApiPort: number;
  readonly hqLinkPort: number;
  /** The sections of the center's config for the voucher flows. */
  readonly centerSections: Readonly<Record<string, unknown>>;
}

export async function prepareVouchers(runDir: string, o: { sweepIntervalMs: number }): Promise<VoucherSetup> {
  const dir = join(runDir, 'vouchers');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pinKeyFile = writeSecretFile(dir, 'voucher-pin.key', randomBytes(32));
  const pair = generateKeyPairSync('ed25519');
  const hqKeyFile = writeSecretFile(dir, 'hq-signing.key', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const hqPublicKeyFile = join(dir, 'hq-signing.pub');
  writeFileSync(hqPublicKeyFile, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  const merchantApiPort = await freeLoopbackPort();
  const hqLinkPort = await freeLoopbackPort();
  return {
    dir,
    hqKeyFile,
    hqPublicKeyFile,
    merchantApiPort,
    hqLinkPort,
    centerSections: {
      voucher: { pinKeyFile, hqs: [{ hqId: VOUCHER_CHAIN.hqId, commissionBp: VOUCHER_CHAIN.commissionBp }], sweepIntervalMs: o.sweepIntervalMs },
      merchantApi: { host: '127.0.0.1', port: merchantApiPort },
      hqLink: { host: '127.0.0.1', port: hqLinkPort, hqs: [{ hqId: VOUCHER_CHAIN.hqId, publicKeyFile: hqPublicKeyFile }] },
    },
  };
}
