import { assert } from '../../../core/assert.js';

/** The printed sheet of a voucher batch (`tessera voucher print`, center/voucher/print/). */
export const VOUCHER_PRINT_LIMITS = {
  /** Cards across one A4 page. */
  columnsCount: 2,
  /** Card rows down one A4 page (columns x rows cards a page). */
  rowsCount: 5,
  /** Cards one sheet holds (a batch larger than this is printed in several runs: it is refused, not cut). */
  sheetCardsMax: 10_000,
  /** The PIN on the panel is printed in groups of this many digits (16 digits: 4-4-4-4). */
  pinGroupDigits: 4,
  /** bwip-js scale: PNG pixels per Code 128 module (the image is then fitted to the card; more pixels, sharper bars). */
  barcodeScaleFactor: 4,
  /** Quiet zone either side of the bars, in modules (Code 128 asks for 10 at least). */
  quietZoneModulesCount: 10,
} as const;

assert(VOUCHER_PRINT_LIMITS.quietZoneModulesCount >= 10, 'Code 128 needs a quiet zone of 10 modules');
