/**
 * Rewritable-medium prepaid (seed 000), terminal side: the prepaid terminal
 * that issues media paid in cash or by the customer's purse card (ROLES.md,
 * "Prepaid issuer").
 */
import type { TerminalCapability } from '../../capability.js';
import { PREPAID_ISSUER, prepaidIssuerRole } from './issuer.js';

export const PREPAID: TerminalCapability = {
  name: 'prepaid',
  roles: { [PREPAID_ISSUER]: prepaidIssuerRole },
};
