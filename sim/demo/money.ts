/**
 * The money of the demo world outside the provider's books: users' bank
 * balances, e-money on the purse cards (read from the simulated chips),
 * offline records held by shop terminals, shops' bank balances. A charge
 * moves money from a user's bank account onto a card (through the
 * provider's account), a purchase from a card into a record, a settlement
 * from a record into a shop's account: the total never changes.
 */
import type { DemoCast } from './cast.js';
import type { DemoWorld } from './world.js';

export interface MoneySnapshot {
  readonly usersBankMinor: number;
  readonly cardsMinor: number;
  readonly unsettledMinor: number;
  readonly shopsBankMinor: number;
  readonly totalMinor: number;
}

export async function moneySnapshot(world: DemoWorld, cast: DemoCast): Promise<MoneySnapshot> {
  const usersBankMinor = await world.banks.totalOf('user');
  const shopsBankMinor = await world.banks.totalOf('merchant');
  const cardsMinor = cast.users.reduce((s, u) => s + (world.sim.cards.store.load(u.purseCardId)?.balanceMinor ?? 0), 0);
  const unsettledMinor = cast.shops.reduce((s, shop) => s + (world.fleet.get(shop.terminalId)?.unsettled() ?? []).reduce((t, r) => t + r.amountMinor, 0), 0);
  return { usersBankMinor, cardsMinor, unsettledMinor, shopsBankMinor, totalMinor: usersBankMinor + cardsMinor + unsettledMinor + shopsBankMinor };
}
