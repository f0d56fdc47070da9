import type { KioskSettings } from './settings.js';

/** What the kiosk's flows share for the life of the role. */
export interface Kiosk {
  readonly settings: KioskSettings;
}
