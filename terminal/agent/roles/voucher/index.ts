/**
 * Vouchers activated at the point of sale (seed 002), terminal side: the
 * voucher POS (a till with a serial barcode scanner and a keypad) that
 * talks to its store headquarters (center/hq, `tessera hq serve`).
 */
import type { TerminalCapability } from '../../capability.js';
import { VOUCHER_POS, voucherPosRole } from './voucher-pos.js';

export const VOUCHERS: TerminalCapability = {
  name: 'voucher',
  roles: { [VOUCHER_POS]: voucherPosRole },
};
