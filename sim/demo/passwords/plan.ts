/**
 * The settlement-password scene's cast (seed 003): three customers of the
 * credit company, each with a device that receives passwords. Fixed, not
 * drawn from the seed: the scene shows every path once.
 */
export interface PasswordCustomer {
  readonly name: string;
  /** The customer's bank account (bank A), which the credit company debits for the order. */
  readonly account: { readonly bankCode: string; readonly branchCode: string; readonly accountNumber: string };
  /** The customer's bank PIN (goes to the bank only; never printed). */
  readonly bankPin: string;
  /** How the TTP sends the password to the device. */
  readonly channel: 'sms' | 'email';
  readonly msisdn: string;
  readonly email: string;
  /** device: the phone app holds a key and shows a device-signed QR; bearer: the code (and a static QR). */
  readonly binding: 'device' | 'bearer';
  readonly amountMinor: number;
  /** What happens to the password. */
  readonly use: { readonly kind: 'store'; readonly amountMinor: number } | { readonly kind: 'online'; readonly amountMinor: number } | { readonly kind: 'expire'; readonly lifetimeMs: number };
}

export const PASSWORD_CAST: readonly PasswordCustomer[] = [
  { name: 'Chie', account: { bankCode: '0001', branchCode: '031', accountNumber: '3100003' }, bankPin: '6303', channel: 'sms', msisdn: '819011110003', email: 'chie@mail.tessera.test', binding: 'bearer', amountMinor: 1_500, use: { kind: 'expire', lifetimeMs: 2_500 } },
  { name: 'Aiko', account: { bankCode: '0001', branchCode: '031', accountNumber: '3100001' }, bankPin: '6101', channel: 'sms', msisdn: '819011110001', email: 'aiko@mail.tessera.test', binding: 'device', amountMinor: 3_000, use: { kind: 'store', amountMinor: 1_800 } },
  { name: 'Ben', account: { bankCode: '0001', branchCode: '031', accountNumber: '3100002' }, bankPin: '6202', channel: 'email', msisdn: '819011110002', email: 'ben@mail.tessera.test', binding: 'bearer', amountMinor: 2_000, use: { kind: 'online', amountMinor: 2_000 } },
];

export const PASSWORD_CURRENCY = 'JPY';
