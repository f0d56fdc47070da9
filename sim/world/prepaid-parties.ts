/**
 * Seed 000's outside parties in a world, each its own process, started the
 * same way by every test and the demo:
 *
 *   media      issued through the Prepaid api on the center's database
 *              before the center starts (the prepaid terminal's part),
 *              generation 1 confirmed, on the validity lists, each written
 *              into its own mount directory (slot A);
 *   provider   `tessera provider serve` with its own SQLite database, a
 *              TLS pair from `tessera provider keygen`, its terminal key
 *              derived from the world's terminal master key (register it
 *              on the center with prepaidProviderTerminal());
 *   vendor     `tessera vendor serve` with its own database and signing
 *              key, reading payments from the center's merchant API
 *              (optional);
 *   client     `tessera client <op> --config` on a mount directory, one
 *              process per command.
 *
 * `env` (e.g. a crash test's fault file, core/fault-points.ts) goes to every
 * provider and vendor process; `restartProvider()` / `restartVendor()` start
 * another process on the same config and database after a kill -9.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Prepaid, PREPAID_MEDIUM_KIND } from '../../center/prepaid/prepaid.js';
import { openStorage } from '../../center/storage/open.js';
import { ValidityRepository } from '../../center/validity/repository.js';
import { SLOT_FILES } from '../../protocol/prepaid/slots.js';
import { DirRemovableStore } from '../../terminal/devices/files/dir-removable-store.js';
import { CliProcess, runCli, type JsonLine } from './cli-process.js';
import { writeConfigFile } from './cli-parts.js';
import { freeLoopbackPort, writeTerminalKey } from './terminals.js';
import type { NewTerminal } from '../../center/validity/records.js';
import { receiptPublicKeyRaw, receiptSigningKey } from '../../protocol/prepaid/receipt.js';
import { writeSigningSeed } from '../vendor/serve.js';

/** The provider as a terminal of the center (its key derived from the world's master key by keyRef `k-<id>`). */
export function prepaidProviderTerminal(providerId: string): NewTerminal {
  return { id: providerId, ownerKind: 'store', ownerId: providerId, keyRef: `k-${providerId}` };
}

export interface IssuedMedium {
  readonly mediumId: string;
  readonly mount: string;
  readonly amountMinor: number;
}

/**
 * Issues media on the center's database (before its first process), each
 * confirmed at generation 1 and written to `<dir>/<name>` (slot A).
 */
export async function issuePrepaidMedia(o: { db: string; dir: string; masterKey: Buffer; issuerId: number; currency: string; media: readonly { readonly name: string; readonly amountMinor: number }[]; terminalId?: string }): Promise<IssuedMedium[]> {
  const storage = await openStorage(o.db);
  try {
    const pp = await Prepaid.open({ storage, config: { masterKey: o.masterKey, issuerId: o.issuerId, currency: o.currency } });
    const validity = await ValidityRepository.open(storage);
    validity.kinds.register(PREPAID_MEDIUM_KIND);
    const out: IssuedMedium[] = [];
    for (const m of o.media) {
      const r = await pp.issue({ requestId: randomBytes(16).toString('hex'), amountMinor: m.amountMinor, currency: o.currency, terminalId: o.terminalId ?? 'KIOSK-1' });
      await validity.addMedia([{ id: r.mediumId, kind: PREPAID_MEDIUM_KIND.name, expiresAtMs: Date.now() + 86_400_000 }]);
      await pp.confirm(r.file!, o.terminalId ?? 'KIOSK-1');
      const mount = join(o.dir, m.name);
      mkdirSync(mount, { recursive: true });
      const store = new DirRemovableStore({ mountDir: mount });
      await store.writeFile(SLOT_FILES[0], r.file!);
      await store.close();
      out.push({ mediumId: r.mediumId, mount, amountMinor: m.amountMinor });
    }
    return out;
  } finally {
    await storage.close();
  }
}

export interface PrepaidPartiesSpec {
  readonly dir: string;
  /** The world's terminal master key (the provider's key file is derived from it). */
  readonly masterKey: Buffer;
  /** The center's terminal protocol port (world.centerCli.port), or its promise: the key pairs are made while the center starts. */
  readonly centerPort: number | Promise<number>;
  readonly providerId: string;
  readonly issuerId: number;
  readonly currency?: string;
  readonly feeMinor?: number;
  /** The vendor, if any: its id (prepaid.vendors[].vendorId) and the center's merchant API with the vendor's key file. */
  readonly vendor?: { readonly vendorId: string; readonly merchantApiUrl: string; readonly apiKeyFile: string };
  /** More environment for the provider and vendor processes. */
  readonly env?: Readonly<Record<string, string>>;
  readonly readyMs?: number;
}

export interface ClientRun {
  readonly code: number | null;
  /** The `{"ok":true,…}` line, or {}. */
  readonly line: JsonLine;
  readonly output: string;
}

