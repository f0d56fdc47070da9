export type * from './api.js';
export { VOUCHER_MODULE, voucherModule, type VoucherModuleOptions } from './module.js';
export { Vouchers, VOUCHER_KIND, type VoucherMetrics } from './vouchers.js';
export { isSerial, serialOf, luhnDigit } from './serial.js';
