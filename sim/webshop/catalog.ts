/**
 * The shop's goods. Two kinds: `download` goods are paid at once (captured
 * in the redemption itself); `shipped` goods are authorised at checkout and
 * captured when the parcel leaves (admin page or `tessera webshop capture`),
 * cancelled if it never does (or released by the center when the
 * authorisation expires).
 */
export type GoodKind = 'download' | 'shipped';

export interface Good {
  readonly sku: string;
  readonly name: string;
  /** Price of one unit, minor units of the shop's currency. */
  readonly priceMinor: number;
  readonly kind: GoodKind;
}

export const CATALOG: readonly Good[] = [
  { sku: 'EBOOK-1', name: 'E-book: Tessera field guide', priceMinor: 800, kind: 'download' },
  { sku: 'SONG-1', name: 'Song download', priceMinor: 250, kind: 'download' },
  { sku: 'TEA-1', name: 'Green tea, 100 g tin (shipped)', priceMinor: 1_200, kind: 'shipped' },
  { sku: 'MUG-1', name: 'Mug (shipped)', priceMinor: 1_800, kind: 'shipped' },
];

export function good(sku: string): Good | undefined {
  return CATALOG.find((g) => g.sku === sku);
}
