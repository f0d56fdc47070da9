import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../core/random.js';
import { castSecrets, makeCast } from '../../../sim/demo/cast.js';
import { allSteps, makePlan, type DemoPlan } from '../../../sim/demo/itinerary.js';
import { DEMO_LIMITS } from '../../../sim/demo/limits.js';

const planOf = (seed: number, users: number): DemoPlan => {
  const random = new SeededRandom(seed);
  return makePlan(makeCast(seed, users, random), random);
};

describe('demo plan', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = planOf(42, 6);
    expect(planOf(42, 6)).toEqual(a);
    expect(allSteps(planOf(43, 6))).not.toEqual(allSteps(a));
  });

  it('gives every user a charge, 2-3 purchases, and plans a wrong-PIN, an over-balance and an over-card decline', () => {
    for (const users of [2, 3, 6, DEMO_LIMITS.usersMax]) {
      const plan = planOf(1000 + users, users);
      const steps = allSteps(plan);
      expect(steps.filter((s) => s.kind === 'charge' && s.expect === 'approved')).toHaveLength(users);
      expect(steps.filter((s) => s.expect === 'BANK_WRONG_PIN')).toHaveLength(1);
      expect(steps.filter((s) => s.expect === 'BANK_INSUFFICIENT_FUNDS')).toHaveLength(1);
      expect(steps.filter((s) => s.expect === 'TERM_BALANCE_INSUFFICIENT')).toHaveLength(1);
      const wrong = steps.find((s) => s.expect === 'BANK_WRONG_PIN')!;
      const user = plan.cast.users.find((u) => u.name === wrong.user)!;
      expect(wrong.kind === 'charge' && wrong.pinTyped).not.toBe(user.bankPin);
      for (const u of plan.cast.users) {
        const mine = plan.itineraries.get(u.name)!;
        const charged = mine.filter((s) => s.kind === 'charge' && s.expect === 'approved').reduce((t, s) => t + s.amountMinor, 0);
        const spent = mine.filter((s) => s.kind === 'purchase' && s.expect === 'approved').reduce((t, s) => t + s.amountMinor, 0);
        expect(spent).toBeLessThanOrEqual(charged);
        expect(charged).toBeLessThanOrEqual(u.openingMinor);
      }
      // Every shop terminal sells something, so every shop settles; at most once per user (bounds a settlement batch).
      for (const shop of plan.cast.shops) {
        const sales = steps.filter((s) => s.kind === 'purchase' && s.terminal === shop.terminalId && s.expect === 'approved');
        expect(sales.length).toBeGreaterThan(0);
        expect(new Set(sales.map((s) => s.user)).size).toBe(sales.length);
      }
    }
  });

  it('has goods scanned at the till with a scanner for some purchases: 1-3 items priced from its list, no amount keyed', () => {
    for (const users of [2, 3, 6, DEMO_LIMITS.usersMax]) {
      const plan = planOf(2000 + users, users);
      const tills = new Set(plan.cast.shops.filter((s) => s.scanner).map((s) => s.terminalId));
      expect(tills.size).toBe(1);
      const scanned = allSteps(plan).filter((s) => s.kind === 'purchase' && s.items !== undefined);
      expect(scanned.length).toBeGreaterThan(0);
      for (const s of scanned) {
        if (s.kind !== 'purchase') continue;
        expect(tills.has(s.terminal)).toBe(true);
        expect(s.items!.length).toBeGreaterThanOrEqual(1);
        expect(s.items!.length).toBeLessThanOrEqual(DEMO_LIMITS.scannedItemsMax);
        expect(s.amountMinor).toBe(s.items!.reduce((t, code) => t + plan.cast.items[code]!, 0));
      }
      // The same till takes keyed amounts too: the planned over-balance decline is keyed there (an empty basket).
      const over = allSteps(plan).find((s) => s.expect === 'TERM_BALANCE_INSUFFICIENT');
      expect(over).toMatchObject({ kind: 'purchase', terminal: [...tills][0] });
      expect(over).not.toHaveProperty('items');
    }
  });

  it("charges at each bank cover what that bank's shops are owed (every settlement can be paid)", () => {
    for (let seed = 0; seed < 200; seed++) {
      const plan = planOf(seed, 2 + (seed % 5));
      const bankOf = new Map(plan.cast.shops.map((s) => [s.terminalId, s.account.bankCode]));
      const userBank = new Map(plan.cast.users.map((u) => [u.name, u.account.bankCode]));
      for (const bank of plan.cast.banks) {
        const approved = allSteps(plan).filter((s) => s.expect === 'approved');
        const charged = approved.filter((s) => s.kind === 'charge' && userBank.get(s.user) === bank.bankCode).reduce((t, s) => t + s.amountMinor, 0);
        const owed = approved.filter((s) => s.kind === 'purchase' && bankOf.get(s.terminal) === bank.bankCode).reduce((t, s) => t + s.amountMinor, 0);
        expect(charged).toBeGreaterThanOrEqual(owed);
      }
    }
  });

  it('draws PINs that cannot be confused with a printed amount or code, and unique card ids', () => {
    const plan = planOf(7, DEMO_LIMITS.usersMax);
    for (const pin of castSecrets(plan.cast)) expect(pin).toMatch(/^[1-9][0-9]*[1-9]$/);
    for (const s of allSteps(plan)) expect(s.amountMinor % 10).toBe(0);
    const ids = plan.cast.users.flatMap((u) => [u.cashCardId, u.purseCardId]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});
