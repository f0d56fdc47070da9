/**
 * The standard cast of the e-money test world: users, shops and the
 * provider at banks A (0001) and B (0002), with their PINs and opening
 * balances (test/sim/bank/fixtures.ts re-exports it for the bank tests).
 */
import type { AccountRef } from '../../center/relay/types.js';
import type { CustomerRole } from '../bank/bank-host.js';
import type { WorldAccount } from './banks.js';

export const BANK_A = '0001';
export const BANK_B = '0002';
export const acct = (bankCode: string, branchCode: string, accountNumber: string): AccountRef => ({ bankCode, branchCode, accountNumber });

export const WORLD = {
  aliceA: { ref: acct(BANK_A, '001', '1000001'), pin: '1111', openingMinor: 100_000 },
  bobB: { ref: acct(BANK_B, '002', '2000001'), pin: '2222', openingMinor: 50_000 },
  carolA: { ref: acct(BANK_A, '001', '1000002'), pin: '3333', openingMinor: 500 },
  shopA: { ref: acct(BANK_A, '003', '3000001'), pin: '4444', openingMinor: 0 },
  shopB: { ref: acct(BANK_B, '004', '4000001'), pin: '5555', openingMinor: 0 },
  providerA: { ref: acct(BANK_A, '009', '9000001'), pin: '90019001', openingMinor: 0 },
  providerB: { ref: acct(BANK_B, '009', '9000002'), pin: '90029002', openingMinor: 0 },
} as const;

/** Banks A and B as a world's banks spec names them. */
export const WORLD_BANKS = [
  { bankCode: BANK_A, name: 'Bank A' },
  { bankCode: BANK_B, name: 'Bank B' },
] as const;

/** Every account of WORLD, opened at its bank (holder = its key). */
export const WORLD_ACCOUNTS: readonly WorldAccount[] = Object.entries(WORLD).map(([name, w]) => ({
  ref: w.ref,
  holder: name,
  role: roleOf(name),
  pin: w.pin,
  openingMinor: w.openingMinor,
}));

function roleOf(name: string): CustomerRole {
  return name.startsWith('shop') ? 'merchant' : name.startsWith('provider') ? 'provider' : 'user';
}

/** The provider's accounts with their security codes (the e-money module's config). */
export const WORLD_PROVIDER_ACCOUNTS = [
  { ...WORLD.providerA.ref, securityCode: WORLD.providerA.pin },
  { ...WORLD.providerB.ref, securityCode: WORLD.providerB.pin },
];

/** The member shops and the accounts they are paid to. */
export const WORLD_SHOPS = [
  { shopId: 'SHOP-A', account: WORLD.shopA.ref },
  { shopId: 'SHOP-B', account: WORLD.shopB.ref },
] as const;
