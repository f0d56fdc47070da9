/**
 * What each user does, drawn from the seed: a charge at a provider kiosk
 * (after a planned decline for the first two users: a wrong bank PIN, a
 * charge above the bank balance), then purchases at the shops of both banks
 * and at the vending machine (at the till with a scanner, every other user
 * has 1-3 goods scanned instead of the amount keyed); one user finally tries
 * to buy more than the card holds (declined by the shop). Each user's steps
 * run in order; users run side by side. The plan guarantees the provider's
 * account at every bank receives at least what the shops of that bank are
 * owed, so every settlement pays.
 */
import { assert } from '../../core/assert.js';
import type { Random } from '../../core/random.js';
import { drawMinor, drawPin, type DemoCast, type DemoUser } from './cast.js';
import { DEMO_LIMITS } from './limits.js';

/** What the step should end with: approved, or declined with this code. */
export type Expectation = 'approved' | 'BANK_WRONG_PIN' | 'BANK_INSUFFICIENT_FUNDS' | 'TERM_BALANCE_INSUFFICIENT';

export interface ChargeStep {
  readonly kind: 'charge';
  readonly user: string;
  readonly kiosk: string;
  readonly amountMinor: number;
  /** The bank PIN the user types (a wrong one for the wrong-PIN decline). Never printed. */
  readonly pinTyped: string;
  readonly expect: Expectation;
}

export interface PurchaseStep {
  readonly kind: 'purchase';
  readonly user: string;
  readonly terminal: string;
  readonly amountMinor: number;
  /** Vending: the product picked on the menu (its price is amountMinor). */
  readonly product?: string;
  /** Scanning till: the barcodes scanned, in order (their prices sum to amountMinor); no amount is keyed. */
  readonly items?: readonly string[];
  readonly expect: 'approved' | 'TERM_BALANCE_INSUFFICIENT';
}

export type DemoStep = ChargeStep | PurchaseStep;

export interface DemoPlan {
  readonly cast: DemoCast;
  /** Steps per user name, in order. */
  readonly itineraries: ReadonlyMap<string, readonly DemoStep[]>;
}

const CHARGE_MIN = 5_000;
const CHARGE_MAX = 12_000;
const CHARGE_STEP = 500;
const PRICE_MIN = 100;
const PRICE_MAX = 1_500;

export function makePlan(cast: DemoCast, random: Random): DemoPlan {
  const purchases = new Map(cast.users.map((u, i) => [u.name, drawPurchases(cast, u, i, random)]));
  const charges = new Map(cast.users.map((u) => [u.name, drawMinor(random, CHARGE_MIN, CHARGE_MAX, CHARGE_STEP)]));
  coverShopsPerBank(cast, purchases, charges);
  const itineraries = new Map<string, DemoStep[]>();
  cast.users.forEach((u, i) => {
    const kiosk = cast.kiosks[i % cast.kiosks.length]!;
    const amountMinor = charges.get(u.name)!;
    const steps: DemoStep[] = [...plannedDeclines(u, i, kiosk, amountMinor, random)];
    steps.push({ kind: 'charge', user: u.name, kiosk, amountMinor, pinTyped: u.bankPin, expect: 'approved' });
    steps.push(...purchases.get(u.name)!);
    const spent = purchases.get(u.name)!.reduce((s, p) => s + p.amountMinor, 0);
    assert(spent <= amountMinor && amountMinor <= u.openingMinor, `plan for ${u.name}: charge covers purchases, balance covers charge`);
    // The last user ends by asking a shop for more than the card still holds.
    if (i === cast.users.length - 1) steps.push({ kind: 'purchase', user: u.name, terminal: cast.shops[0]!.terminalId, amountMinor: amountMinor - spent + 1_000, expect: 'TERM_BALANCE_INSUFFICIENT' });
    itineraries.set(u.name, steps);
  });
  return { cast, itineraries };
}

