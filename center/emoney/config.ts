import type { AccountRef } from '../relay/types.js';

/** The provider's account at one bank and its security code (seed 004: sent sealed to shops at settlement). */
export interface ProviderAccount extends AccountRef {
  /** The account's security code (PIN of a bank-POS transfer from it). Never logged or stored by the center's database. */
  readonly securityCode: string;
}

export interface EmoneyConfig {
  /** The purse issuer master key (32 bytes): card keys are re-derived from it. */
  readonly issuerMasterKey: Buffer;
  /** The one currency of the e-money (ISO 4217 alpha). */
  readonly currency: string;
  /** The provider's account at every bank it works with. */
  readonly providerAccounts: readonly ProviderAccount[];
}
