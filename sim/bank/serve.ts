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
import { BankHost } from './bank-host.js';
import { serveBankHttp, type BankHttpServer } from './bank-http-server.js';
import { readPinFile } from './pin-file.js';
import type { BankServeConfig } from './serve-config.js';

export interface ServedBank {
  readonly host: BankHost;
  readonly address: AddressInfo;
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
    const http = await listen(host, config, log);
    log.info({ bank: config.bankCode, accounts: config.accounts.length, port: http.address.port }, 'bank host listening');
    return { host, address: http.address, close: () => closeBoth(http, host) };
  } catch (e) {
    await host.close().catch(() => undefined);
    throw e;
  }
}

async function listen(host: BankHost, config: BankServeConfig, log: Logger): Promise<BankHttpServer> {
  try {
    return await serveBankHttp(host, { host: config.listen.host, port: config.listen.port, log });
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
