/**
 * Printable cards for the sheet's own tests (the print step alone, before a
 * center is involved): serials in sequence, PINs of 16 random digits, as
 * `VoucherApi.takeForPrinting` hands them out.
 */
import { randomInt } from 'node:crypto';
import type { PrintableCard, VoucherBatch } from '../../center/voucher/api.js';

export function fakePrintRun(count: number, o: { denomination?: number; maxLoad?: number; firstSerial?: number } = {}): { batch: VoucherBatch; cards: PrintableCard[] } {
  const first = o.firstSerial ?? 4_900_000_000_000;
  const cards = Array.from({ length: count }, (_, i) => ({
    serial: String(first + i),
    pin: Array.from({ length: 16 }, () => String(randomInt(10))).join(''),
    denomination: o.maxLoad !== undefined ? null : (o.denomination ?? 1_000),
    maxLoad: o.maxLoad ?? null,
    currency: 'JPY',
  }));
  const batch: VoucherBatch = {
    batchId: 'B-TEST',
    hqId: 'HQ-1',
    denomination: cards[0]?.denomination ?? null,
    maxLoad: cards[0]?.maxLoad ?? null,
    count,
    currency: 'JPY',
    firstSerial: cards[0]?.serial ?? '',
    lastSerial: cards.at(-1)?.serial ?? '',
    createdAtMs: 0,
    printed: false,
  };
  return { batch, cards };
}
