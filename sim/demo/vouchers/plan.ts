/**
 * The voucher scene's story (seed 002), drawn from the run's seed with its
 * own random stream (the e-money plan's draws are untouched): one chain HQ
 * with two stores, each with a voucher till and its scanner; one batch of
 * fixed-value cards issued and printed; some of them sold at the tills
 * (the rest stay on the rack, worthless); buyers paying at the web shop
 * with one card or several; someone trying the PIN of a card nobody bought
 * (it has no value: refused); the shop shipping what it authorised; the
 * shop's payout; the HQ's daily file reconciled with the center's.
 */
import { SeededRandom, type Random } from '../../../core/random.js';

export const VOUCHER_CHAIN = {
  hqId: 'HQ-DEMO',
  /** The HQ's commission on the face value it sells (2.5 %). */
  commissionBp: 250,
  stores: [
    { storeId: 'STORE-N1', till: 'POS-N1' },
    { storeId: 'STORE-N2', till: 'POS-N2' },
  ],
} as const;

export const WEBSHOP_MERCHANT = 'webshop';

export interface VoucherSale {
  readonly till: string;
  /** The card's place on the printed sheet (0-based): the clerk takes it from the rack and scans it. */
  readonly card: number;
}

export interface VoucherOrder {
  readonly buyer: string;
  readonly sku: string;
  readonly quantity: number;
  /** Sheet places of the cards whose PINs the buyer enters (scratched off the cards bought at the tills). */
  readonly cards: readonly number[];
  /** approved, or the code the center must refuse it with. */
  readonly expect: 'approved' | 'VOUCHER_PIN_REFUSED';
}

export interface VoucherPlan {
  readonly denomination: number;
  readonly count: number;
  readonly sales: readonly VoucherSale[];
  readonly orders: readonly VoucherOrder[];
}

/** Fixed face values the scene draws from (within VOUCHER_LIMITS.denominations). */
const FACES = [1000, 2000] as const;
const CARDS_PRINTED = 6;

function shuffle<T>(xs: readonly T[], r: Random): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function makeVoucherPlan(seed: number): VoucherPlan {
  const r = new SeededRandom((seed ^ 0x5eed_0002) >>> 0);
  const denomination = FACES[r.int(FACES.length)]!;
  const places = shuffle(Array.from({ length: CARDS_PRINTED }, (_, i) => i), r);
  const sold = places.slice(0, 4);
  const unsold = places[4]!;
  const [t1, t2] = VOUCHER_CHAIN.stores.map((s) => s.till);
  const sales: VoucherSale[] = sold.map((card, i) => ({ till: i % 2 === 0 ? t1! : t2!, card }));
  const [a, b, c, d] = sold as [number, number, number, number];
  const songs = 1 + r.int(2);
  return {
    denomination,
    count: CARDS_PRINTED,
    sales,
    orders: [
      // One card pays a download at once; its remaining value shows on the order page.
      { buyer: 'buyer1', sku: 'EBOOK-1', quantity: 1, cards: [a], expect: 'approved' },
      // Two cards together pay goods that ship: authorised now, captured when the parcel leaves.
      { buyer: 'buyer2', sku: 'MUG-1', quantity: denomination === 1000 ? 1 : 2, cards: [b, c], expect: 'approved' },
      // The rest of the first card and a fresh one pay together.
      { buyer: 'buyer1', sku: 'SONG-1', quantity: songs, cards: [a, d], expect: 'approved' },
      // A card nobody bought: its PIN has no value (stock stolen before sale is worth nothing).
      { buyer: 'thief', sku: 'SONG-1', quantity: 1, cards: [unsold], expect: 'VOUCHER_PIN_REFUSED' },
    ],
  };
}
