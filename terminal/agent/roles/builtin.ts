/**
 * The terminal capabilities of this build, one line each: a new capability
 * is its folder under terminal/agent/roles/ (exporting a TerminalCapability:
 * its roles, its card applications) plus one line in BUILTIN_CAPABILITIES.
 * A deployment with other roles passes its own registries to createAgent.
 */
import { composeCapabilities, type TerminalCapability } from '../capability.js';
import type { CardAppRegistry } from '../card-apps.js';
import { CashCard } from '../../devices/cash-card.js';
import { PurseCard } from '../../devices/purse-card.js';
import type { RoleRegistry } from '../role-registry.js';
import { EMONEY } from './emoney/index.js';
import { PREPAID } from './prepaid/index.js';
import { VALIDITY } from './validity/index.js';
import { PASSWORDS } from './passwords/index.js';
import { VOUCHERS } from './voucher/index.js';

/** The card applications whose drivers are in terminal/devices/ (used by more than one capability). */
export const DEVICE_CARD_APPS: TerminalCapability = {
  name: 'devices',
  roles: {},
  cardApps: {
    purse: (c) => new PurseCard(c.channel, c.random, (id) => c.bindMediumId(id)),
    cashCard: (c) => new CashCard(c.channel),
  },
};

export const BUILTIN_CAPABILITIES: readonly TerminalCapability[] = [
  DEVICE_CARD_APPS,
  VALIDITY, // seed 001: validity-pos
  EMONEY, // seed 004: provider-kiosk, shop, vending
  VOUCHERS, // seed 002: voucher-pos
  PASSWORDS, // seed 003: password-pos
  PREPAID, // seed 000: prepaid-issuer
];

/** Role name → factory, for every role of this build. */
export function builtinRoles(): RoleRegistry {
  return composeCapabilities(BUILTIN_CAPABILITIES).roles;
}

/** Card application kind → factory, for every card application of this build. */
export function builtinCardApps(): CardAppRegistry {
  return composeCapabilities(BUILTIN_CAPABILITIES).cardApps;
}
