/**
 * `tessera center` with an `emoney` section: the center's storage opened
 * first, the Emoney module on it (issuer key and security codes read from
 * their 0600 files), the relay with one HttpBankAdapter per configured bank,
 * the member shops registered, createCenter with the e-money flow beside the
 * default validity flow, and the sweep on a timer. close() stops the sweep,
 * waits for settlement callbacks in flight, then closes center and storage.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { HttpBankAdapter } from '../relay/http-bank-adapter.js';
import { Relay } from '../relay/relay.js';
import type { CenterConfig } from '../server/config.js';
import type { CenterMetrics } from '../metrics/center-metrics.js';
import { createCenter, type Center } from '../server/create-center.js';
import { readMasterKey, terminalKeyLookup } from '../server/terminal-keys.js';
import { openStorage } from '../storage/open.js';
import { httpReachable } from '../admin/health.js';
import { parseBankUrl, type EmoneySection } from './config-schema.js';
import type { EmoneyConfig } from './config.js';
import { Emoney } from './emoney.js';
import { readIssuerKeyFile, readProviderAccounts } from './secret-files.js';
import { startSweepTimer } from '../kit/sweep-timer.js';

export interface EmoneyCenter {
  readonly center: Center;
  readonly emoney: Emoney;
  readonly relay: Relay;
  close(): Promise<void>;
}

/** Reads every e-money secret file (issuer key, security codes): coded errors, values never shown. */
export function readEmoneySecrets(section: EmoneySection): EmoneyConfig {
  return { issuerMasterKey: readIssuerKeyFile(section.issuerMasterKeyFile), currency: section.currency, providerAccounts: readProviderAccounts(section) };
}

/** The relay to the configured bank hosts over HTTP (sim/bank's endpoint, `tessera bank serve`). */
export function relayFromConfig(section: EmoneySection, clock: Clock, log: Logger): Relay {
  const adapters = section.banks.map((b) => new HttpBankAdapter(b.bankCode, parseBankUrl(b.url)!));
  return new Relay({ adapters, clock, log });
}

export async function startEmoneyCenter(
  config: CenterConfig,
  section: EmoneySection,
  deps: { clock?: Clock; log?: Logger; metrics?: CenterMetrics } = {},
): Promise<EmoneyCenter> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? silentLogger;
  const emoneyConfig = readEmoneySecrets(section);
  const masterKey = readMasterKey(config.terminalKeys.masterKeyFile);
  const storage = await openStorage(config.db, { clock, log });
  try {
    const relay = relayFromConfig(section, clock, log);
    deps.metrics?.attachRelay(relay);
    const emoney = await Emoney.open({ storage, relay, config: emoneyConfig, lookupTerminalKey: terminalKeyLookup(storage, masterKey), clock, log });
    for (const s of section.shops) await emoney.registerShop(s.shopId, { bankCode: s.bankCode, branchCode: s.branchCode, accountNumber: s.accountNumber });
    // /readyz: each bank host answers its /health (the center cannot charge or settle without it).
    const readiness = section.banks.map((b) => httpReachable(`bank ${b.bankCode} reachable`, new URL('/health', b.url).href, 'RELAY_BANK_UNREACHABLE'));
    const center = await createCenter(config, { storage, flows: [emoney.flow], gates: [emoney.gate], clock, log, readiness, ...(deps.metrics && { metrics: deps.metrics }) });
    const sweep = startSweepTimer(emoney, section.sweepIntervalMs, clock, log, 'e-money');
    log.info({ banks: relay.bankCodes, shops: section.shops.length, sweepIntervalMs: section.sweepIntervalMs }, 'e-money running');
    const close = async (): Promise<void> => {
      await sweep.stop();
      await emoney.idle();
      try {
        await center.close();
      } finally {
        await storage.close();
      }
    };
    return { center, emoney, relay, close };
  } catch (e) {
    await storage.close().catch(() => undefined);
    throw e;
  }
}
