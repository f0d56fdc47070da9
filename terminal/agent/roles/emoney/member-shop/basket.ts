/**
 * The shop till's open basket (seed 004 purchase with a scanner): each
 * barcode scanned at the till is priced from `roleSettings.products` and
 * added; the next card inserted pays the basket's total (no keypad amount),
 * and an approved sale empties it. A decline or an error leaves it as it was
 * (the goods are still unpaid), and the `clear` command empties it.
 *
 * It lives in memory only: a restart forgets it, which loses nothing — no
 * card was debited and nothing was journalled for an open basket.
 */
import type { Scan } from '../../../../devices/barcode-scanner.js';
import { SHOP_LIMITS } from '../../../../limits.js';
import { termError } from '../../../errors.js';
import type { FlowOutcome, RoleContext } from '../../../role.js';
import { ITEM_CODE } from './settings.js';

export interface BasketItem {
  readonly code: string;
  readonly priceMinor: number;
}

export class Basket {
  private items: BasketItem[] = [];
  private total = 0;

  get count(): number {
    return this.items.length;
  }

  get totalMinor(): number {
    return this.total;
  }

  /** Adds one item, or TERM_BASKET_FULL (nothing added) at the item limit or past the largest safe total. */
  add(item: BasketItem): void {
    if (this.items.length >= SHOP_LIMITS.basketItemsMax || item.priceMinor > Number.MAX_SAFE_INTEGER - this.total) {
      throw termError('TERM_BASKET_FULL', 'the basket is full: take payment or clear it first', { items: this.items.length, totalMinor: this.total, max: SHOP_LIMITS.basketItemsMax });
    }
    this.items.push(item);
    this.total += item.priceMinor;
  }

  /** Empties the basket; returns what it held. */
  clear(): { items: number; totalMinor: number } {
    const held = { items: this.items.length, totalMinor: this.total };
    this.items = [];
    this.total = 0;
    return held;
  }
}

/** A barcode scanned at the till: priced and added, or a coded error with the basket unchanged. */
export function scanItem(ctx: RoleContext, scan: Scan, basket: Basket, products: Readonly<Record<string, number>> | undefined): FlowOutcome {
  const code = scan.data;
  // Scan data can be anything (a QR code with text): only a well-formed item code is echoed back.
  if (!ITEM_CODE.test(code)) throw termError('TERM_ITEM_UNKNOWN', 'the scanned data is not an item code', { length: code.length });
  const priceMinor = products && Object.hasOwn(products, code) ? products[code] : undefined;
  if (priceMinor === undefined) throw termError('TERM_ITEM_UNKNOWN', 'the scanned item is not on the price list', { item: code });
  basket.add({ code, priceMinor });
  ctx.log.info({ item: code, priceMinor, items: basket.count, totalMinor: basket.totalMinor }, 'item scanned');
  return { result: 'done', code: null, details: { item: code, priceMinor, items: basket.count, totalMinor: basket.totalMinor } };
}

/** The `clear` command: the basket is emptied (nothing was debited for it). */
export function clearBasket(ctx: RoleContext, basket: Basket): FlowOutcome {
  const held = basket.clear();
  ctx.log.info(held, 'basket cleared');
  return { result: 'done', code: null, details: { clearedItems: held.items, clearedMinor: held.totalMinor } };
}
