/**
 * The voucher module's counters on the center's /metrics registry
 * (CenterMetrics.voucherEvent, wired by center/modules.ts): a refused PIN
 * and a lockout are counted from a real engine, with bounded labels.
 */
import { describe, expect, it } from 'vitest';
import { CenterMetrics } from '../../../center/metrics/center-metrics.js';
import { openStorage } from '../../../center/storage/open.js';
import { Vouchers } from '../../../center/voucher/vouchers.js';
import { VOUCHER_LIMITS } from '../../../center/voucher/limits.js';
import { ManualClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { SeededRandom } from '../../../core/random.js';
import { parseProm } from '../../support/prom-text.js';

describe('voucher metrics', () => {
  it('counts refused PINs and lockouts by event and outcome; anything else is "other"', async () => {
    const m = new CenterMetrics({ processMetrics: false });
    const storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    try {
      const v = await Vouchers.open({ storage, clock: new ManualClock(), random: new SeededRandom(5), log: silentLogger, pinKey: Buffer.alloc(32, 1), metrics: { count: m.voucherEvent } });
      const source = { merchantId: 'm_1', keyId: 'k1', address: '10.1.1.1' };
      for (let i = 0; i < VOUCHER_LIMITS.guessFailuresFreeCount + 1; i++) await v.balance(source, '1111222233334444').catch(() => undefined);
      m.voucherEvent('made-up', 'T-ATTACKER-1');
      const samples = parseProm(await m.scrape()).filter((s) => s.name === 'tessera_center_voucher_events_total');
      const value = (event: string, outcome: string) => samples.find((s) => s.labels['event'] === event && s.labels['outcome'] === outcome)?.value;
      expect(value('pin_failure', 'refused')).toBe(VOUCHER_LIMITS.guessFailuresFreeCount);
      expect(value('lockout', 'started')).toBe(1);
      expect(value('lockout', 'refused')).toBe(1);
      expect(value('other', 'other')).toBe(1);
    } finally {
      await storage.close();
    }
  });
});
