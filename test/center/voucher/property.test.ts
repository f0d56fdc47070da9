/**
 * The property of issue 12: for any sequence of activations, redemptions,
 * captures, cancels, refunds, voids, reversals, blocks and expiries, the sum
 * over cards of remaining value equals the voucher-liability account (and
 * the holds equal voucher-authorized), and no card is ever negative. Every
 * refusal along the way must be a coded VOUCHER_ answer (a transition the
 * tables refuse or a ledger refusal would be a bug and fails the run).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../../core/errors.js';
import type { PrintableCard, Redemption } from '../../../center/voucher/api.js';
import { VOUCHER_LIMITS } from '../../../center/voucher/limits.js';
import { audit, openEngine, SOURCE } from './support.js';

const CARDS = 6;
const DAY = 86_400_000;

type Op =
  | { k: 'activate'; card: number; amount: number }
  | { k: 'void'; card: number }
  | { k: 'reverse'; card: number }
  | { k: 'redeem'; cards: number[]; amount: number; capture: boolean }
  | { k: 'capture'; r: number; amount: number | null }
  | { k: 'cancel'; r: number }
  | { k: 'refund'; r: number; amount: number }
  | { k: 'block'; card: number }
  | { k: 'time'; ms: number };

const card = fc.integer({ min: 0, max: CARDS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('activate' as const), card, amount: fc.integer({ min: 500, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('void' as const), card }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reverse' as const), card }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('redeem' as const), cards: fc.uniqueArray(card, { minLength: 1, maxLength: 3 }), amount: fc.integer({ min: 1, max: 2500 }), capture: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('capture' as const), r: fc.nat(), amount: fc.option(fc.integer({ min: 1, max: 1500 }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cancel' as const), r: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('refund' as const), r: fc.nat(), amount: fc.integer({ min: 1, max: 1500 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('block' as const), card }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('time' as const), ms: fc.constantFrom(60_000, VOUCHER_LIMITS.voidWindowMs + 1, VOUCHER_LIMITS.authHoldMs, 2 * DAY) }) },
);

describe('voucher conservation (fast-check)', () => {
  it('sum of card balances = voucher-liability, holds = voucher-authorized, no card negative, after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const e = await openEngine({ target: { engine: 'sqlite', path: ':memory:' } });
        try {
          await e.vouchers.registerHq('HQ-1', { commissionBp: 100 });
          const b = await e.vouchers.issueBatch({ hqId: 'HQ-1', maxLoad: 3000, count: CARDS, validDays: 1 });
          const cards: PrintableCard[] = [...(await e.vouchers.takeForPrinting(b.batchId))];
          const lastActivation = new Map<number, string>();
          const redemptions: Redemption[] = [];
          let n = 0;
          const pick = (r: number): Redemption | undefined => redemptions[r % Math.max(1, redemptions.length)];
          for (const o of ops) {
            const id = `x${++n}`;
            try {
              switch (o.k) {
                case 'activate':
                  await e.vouchers.activate({ requestId: id, hqId: 'HQ-1', storeId: 'S1', terminalId: 'P1', serial: cards[o.card]!.serial, amount: o.amount, currency: 'JPY' });
                  lastActivation.set(o.card, id);
                  break;
                case 'void':
                  await e.vouchers.void({ requestId: id, hqId: 'HQ-1', storeId: 'S1', activationRequestId: lastActivation.get(o.card) ?? 'none' });
                  break;
                case 'reverse':
                  await e.vouchers.reverse({ hqId: 'HQ-1', activationRequestId: lastActivation.get(o.card) ?? `never-${id}` });
                  break;
                case 'redeem':
                  redemptions.push(await e.vouchers.redeem({ source: SOURCE, redemptionKey: id, pins: o.cards.map((i) => cards[i]!.pin), amount: o.amount, currency: 'JPY', orderRef: id, capture: o.capture }));
                  break;
                case 'capture':
                  if (pick(o.r)) await e.vouchers.capture(SOURCE.merchantId, pick(o.r)!.redemptionId, o.amount ?? undefined);
                  break;
                case 'cancel':
                  if (pick(o.r)) await e.vouchers.cancel(SOURCE.merchantId, pick(o.r)!.redemptionId);
                  break;
                case 'refund':
                  if (pick(o.r)) await e.vouchers.refund(SOURCE.merchantId, pick(o.r)!.redemptionId, { refundId: id, amount: o.amount });
                  break;
                case 'block':
                  await e.vouchers.block({ hqId: 'HQ-1', fromSerial: cards[o.card]!.serial, toSerial: cards[o.card]!.serial, reason: 'lost' });
                  break;
                case 'time':
                  e.clock.advance(o.ms);
                  await e.vouchers.sweepOnce();
                  break;
              }
            } catch (err) {
              if (!(err instanceof TesseraError) || !err.code.startsWith('VOUCHER_') || err.code === 'VOUCHER_LEDGER_REFUSED') throw err;
            }
            const a = await audit(e);
            expect(a.examples, `after ${JSON.stringify(o)}`).toEqual([]);
          }
        } finally {
          await e.close();
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
