/**
 * The member-shop terminal (seed 004, JP 9-147043): the clerk keys the
 * amount — or scans the goods at the till, priced from roleSettings.products
 * (member-shop/basket.ts) —, the holder's card is debited offline (PIN when
 * the shop or the card asks for it) and the card's record is journalled
 * before the sale is approved — no center contact, so it sells with the
 * center down. `settle` sends the records and awaits the center's callback
 * (a receipt goes to the removable store); `unsettled` reports what is held;
 * `clear` empties the basket. Shared with vending: member-shop/purchase.ts,
 * settlement.ts, receipt.ts.
 */
import { PURSE_LIMITS } from '../../../../protocol/purse/constants.js';
import type { TerminalConfig } from '../../../config/schema.js';
import { onCenterMessage } from '../../center-messages.js';
import { termError } from '../../errors.js';
import type { CardSession, FlowOutcome, Role, RoleContext } from '../../role.js';
import { Basket, clearBasket, scanItem } from './member-shop/basket.js';
import { memberShopCommands } from './member-shop/commands.js';
import { identifyPurse, sellOnCard } from './member-shop/purchase.js';
import { parseRoleSettings, shopSettingsSchema, type ShopSettings } from './member-shop/settings.js';
import { ShopSettlement } from './member-shop/settlement.js';

export const SHOP = 'shop';

/** Digits only: no sign, no decimal point, no grouping (minor units). */
const AMOUNT_DIGITS = /^[0-9]{1,16}$/;

export function shopRole(config: TerminalConfig): Role {
  const settings = parseRoleSettings(shopSettingsSchema, SHOP, config.roleSettings);
  const settlement = new ShopSettlement(settings.settleWaitMs);
  const basket = new Basket();
  return {
    name: SHOP,
    apps: ['purse'],
    onCardInserted: (ctx, card) => sale(ctx, card, settings, basket),
    onScan: async (ctx, scan) => scanItem(ctx, scan, basket, settings.products),
    onCommand: memberShopCommands(settlement, { clear: async (ctx) => clearBasket(ctx, basket) }),
    centerMessages: [onCenterMessage('settlementInstruction', (ctx, msg, session) => settlement.onInstruction(ctx, msg, session))],
  };
}

/**
 * The card is identified first (a foreign card is refused before anyone keys
 * anything); then an open basket is paid whole (and emptied once approved),
 * or with none the clerk keys the amount.
 */
async function sale(ctx: RoleContext, card: CardSession, settings: ShopSettings, basket: Basket): Promise<FlowOutcome> {
  const terms = { currency: settings.currency, pinRequired: settings.pinRequired };
  const mediumId = await identifyPurse(card);
  if (basket.count === 0) return sellOnCard(ctx, card, mediumId, { ...terms, amountMinor: parseAmount(await ctx.keypad.read('amount'), mediumId) });
  const outcome = await sellOnCard(ctx, card, mediumId, { ...terms, amountMinor: basket.totalMinor, details: { basketItems: basket.count } });
  if (outcome.result === 'approved') basket.clear();
  return outcome;
}

/** The keyed amount in minor units, or TERM_ENTRY_INVALID (before the purse is read or debited: nothing debited). */
export function parseAmount(entry: string, mediumId?: string): number {
  const n = AMOUNT_DIGITS.test(entry) ? Number(entry) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > PURSE_LIMITS.balanceMinorMax) {
    throw termError('TERM_ENTRY_INVALID', 'the amount must be a positive whole number of minor units', { prompt: 'amount', length: entry.length, ...(mediumId && { mediumId }) });
  }
  return n;
}
