/**
 * The voucher POS (seed 002, JP 10-302126): the till sells prepaid cards
 * that travel to the store with no value. A scan of the card's barcode
 * (serial only, check digit verified) → amount → journal → VOUCHER_ACTIVATE
 * to the HQ, which forwards it to the settlement center; the card becomes
 * spendable only then. Commands: `void` (cancel a sale). ROLES.md, "Voucher POS".
 */
import type { TerminalConfig } from '../../../config/schema.js';
import { termError } from '../../errors.js';
import type { Role } from '../../role.js';
import { VOUCHER_POS } from './names.js';
import { recoverEntry } from './reversal.js';
import { sellCard } from './sale.js';
import { parseVoucherPosSettings } from './settings.js';
import { voidSale } from './void.js';

export { VOUCHER_POS } from './names.js';

export function voucherPosRole(config: TerminalConfig): Role {
  const settings = parseVoucherPosSettings(config.roleSettings);
  return {
    name: VOUCHER_POS,
    onScan: (ctx, scan) => sellCard(ctx, settings, scan),
    onCommand: async (ctx, cmd) => {
      if (cmd.name === 'void') return voidSale(ctx, cmd);
      throw termError('TERM_NOT_SUPPORTED', `voucher-pos has no command ${cmd.name}`, { command: cmd.name });
    },
    recover: (ctx, entry) => recoverEntry(ctx, entry),
  };
}