/** The first user mistypes the bank PIN once; the second asks for more than the account holds. */
function plannedDeclines(u: DemoUser, index: number, kiosk: string, amountMinor: number, random: Random): ChargeStep[] {
  if (index === 0) {
    let wrong = drawPin(random, u.bankPin.length);
    while (wrong === u.bankPin) wrong = drawPin(random, u.bankPin.length);
    return [{ kind: 'charge', user: u.name, kiosk, amountMinor, pinTyped: wrong, expect: 'BANK_WRONG_PIN' }];
  }
  if (index === 1) {
    return [{ kind: 'charge', user: u.name, kiosk, amountMinor: u.openingMinor + 5_000, pinTyped: u.bankPin, expect: 'BANK_INSUFFICIENT_FUNDS' }];
  }
  return [];
}

/** 2-3 purchases, cycling over the shop terminals from a per-user offset so every terminal is used. */
function drawPurchases(cast: DemoCast, u: DemoUser, index: number, random: Random): PurchaseStep[] {
  const count = DEMO_LIMITS.purchasesPerUserMin + random.int(DEMO_LIMITS.purchasesPerUserMax - DEMO_LIMITS.purchasesPerUserMin + 1);
  const codes = Object.keys(cast.products).sort();
  const out: PurchaseStep[] = [];
  for (let k = 0; k < count; k++) {
    const shop = cast.shops[(index + k) % cast.shops.length]!;
    if (shop.role === 'vending') {
      const product = codes[random.int(codes.length)]!;
      out.push({ kind: 'purchase', user: u.name, terminal: shop.terminalId, amountMinor: cast.products[product]!, product, expect: 'approved' });
    } else if (shop.scanner && index % 2 === 0) {
      out.push(drawScanned(cast, u, shop.terminalId, random));
    } else {
      out.push({ kind: 'purchase', user: u.name, terminal: shop.terminalId, amountMinor: drawMinor(random, PRICE_MIN, PRICE_MAX, 10), expect: 'approved' });
    }
  }
  return out;
}

/** 1-DEMO_LIMITS.scannedItemsMax goods off the scanning till's shelves (the same item may be scanned twice). */
function drawScanned(cast: DemoCast, u: DemoUser, terminal: string, random: Random): PurchaseStep {
  const barcodes = Object.keys(cast.items).sort();
  const items = Array.from({ length: 1 + random.int(DEMO_LIMITS.scannedItemsMax) }, () => barcodes[random.int(barcodes.length)]!);
  const amountMinor = items.reduce((s, code) => s + cast.items[code]!, 0);
  return { kind: 'purchase', user: u.name, terminal, amountMinor, items, expect: 'approved' };
}

/**
 * A shop is paid from the provider's account at the shop's bank, which only
 * holds what users of that bank charged. Raise the charges of a bank's users
 * (in CHARGE_STEP units) until they cover what that bank's shops are owed.
 */
function coverShopsPerBank(cast: DemoCast, purchases: Map<string, PurchaseStep[]>, charges: Map<string, number>): void {
  const bankOfTerminal = new Map(cast.shops.map((s) => [s.terminalId, s.account.bankCode]));
  for (const bank of cast.banks) {
    const owed = [...purchases.values()].flat().filter((p) => bankOfTerminal.get(p.terminal) === bank.bankCode).reduce((s, p) => s + p.amountMinor, 0);
    const users = cast.users.filter((u) => u.account.bankCode === bank.bankCode);
    assert(users.length > 0, `bank ${bank.bankCode} has no users`);
    for (let i = 0; users.reduce((s, u) => s + charges.get(u.name)!, 0) < owed; i++) {
      const u = users[i % users.length]!;
      charges.set(u.name, charges.get(u.name)! + CHARGE_STEP);
    }
  }
}

/** Every step of the plan, users in order (for totals). */
export function allSteps(plan: DemoPlan): DemoStep[] {
  return [...plan.itineraries.values()].flat();
}
