/**
 * E-money over bank POS (seed 004), terminal side: the provider kiosk
 * (charge and issue), the member shop and the vending machine (offline
 * purchase and settlement, member-shop/). Its card applications (purse, cash
 * card) are the device ones (roles/builtin.ts DEVICE_CARD_APPS); its center
 * message (the settlement instruction) is registered by shop and vending.
 */
import type { TerminalCapability } from '../../capability.js';
import { PROVIDER_KIOSK, providerKioskRole } from './provider-kiosk.js';
import { SHOP, shopRole } from './shop.js';
import { VENDING, vendingRole } from './vending.js';

export const EMONEY: TerminalCapability = {
  name: 'emoney',
  roles: { [PROVIDER_KIOSK]: providerKioskRole, [SHOP]: shopRole, [VENDING]: vendingRole },
};
