/**
 * One simulated bank host as its own process (`tessera bank serve`): reads
 * every PIN file first (a bad one stops the start before the database is
 * touched), opens the bank on its SQLite file, opens the configured accounts
 * (idempotent), then serves it over HTTP (bank-http-server.ts) for the
 * center's relay (HttpBankAdapter).
 */
import type { AddressInfo } from 'node:net';
import { TesseraError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { serveMetrics } from '../../core/metrics/serve.js';
import { BankHost } from './bank-host.js';
import { BankMetrics } from './bank-metrics.js';
import { serveBankHttp, type BankHttpServer } from './bank-http-server.js';
import { readPinFile } from './pin-file.js';
import type { BankServeConfig } from './serve-config.js';

export interface ServedBank {
  readonly host: BankHost;
  readonly address: AddressInfo;
  /** Where /metrics is served (config `metrics`), or null. */
  readonly metricsAddress: AddressInfo | null;
  close(): Promise<void>;
}

/** Reads the PIN of every configured account (in config order). */
export function readAccountPins(config: BankServeConfig): string[] {
  return config.accounts.map((a) => readPinFile(a.pinFile));
}

export async function serveBankFromConfig(config: BankServeConfig, deps: { log?: Logger } = {}): Promise<ServedBank> {
  const log = deps.log ?? silentLogger;
  const pins = readAccountPins(config);
  const host = await BankHost.open({ bankCode: config.bankCode, name: config.name ?? `Bank ${config.bankCode}`, db: config.db });
  try {
    for (const [i, a] of config.accounts.entries()) {
      await host.openAccount({ branchCode: a.branchCode, accountNumber: a.accountNumber, holder: a.holder, role: a.role, pin: pins[i]!, openingMinor: a.openingMinor });
    }
    const metrics = config.metrics ? new BankMetrics() : undefined;
    const scrape = config.metrics && metrics ? await serveMetrics(metrics.registry, config.metrics.host, config.metrics.port) : null;
    const http = await listen(host, config, log, metrics).catch(async (e: unknown) => {
      await scrape?.close();
      throw e;
    });
    log.info({ bank: config.bankCode, accounts: config.accounts.length, port: http.address.port, ...(scrape && { metricsPort: scrape.address.port }) }, 'bank host listening');
    const close = async (): Promise<void> => {
      await scrape?.close();
      await closeBoth(http, host);
    };
    return { host, address: http.address, metricsAddress: scrape?.address ?? null, close };
  } catch (e) {
    await host.close().catch(() => undefined);
    throw e;
  }
}

async function listen(host: BankHost, config: BankServeConfig, log: Logger, metrics: BankMetrics | undefined): Promise<BankHttpServer> {
  try {
    return await serveBankHttp(host, { host: config.listen.host, port: config.listen.port, log, ...(metrics && { metrics }) });
  } catch (e) {
    throw new TesseraError('BANKHOST_LISTEN_FAILED', `cannot listen on ${config.listen.host}:${config.listen.port}`, { ...config.listen }, { cause: e });
  }
}

async function closeBoth(http: BankHttpServer, host: BankHost): Promise<void> {
  try {
    await http.close();
  } finally {
    await host.close();
  }
}
