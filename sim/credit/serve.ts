/**
 * `tessera credit serve`: the credit company as its own process, from its
 * config (config.ts): the journal, a relay with one HTTP adapter per bank,
 * the TTP's issuer client with the key from its 0600 file, the worker
 * (a pass at start: orders a crash left open are completed, then on a
 * timer), and the HTTP API (server.ts). `openCredit` is the same without
 * listener or timer (the `--check` and one-shot commands).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readSecretFile } from '../../center/kit/secret-files.js';
import { MerchantClient } from '../../center/merchant-api/client.js';
import { IssuerClient } from '../../center/passwords/issuer-client.js';
import { HttpBankAdapter } from '../../center/relay/http-bank-adapter.js';
import { Relay } from '../../center/relay/relay.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { CreditCompany, type CreditAccount } from './company.js';
import type { CreditConfig } from './config.js';
import { CreditJournal } from './journal.js';
import { startCreditApi, type CreditApi } from './server.js';

function secret(path: string, what: string): string {
  const value = readSecretFile(path, { what, unreadable: 'CREDIT_SECRET_FILE', permissions: 'CREDIT_SECRET_FILE' }).toString('utf8').trim();
  if (value.length === 0) throw new TesseraError('CREDIT_SECRET_FILE', `the ${what} file is empty`, { path });
  return value;
}

/** Reads every secret file (the TTP key, each account's security code): what `--check` does before anything opens. */
export function readCreditSecrets(config: CreditConfig, base: string): { apiKey: string; accounts: CreditAccount[] } {
  const at = (p: string): string => resolve(base, p);
  const apiKey = secret(at(config.ttp.apiKeyFile), 'TTP API key');
  const accounts = config.accounts.map((a) => {
    const pin = secret(at(a.pinFile), `account ${a.bankCode}-${a.branchCode}-${a.accountNumber} security code`);
    if (!/^[0-9]{4,12}$/.test(pin)) throw new TesseraError('CREDIT_SECRET_FILE', 'a security code is 4-12 digits', { path: at(a.pinFile) });
    return { bankCode: a.bankCode, branchCode: a.branchCode, accountNumber: a.accountNumber, pin };
  });
  return { apiKey, accounts };
}

export interface OpenedCredit {
  readonly company: CreditCompany;
  close(): Promise<void>;
}

export function openCredit(config: CreditConfig, o: { base: string; clock?: Clock; log?: Logger; onEvent?: (e: Record<string, unknown>) => void }): OpenedCredit {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? silentLogger;
  const { apiKey, accounts } = readCreditSecrets(config, o.base);
  const ca = config.ttp.caFile !== undefined ? readFileSync(resolve(o.base, config.ttp.caFile)) : undefined;
  const merchant = new MerchantClient({ baseUrl: config.ttp.url, apiKey, clock, ...(ca !== undefined && { ca }) });
  const relay = new Relay({
    adapters: config.banks.map((b) => {
      const u = new URL(b.url);
      return new HttpBankAdapter(b.bankCode, { host: u.hostname, port: Number(u.port) });
    }),
    clock, log,
  });
  const journal = new CreditJournal(resolve(o.base, config.db), clock);
  const company = new CreditCompany({ config, journal, relay, ttp: new IssuerClient(merchant), accounts, clock, log, ...(o.onEvent && { onEvent: o.onEvent }) });
  return {
    company,
    close: async () => {
      journal.close();
      await merchant.close();
    },
  };
}

export interface ServedCredit {
  readonly url: string;
  readonly port: number;
  readonly company: CreditCompany;
  close(): Promise<void>;
}

export async function serveCredit(config: CreditConfig, configPath: string, o: { clock?: Clock; log?: Logger; onEvent?: (e: Record<string, unknown>) => void } = {}): Promise<ServedCredit> {
  const opened = openCredit(config, { base: dirname(resolve(configPath)), ...o });
  let api: CreditApi;
  try {
    api = await startCreditApi(opened.company, { host: config.listen.host, port: config.listen.port, ...(o.log && { log: o.log }) });
  } catch (e) {
    await opened.close();
    throw e;
  }
  // Recovery first (orders a killed run left open), then the timer.
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let pass: Promise<unknown> = Promise.resolve();
  const loop = (): void => {
    pass = opened.company.work().catch(() => undefined).finally(() => {
      if (!stopped) timer = setTimeout(loop, config.workerIntervalMs);
    });
  };
  loop();
  return {
    url: api.url,
    port: api.port,
    company: opened.company,
    close: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await pass;
      await api.close();
      await opened.close();
    },
  };
}
