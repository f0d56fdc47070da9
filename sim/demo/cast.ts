/**
 * Who and what takes part in a demo run, drawn from the seed: the two banks,
 * the provider's account at each, the users (bank account + PIN, a bank cash
 * card, a purse card + its PIN), the member shops and their terminals, and
 * the provider kiosks. Secrets (PINs, security codes) live here and are
 * handed to the simulated people and banks only; nothing prints them.
 */
import type { Random } from '../../core/random.js';
import type { AccountRef } from '../../center/relay/types.js';

export const BANK_A = '0001';
export const BANK_B = '0002';
export const CURRENCY = 'JPY';

export interface DemoBank {
  readonly bankCode: string;
  readonly name: string;
}

export interface DemoUser {
  readonly name: string;
  readonly account: AccountRef;
  readonly bankPin: string;
  readonly openingMinor: number;
  readonly cashCardId: string;
  readonly purseCardId: string;
  readonly cardPin: string;
}

export type ShopRole = 'shop' | 'vending';

export interface DemoShop {
  readonly shopId: string;
  readonly terminalId: string;
  readonly role: ShopRole;
  readonly account: AccountRef;
  /** The shop's bank PIN (the bank requires one per account; the demo never debits shops). */
  readonly pin: string;
  /** The till has a serial barcode scanner (a simulator scanner on a socat pty) and the cast's price list. */
  readonly scanner: boolean;
}

export interface ProviderAccountSpec extends AccountRef {
  readonly securityCode: string;
}

export interface DemoCast {
  readonly seed: number;
  readonly banks: readonly DemoBank[];
  readonly provider: readonly ProviderAccountSpec[];
  readonly users: readonly DemoUser[];
  readonly shops: readonly DemoShop[];
  readonly kiosks: readonly string[];
  /** The vending machine's menu: product code → price (minor units). */
  readonly products: Readonly<Record<string, number>>;
  /** The scanning till's price list: EAN-13 barcode → price (minor units). */
  readonly items: Readonly<Record<string, number>>;
}

export const BANKS: readonly DemoBank[] = [
  { bankCode: BANK_A, name: 'Bank A' },
  { bankCode: BANK_B, name: 'Bank B' },
];

export const PRODUCTS: Readonly<Record<string, number>> = { A1: 120, A2: 150, B1: 160, B2: 200, C1: 250 };
/** Goods on the scanning till's shelves (EAN-13 with valid check digits; prices multiples of 10 like every printed amount). */
export const ITEMS: Readonly<Record<string, number>> = {
  '4901234567894': 180,
  '4900000123456': 320,
  '4901111222236': 90,
  '4902468135798': 450,
  '4909753108642': 260,
  '4905555666670': 140,
};

/** A multiple of `step` in [min, max]. */
export function drawMinor(random: Random, min: number, max: number, step: number): number {
  return min + step * random.int(Math.floor((max - min) / step) + 1);
}

/**
 * `digits` digits, first and last never 0: every amount the demo prints is a
 * multiple of 10 and no code it prints starts with a non-zero digit of this
 * length, so a PIN can never be mistaken for (or hidden in) printed output.
 */
export function drawPin(random: Random, digits: number): string {
  let pin = String(1 + random.int(9));
  for (let i = 1; i < digits - 1; i++) pin += String(random.int(10));
  return pin + String(1 + random.int(9));
}

/** 8 random bytes as 16 hex chars, never one already taken. */
function drawCardId(random: Random, taken: Set<string>): string {
  for (;;) {
    const id = random.bytes(8).toString('hex');
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

export function makeCast(seed: number, userCount: number, random: Random): DemoCast {
  const cardIds = new Set<string>();
  const users: DemoUser[] = [];
  for (let i = 0; i < userCount; i++) {
    // Alternate banks so both banks have users whenever there are two or more.
    const bankCode = i % 2 === 0 ? BANK_A : BANK_B;
    users.push({
      name: `user${i + 1}`,
      account: { bankCode, branchCode: bankCode === BANK_A ? '101' : '201', accountNumber: String(1_000_001 + i) },
      bankPin: drawPin(random, 4),
      openingMinor: drawMinor(random, 30_000, 80_000, 1_000),
      cashCardId: drawCardId(random, cardIds),
      purseCardId: drawCardId(random, cardIds),
      cardPin: drawPin(random, 4 + random.int(3)),
    });
  }
  const shop = (shopId: string, terminalId: string, role: ShopRole, bankCode: string, n: number, scanner = false): DemoShop => ({
    shopId, terminalId, role, account: { bankCode, branchCode: '301', accountNumber: String(3_000_001 + n) }, pin: drawPin(random, 4), scanner,
  });
  return {
    seed,
    banks: BANKS,
    provider: BANKS.map((b, i) => ({ bankCode: b.bankCode, branchCode: '901', accountNumber: String(9_000_001 + i), securityCode: drawPin(random, 8) })),
    users,
    shops: [shop('SHOP-A', 'SHOP-A1', 'shop', BANK_A, 0, true), shop('SHOP-B', 'SHOP-B1', 'shop', BANK_B, 1), shop('VENDING-B', 'VEND-1', 'vending', BANK_B, 2)],
    kiosks: ['KIOSK-1', 'KIOSK-2'],
    products: PRODUCTS,
    items: ITEMS,
  };
}

/** Every secret of the cast (the test checks none reaches the output). */
export function castSecrets(cast: DemoCast): string[] {
  return [
    ...cast.users.flatMap((u) => [u.bankPin, u.cardPin]),
    ...cast.shops.map((s) => s.pin),
    ...cast.provider.map((p) => p.securityCode),
  ];
}
