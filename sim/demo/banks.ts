/**
 * Banks A and B of a demo run: each a simulated bank host with its own
 * SQLite database, served over HTTP on loopback, and reached by the center
 * only through the Relay with HttpBankAdapter (the same adapter path a bank
 * in another process takes). Opens the users', shops' and provider's accounts.
 */
import { join } from 'node:path';
import type { Logger } from '../../core/log.js';
import { systemRandom } from '../../core/random.js';
import { HttpBankAdapter } from '../../center/relay/http-bank-adapter.js';
import { Relay } from '../../center/relay/relay.js';
import type { AccountRef } from '../../center/relay/types.js';
import { BankHost, type CustomerRole } from '../bank/bank-host.js';
import { serveBankHttp, type BankHttpServer } from '../bank/bank-http-server.js';
import type { DemoCast } from './cast.js';

export interface DemoBankHost {
  readonly host: BankHost;
  readonly http: BankHttpServer;
  readonly dbPath: string;
}

export interface DemoBanks {
  readonly byCode: ReadonlyMap<string, DemoBankHost>;
  readonly relay: Relay;
  /** The bank's balance of an account (any bank of the run). */
  balance(ref: AccountRef): Promise<number>;
  /** Sum over both banks of the accounts with this role. */
  totalOf(role: CustomerRole): Promise<number>;
  close(): Promise<void>;
}

export async function startBanks(cast: DemoCast, dir: string, log: Logger): Promise<DemoBanks> {
  const byCode = new Map<string, DemoBankHost>();
  try {
    for (const b of cast.banks) {
      const dbPath = join(dir, `bank-${b.bankCode}.db`);
      // PIN salts come from the system random: the seed decides the story, not secrets.
      const host = await BankHost.open({ bankCode: b.bankCode, name: b.name, db: dbPath, random: systemRandom });
      byCode.set(b.bankCode, { host, dbPath, http: await serveBankHttp(host, { log }) });
    }
    await openAccounts(cast, byCode);
  } catch (e) {
    await closeBanks(byCode).catch(() => undefined);
    throw e;
  }
  const adapters = [...byCode.values()].map((b) => new HttpBankAdapter(b.host.bankCode, { host: '127.0.0.1', port: b.http.address.port }));
  return {
    byCode,
    relay: new Relay({ adapters, log }),
    balance: (ref) => bankOf(byCode, ref).host.balance(ref),
    totalOf: async (role) => (await Promise.all([...byCode.values()].map((b) => b.host.totalOf(role)))).reduce((s, x) => s + x, 0),
    close: () => closeBanks(byCode),
  };
}

async function openAccounts(cast: DemoCast, byCode: Map<string, DemoBankHost>): Promise<void> {
  for (const u of cast.users) {
    await bankOf(byCode, u.account).host.openAccount({ ...u.account, holder: u.name, role: 'user', pin: u.bankPin, openingMinor: u.openingMinor });
  }
  for (const s of cast.shops) {
    await bankOf(byCode, s.account).host.openAccount({ ...s.account, holder: s.shopId, role: 'merchant', pin: s.pin });
  }
  // The provider's accounts open empty: its balance at each bank is then exactly its net position there.
  for (const p of cast.provider) {
    await bankOf(byCode, p).host.openAccount({ branchCode: p.branchCode, accountNumber: p.accountNumber, holder: 'provider', role: 'provider', pin: p.securityCode });
  }
}

function bankOf(byCode: ReadonlyMap<string, DemoBankHost>, ref: Pick<AccountRef, 'bankCode'>): DemoBankHost {
  const b = byCode.get(ref.bankCode);
  if (!b) throw new Error(`no demo bank ${ref.bankCode}`);
  return b;
}

async function closeBanks(byCode: Map<string, DemoBankHost>): Promise<void> {
  for (const b of byCode.values()) {
    await b.http.close();
    await b.host.close();
  }
}
