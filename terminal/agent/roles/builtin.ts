import { RoleRegistry } from '../role-registry.js';
import { PROVIDER_KIOSK, providerKioskRole } from './provider-kiosk.js';
import { SHOP, shopRole } from './shop.js';
import { VALIDITY_POS, validityPosRole } from './validity-pos.js';
import { VENDING, vendingRole } from './vending.js';

/**
 * The roles this build provides. The e-money work registers provider-kiosk,
 * shop and vending here (one line each) or in its own registry passed to the agent.
 */
export function builtinRoles(): RoleRegistry {
  return new RoleRegistry()
    .register(VALIDITY_POS, validityPosRole)
    .register(PROVIDER_KIOSK, providerKioskRole)
    .register(SHOP, shopRole)
    .register(VENDING, vendingRole);
}
