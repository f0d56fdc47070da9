/**
 * The vending machine (seed 004): like the member shop, but the price is the
 * configured price of the product whose button was pressed (keypad `menu`).
 * Prices are validated when the role is created (TERM_CONFIG_INVALID). No
 * PIN is asked unless the card demands it (the Tessera purse does, CARD.md).
 */
import type { TerminalConfig } from '../../../config/schema.js';
import { onCenterMessage } from '../../center-messages.js';
import { termError } from '../../errors.js';
import type { CardSession, FlowOutcome, Role, RoleContext } from '../../role.js';
import { memberShopCommands } from './member-shop/commands.js';
import { identifyPurse, sellOnCard } from './member-shop/purchase.js';
import { parseRoleSettings, vendingSettingsSchema, type VendingSettings } from './member-shop/settings.js';
import { ShopSettlement } from './member-shop/settlement.js';

export const VENDING = 'vending';

export function vendingRole(config: TerminalConfig): Role {
  const settings = parseRoleSettings(vendingSettingsSchema, VENDING, config.roleSettings);
  const settlement = new ShopSettlement(settings.settleWaitMs);
  return {
    name: VENDING,
    apps: ['purse'],
    onCardInserted: (ctx, card) => vend(ctx, card, settings),
    onCommand: memberShopCommands(settlement),
    centerMessages: [onCenterMessage('settlementInstruction', (ctx, msg, session) => settlement.onInstruction(ctx, msg, session))],
  };
}

/** The card is identified first (a foreign card is refused before a button is asked for), then the button. */
async function vend(ctx: RoleContext, card: CardSession, settings: VendingSettings): Promise<FlowOutcome> {
  const mediumId = await identifyPurse(card);
  const product = await ctx.keypad.read('menu');
  const amountMinor = Object.hasOwn(settings.products, product) ? settings.products[product] : undefined;
  if (amountMinor === undefined) throw termError('TERM_ENTRY_INVALID', 'no such product on the menu', { prompt: 'menu', product: product.slice(0, 8), mediumId });
  return sellOnCard(ctx, card, mediumId, { amountMinor, currency: settings.currency, pinRequired: false, details: { product } });
}
