import { SeededRandom } from '../../../core/random.js';
import type { Clock } from '../../../core/clock.js';
import type { BankHost } from '../../../sim/bank/bank-host.js';
import { openWorldBanks } from '../../../sim/world/banks.js';
import { WORLD_ACCOUNTS, WORLD_BANKS } from '../../../sim/world/accounts.js';

/** The world of the tests: users, shops and the provider at banks A and B (sim/world/accounts.ts). */
export { acct, BANK_A, BANK_B, WORLD } from '../../../sim/world/accounts.js';

export interface Banks {
  a: BankHost;
  b: BankHost;
  close(): Promise<void>;
}

/** Opens banks A and B (each its own database: a file path or ':memory:') and the accounts of WORLD. */
export async function openBanks(dbA: string, dbB: string, clock?: Clock): Promise<Banks> {
  const banks = await openWorldBanks(
    { banks: WORLD_BANKS, accounts: WORLD_ACCOUNTS, db: (_code, i) => (i === 0 ? dbA : dbB), random: (i) => new SeededRandom(i + 1) },
    '',
    { ...(clock && { clock }) },
  );
  return { a: banks.hosts[0]!, b: banks.hosts[1]!, close: () => banks.close() };
}

let n = 0;
/** A fresh transfer id per call (deterministic within a run). */
export function nextId(prefix = 'ab'): string {
  n += 1;
  return `${prefix}${n.toString(16).padStart(30, '0')}`;
}
