/**
 * What the vendor sells: shareware registrations (paid once, answered with a
 * licence key) and goods (answered with a receipt only). The config may
 * replace the default list.
 */
import type { ReceiptKind } from '../../protocol/prepaid/receipt.js';

export interface CatalogueItem {
  /** 1-32 of [A-Za-z0-9._-]. */
  readonly code: string;
  readonly name: string;
  readonly kind: ReceiptKind;
  readonly priceMinor: number;
}

export const DEFAULT_CATALOGUE: readonly CatalogueItem[] = [
  { code: 'SW-EDITOR', name: 'Tessera Editor, single user', kind: 'registration', priceMinor: 1_200 },
  { code: 'SW-ARCHIVER', name: 'Archiver Pro registration', kind: 'registration', priceMinor: 800 },
  { code: 'GD-MANUAL', name: 'Printed manual', kind: 'goods', priceMinor: 500 },
  { code: 'GD-MOUSEPAD', name: 'Mouse pad', kind: 'goods', priceMinor: 300 },
];