export interface PrepaidParties {
  readonly providerUrl: string;
  readonly spkiPin: string;
  readonly providerDb: string;
  /** The current provider process. */
  provider: CliProcess;
  /** The current vendor process and its URL (with a vendor). */
  vendor: CliProcess | null;
  vendorUrl: string | null;
  readonly vendorPublicKey: string | null;
  readonly vendorDb: string | null;
  restartProvider(): Promise<CliProcess>;
  restartVendor(): Promise<CliProcess>;
  /** `tessera client <args>` on a mount directory, to its end; env: more environment (a fault point). */
  client(args: readonly string[], mount: string, env?: Record<string, string>, timeoutMs?: number): Promise<ClientRun>;
  /** The same, as a process the caller waits for (two PCs at once). */
  clientProcess(args: readonly string[], mount: string, env?: Record<string, string>): CliProcess;
  close(): Promise<void>;
}

export async function startPrepaidParties(s: PrepaidPartiesSpec): Promise<PrepaidParties> {
  const readyMs = s.readyMs ?? 60_000;
  const env = { ...s.env };
  const tlsDir = join(s.dir, 'provider-tls');
  mkdirSync(tlsDir, { recursive: true });
  const keygen = await runCli(['provider', 'keygen', '--out', tlsDir], {}, readyMs);
  if (keygen.code !== 0) throw new Error(`provider keygen failed: ${keygen.output}`);
  const spkiPin = String(keygen.lines[0]!['spkiPin']);
  const providerPort = await freeLoopbackPort();
  const providerDb = join(s.dir, 'provider.db');
  const centerPort = await s.centerPort;
  const providerConfig = writeConfigFile(s.dir, 'provider.json', {
    providerId: s.providerId, db: providerDb, listen: { host: '127.0.0.1', port: providerPort },
    tls: { certFile: join(tlsDir, 'provider-tls.pem'), keyFile: join(tlsDir, 'provider-tls.key') },
    prepaidCenter: { centers: [{ host: '127.0.0.1', port: centerPort }], keyFile: writeTerminalKey(s.dir, s.masterKey, s.providerId).keyFile, issuerId: s.issuerId, currency: s.currency ?? 'JPY' },
    ...(s.feeMinor !== undefined && { fee: { amountMinor: s.feeMinor } }),
  });
  const providerUrl = `https://127.0.0.1:${providerPort}`;
  const all: CliProcess[] = [];
  const launchProvider = async (): Promise<CliProcess> => {
    const p = new CliProcess('provider', ['provider', 'serve', '--config', providerConfig], env);
    all.push(p);
    await p.ready(readyMs);
    return p;
  };

  let vendorConfig: string | null = null;
  let vendorPublicKey: string | null = null;
  let vendorDb: string | null = null;
  if (s.vendor) {
    const keyFile = join(s.dir, 'vendor-signing.key');
    // What `tessera vendor keygen --out` writes (a 0600 seed file), without a process.
    vendorPublicKey = receiptPublicKeyRaw(receiptSigningKey(await writeSigningSeed(keyFile))).toString('hex');
    vendorDb = join(s.dir, 'vendor.db');
    vendorConfig = writeConfigFile(s.dir, 'vendor.json', {
      vendorId: s.vendor.vendorId, db: vendorDb, listen: { host: '127.0.0.1', port: await freeLoopbackPort() }, signingKeyFile: keyFile,
      merchantApi: { url: s.vendor.merchantApiUrl, apiKeyFile: s.vendor.apiKeyFile },
    });
  }
  const launchVendor = async (): Promise<CliProcess> => {
    if (!vendorConfig) throw new Error('no vendor in these prepaid parties');
    const p = new CliProcess('vendor', ['vendor', 'serve', '--config', vendorConfig], env);
    all.push(p);
    const ready = await p.ready(readyMs);
    parties.vendorUrl = String(ready['url']);
    return p;
  };

  const clientConfig = (mount: string): string => writeConfigFile(s.dir, `client-${mount.replace(/[^A-Za-z0-9]/g, '_').slice(-40)}.json`, { mountDir: mount, provider: { url: providerUrl, spkiPin } });
  const parties: PrepaidParties = {
    providerUrl, spkiPin, providerDb, vendorPublicKey, vendorDb,
    provider: undefined as unknown as CliProcess,
    vendor: null,
    vendorUrl: null,
    restartProvider: async () => (parties.provider = await launchProvider()),
    restartVendor: async () => (parties.vendor = await launchVendor()),
    async client(args, mount, more = {}, timeoutMs = readyMs) {
      const r = await runCli(['client', ...args, '--config', clientConfig(mount)], more, timeoutMs);
      return { code: r.code, line: r.lines.find((l) => l['ok'] === true) ?? {}, output: r.output };
    },
    clientProcess(args, mount, more = {}) {
      const p = new CliProcess(`client ${args.join(' ')}`, ['client', ...args, '--config', clientConfig(mount)], more);
      p.endInput();
      return p;
    },
    close: async () => void (await Promise.all(all.map((p) => p.stop()))),
  };
  try {
    const [provider, vendor] = await Promise.all([launchProvider(), vendorConfig ? launchVendor() : Promise.resolve(null)]);
    parties.provider = provider;
    parties.vendor = vendor;
  } catch (e) {
    await parties.close();
    throw e;
  }
  return parties;
}
