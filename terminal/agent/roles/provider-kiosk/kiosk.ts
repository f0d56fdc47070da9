import type { KioskSettings } from './settings.js';
import type { PinVault } from './pin-vault.js';

/** What the kiosk's flows share for the life of the role. */
export interface Kiosk {
  readonly settings: KioskSettings;
  readonly vault: PinVault;
}
