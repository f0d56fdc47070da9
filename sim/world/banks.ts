/**
 * The world's banks: simulated bank hosts (sim/bank), each with its own
 * database, the accounts of the spec opened in them, and the Relay the
 * center reaches them through. `transport: 'direct'` hands the BankHost
 * objects to the relay as adapters (tests patch a bank's `transfer` to
 * inject faults); `'http'` serves each over HTTP on loopback and reaches it
 * with HttpBankAdapter, the path a bank in another process takes
 * (`tessera bank serve`).
 */
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { HttpBankAdapter } from '../../center/relay/http-bank-adapter.js';
import { Relay } from '../../center/relay/relay.js';
import type { AccountRef } from '../../center/relay/types.js';
import { BankHost, type CustomerRole } from '../bank/bank-host.js';
import { serveBankHttp, type BankHttpServer } from '../bank/bank-http-server.js';

export interface WorldAccount {
  readonly ref: AccountRef;
  readonly holder: string;
  readonly role: CustomerRole;
  readonly pin: string;
  readonly openingMinor?: number;
}

export interface WorldBanksSpec {
  readonly banks: ReadonlyArray<{ readonly bankCode: string; readonly name: string }>;
  readonly accounts: readonly WorldAccount[];
  readonly transport?: 'direct' | 'http';
  /** `cli`: each bank a `tessera bank serve` process (cli-parts.ts, world.bankCli); the center reaches them over HTTP. */
  readonly process?: 'in-process' | 'cli';
  /** Each bank's database (default `<dir>/bank-<code>.db`; ':memory:' allowed). */
  readonly db?: (bankCode: string, index: number) => string;
  /** PIN salts per bank (default: the system random; tests seed them). */
  readonly random?: (index: number) => Random;
}

export interface WorldBank {
  readonly host: BankHost;
  /** The bank's HTTP endpoint (transport 'http'), else null. */
  readonly http: BankHttpServer | null;
  readonly dbPath: string;
}

export interface WorldBanks {
  readonly byCode: ReadonlyMap<string, WorldBank>;
  /** The hosts in spec order. */
  readonly hosts: readonly BankHost[];
  readonly relay: Relay;
  /** The bank's balance of an account (any bank of the world). */
  balance(ref: AccountRef): Promise<number>;
  /** Sum over every bank of the accounts with this role. */
  totalOf(role: CustomerRole): Promise<number>;
  close(): Promise<void>;
}

export async function openWorldBanks(spec: WorldBanksSpec, dir: string, deps: { clock?: Clock; log?: Logger } = {}): Promise<WorldBanks> {
  const log = deps.log ?? silentLogger;
  const byCode = new Map<string, WorldBank>();
  try {
    for (const [i, b] of spec.banks.entries()) {
      const dbPath = spec.db?.(b.bankCode, i) ?? join(dir, `bank-${b.bankCode}.db`);
      const host = await BankHost.open({ bankCode: b.bankCode, name: b.name, db: dbPath, random: spec.random?.(i) ?? systemRandom, ...(deps.clock && { clock: deps.clock }) });
      byCode.set(b.bankCode, { host, dbPath, http: null });
      if (spec.transport === 'http') byCode.set(b.bankCode, { host, dbPath, http: await serveBankHttp(host, { log }) });
    }
    for (const a of spec.accounts) {
      const { ref, ...rest } = a;
      await bankOf(byCode, ref).host.openAccount({ branchCode: ref.branchCode, accountNumber: ref.accountNumber, ...rest });
    }
  } catch (e) {
    await closeBanks(byCode).catch(() => undefined);
    throw e;
  }
  const adapters = [...byCode.values()].map((b) => (b.http ? new HttpBankAdapter(b.host.bankCode, { host: '127.0.0.1', port: b.http.address.port }) : b.host));
  return {
    byCode,
    hosts: [...byCode.values()].map((b) => b.host),
    relay: new Relay({ adapters, log }),
    balance: (ref) => bankOf(byCode, ref).host.balance(ref),
    totalOf: async (role) => (await Promise.all([...byCode.values()].map((b) => b.host.totalOf(role)))).reduce((s, x) => s + x, 0),
    close: () => closeBanks(byCode),
  };
}

function bankOf(byCode: ReadonlyMap<string, WorldBank>, ref: Pick<AccountRef, 'bankCode'>): WorldBank {
  const b = byCode.get(ref.bankCode);
  if (!b) throw new Error(`no bank ${ref.bankCode} in this world`);
  return b;
}

async function closeBanks(byCode: Map<string, WorldBank>): Promise<void> {
  for (const b of byCode.values()) {
    await b.http?.close();
    await b.host.close();
  }
}
