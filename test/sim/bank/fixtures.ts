import { SeededRandom } from '../../../core/random.js';
import type { Clock } from '../../../core/clock.js';
import type { AccountRef } from '../../../center/relay/types.js';
import { BankHost } from '../../../sim/bank/bank-host.js';

export const BANK_A = '0001';
export const BANK_B = '0002';
export const acct = (bankCode: string, branchCode: string, accountNumber: string): AccountRef => ({ bankCode, branchCode, accountNumber });

/** The world of the tests: users, shops and the provider at banks A and B. */
export const WORLD = {
  aliceA: { ref: acct(BANK_A, '001', '1000001'), pin: '1111', openingMinor: 100_000 },
  bobB: { ref: acct(BANK_B, '002', '2000001'), pin: '2222', openingMinor: 50_000 },
  carolA: { ref: acct(BANK_A, '001', '1000002'), pin: '3333', openingMinor: 500 },
  shopA: { ref: acct(BANK_A, '003', '3000001'), pin: '4444', openingMinor: 0 },
  shopB: { ref: acct(BANK_B, '004', '4000001'), pin: '5555', openingMinor: 0 },
  providerA: { ref: acct(BANK_A, '009', '9000001'), pin: '90019001', openingMinor: 0 },
  providerB: { ref: acct(BANK_B, '009', '9000002'), pin: '90029002', openingMinor: 0 },
} as const;

export interface Banks {
  a: BankHost;
  b: BankHost;
  close(): Promise<void>;
}

/** Opens banks A and B (each its own database: a file path or ':memory:') and the accounts of WORLD. */
export async function openBanks(dbA: string, dbB: string, clock?: Clock): Promise<Banks> {
  const a = await BankHost.open({ bankCode: BANK_A, name: 'Bank A', db: dbA, random: new SeededRandom(1), ...(clock && { clock }) });
  const b = await BankHost.open({ bankCode: BANK_B, name: 'Bank B', db: dbB, random: new SeededRandom(2), ...(clock && { clock }) });
  const role = (k: string): 'user' | 'merchant' | 'provider' => (k.startsWith('shop') ? 'merchant' : k.startsWith('provider') ? 'provider' : 'user');
  for (const [name, w] of Object.entries(WORLD)) {
    const bank = w.ref.bankCode === BANK_A ? a : b;
    await bank.openAccount({ branchCode: w.ref.branchCode, accountNumber: w.ref.accountNumber, holder: name, role: role(name), pin: w.pin, openingMinor: w.openingMinor });
  }
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
}

let n = 0;
/** A fresh transfer id per call (deterministic within a run). */
export function nextId(prefix = 'ab'): string {
  n += 1;
  return `${prefix}${n.toString(16).padStart(30, '0')}`;
}
