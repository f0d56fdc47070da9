/**
 * The issue's property: for any sequence of issues, deliveries (and failed
 * ones), sales, reservations, captures, cancellations, refunds, revocations
 * and expiries (time passing, then the sweep), the outstanding password value
 * (the sum of what every password's view says is left) equals the liability
 * account it is booked to (pw-outstanding), the reserved value equals
 * pw-reserved, nothing is negative, and the module's audit passes. Refusals
 * are expected outcomes (coded); anything uncoded fails the property.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Passwords } from '../../../center/passwords/passwords.js';
import { openStorage } from '../../../center/storage/open.js';
import { ManualClock } from '../../../core/clock.js';
import { isTesseraError } from '../../../core/errors.js';
import { audit, issueReq, openCore, type RecordingDelivery } from './support.js';

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;
const SHOPS = [{ merchantId: 'm_a', shopId: 'SHOP-A' }, { merchantId: 'm_b', shopId: 'SHOP-B' }];

const op = fc.oneof(
  fc.record({ k: fc.constant('issue' as const), amount: fc.integer({ min: 1, max: 5_000 }), partial: fc.boolean(), hours: fc.integer({ min: 1, max: 48 }) }),
  fc.record({ k: fc.constant('deliver' as const), i: fc.nat(), ok: fc.integer({ min: 0, max: 4 }).map((n) => n > 0) }),
  fc.record({ k: fc.constant('redeem' as const), i: fc.nat(), shop: fc.integer({ min: 0, max: 1 }), percent: fc.integer({ min: 1, max: 110 }), capture: fc.boolean() }),
  fc.record({ k: fc.constant('capture' as const), r: fc.nat(), part: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ k: fc.constant('cancel' as const), r: fc.nat() }),
  fc.record({ k: fc.constant('refund' as const), r: fc.nat(), amount: fc.integer({ min: 1, max: 2_000 }) }),
  fc.record({ k: fc.constant('revoke' as const), i: fc.nat() }),
  fc.record({ k: fc.constant('time' as const), hours: fc.integer({ min: 1, max: 30 }) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

interface World {
  readonly pw: Passwords;
  readonly delivery: RecordingDelivery;
  readonly clock: ManualClock;
  readonly serials: string[];
  readonly redemptions: { id: string; shop: number; captured: number }[];
  n: number;
}

async function apply(w: World, o: Op): Promise<void> {
  const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);
  switch (o.k) {
    case 'issue': {
      const a = await w.pw.issue(issueReq({ amountMinor: o.amount, partial: o.partial, expiresAtMs: w.clock.nowMs() + o.hours * HOUR }));
      w.serials.push(a.serial);
      return;
    }
    case 'deliver': {
      const s = pick(w.serials, o.i);
      if (s) await w.pw.onOutcome({ passwordId: s, outcome: o.ok ? 'delivered' : 'failed', channel: 'sms', atMs: w.clock.nowMs() });
      return;
    }
    case 'redeem': {
      const s = pick(w.serials, o.i);
      if (!s) return;
      // A share of what is left (above 100: over the amount, refused), so most redemptions go through.
      const left = (await w.pw.view(s))!.remainingMinor;
      const amountMinor = Math.max(1, Math.floor((left * o.percent) / 100));
      const r = await w.pw.redeem(SHOPS[o.shop]!, { requestId: `q${w.n++}`, presented: { code: w.delivery.code(s) }, amountMinor, currency: 'JPY', capture: o.capture, captureWithinMs: 6 * HOUR });
      w.redemptions.push({ id: r.id, shop: o.shop, captured: r.capturedMinor });
      return;
    }
    case 'capture': {
      const r = pick(w.redemptions, o.r);
      if (!r) return;
      const v = await w.pw.redemption(SHOPS[r.shop]!.merchantId, r.id);
      const c = await w.pw.capture(SHOPS[r.shop]!, r.id, Math.max(1, Math.floor((v.amountMinor * o.part) / 100)));
      r.captured = c.capturedMinor;
      return;
    }
    case 'cancel': {
      const r = pick(w.redemptions, o.r);
      if (r) await w.pw.cancel(SHOPS[r.shop]!, r.id);
      return;
    }
    case 'refund': {
      const r = pick(w.redemptions, o.r);
      if (r) await w.pw.refund(SHOPS[r.shop]!, r.id, { requestId: `f${w.n++}`, amountMinor: o.amount });
      return;
    }
    case 'revoke': {
      const s = pick(w.serials, o.i);
      if (s) await w.pw.revoke(s, 'CREDIT-A');
      return;
    }
    case 'time':
      w.clock.advance(o.hours * HOUR);
      await w.pw.sweep();
  }
}

describe('passwords property', () => {
  it('outstanding value = pw-outstanding, reserved = pw-reserved, nothing negative, audit passes, after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
        const clock = new ManualClock(T0);
        const { pw, delivery } = await openCore(storage, clock);
        const w: World = { pw, delivery, clock, serials: [], redemptions: [], n: 0 };
        try {
          for (const o of ops) {
            try {
              await apply(w, o);
            } catch (e) {
              if (!isTesseraError(e) || e.code === 'PASSWORD_LEDGER_REFUSED' || e.code.startsWith('CENTER_')) throw e;
            }
            const views = await Promise.all(w.serials.map((s) => pw.view(s)));
            const outstanding = views.reduce((t, v) => t + v!.remainingMinor, 0);
            const [acct, reserved] = await pw.ledger.lookupAccounts(['pw-outstanding', 'pw-reserved']);
            expect(acct ? acct.creditsPostedMinor - acct.debitsPostedMinor : 0).toBe(outstanding);
            const held = await storage.read((q) => q.get<{ s: unknown }>("SELECT COALESCE(SUM(amount), 0) AS s FROM password_redemptions WHERE state = 'reserved'"));
            expect(reserved ? reserved.creditsPostedMinor - reserved.debitsPostedMinor : 0).toBe(Number(held!.s));
            for (const v of views) {
              expect(v!.remainingMinor).toBeGreaterThanOrEqual(0);
              if (['refunded', 'used-up'].includes(v!.state)) expect(v!.remainingMinor).toBe(0);
            }
            expect(await audit(storage)).toEqual([]);
          }
        } finally {
          await storage.close();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
