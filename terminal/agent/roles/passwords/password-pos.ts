/**
 * The settlement-password till (seed 003, JP 2000-132605): a shop takes a
 * password the TTP issued to the customer's phone. Scan of the phone's QR
 * (or command `code`: the keypad code of a display-only device) → amount →
 * journal → PASSWORD_SALE_REQUEST to the TTP, captured at once; the result
 * shows the value left. ROLES.md, "Password POS".
 */
import type { TerminalConfig } from '../../../config/schema.js';
import { termError } from '../../errors.js';
import type { Role } from '../../role.js';
import { PASSWORD_POS } from './names.js';
import { recoverSale } from './recover.js';
import { sellByCode, sellByScan } from './sale.js';
import { parsePasswordPosSettings } from './settings.js';

export { PASSWORD_POS } from './names.js';

export function passwordPosRole(config: TerminalConfig): Role {
  const settings = parsePasswordPosSettings(config.roleSettings);
  return {
    name: PASSWORD_POS,
    onScan: (ctx, scan) => sellByScan(ctx, settings, scan),
    onCommand: async (ctx, cmd) => {
      if (cmd.name === 'code') return sellByCode(ctx, settings);
      throw termError('TERM_NOT_SUPPORTED', `password-pos has no command ${cmd.name}`, { command: cmd.name });
    },
    recover: (ctx, entry) => recoverSale(ctx, entry),
  };
}
