/** The voucher POS role's name (config `role`). */
export const VOUCHER_POS = 'voucher-pos';
