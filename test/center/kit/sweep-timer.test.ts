import { describe, expect, it } from 'vitest';
import { startSweepTimer } from '../../../center/kit/sweep-timer.js';
import { ManualClock } from '../../../core/clock.js';
import { TesseraError } from '../../../core/errors.js';
import { createLogger } from '../../../core/log.js';

const report = { reversed: 0, deemedIssued: 0, stillPending: 0, paymentsRetried: 0 };
const tick = () => new Promise((r) => setImmediate(r));

describe('startSweepTimer', () => {
  it('sweeps at start and every interval after a pass ends; a failed pass is logged with its code and the next still runs; stop waits for the running pass', async () => {
    const clock = new ManualClock();
    const lines: string[] = [];
    const log = createLogger('t', { level: 'info' }, { write: (l: string) => void lines.push(l) });
    let passes = 0;
    let release: (() => void) | null = null;
    const emoney = {
      sweep: async () => {
        passes += 1;
        if (passes === 2) throw new TesseraError('STORE_COMMIT_FAILED', 'db down');
        if (passes === 3) await new Promise<void>((r) => (release = r));
        return { ...report, paymentsRetried: passes === 1 ? 1 : 0 };
      },
    };
    const timer = startSweepTimer(emoney, 1_000, clock, log, 'e-money');
    await tick();
    expect(passes).toBe(1);
    clock.advance(999);
    await tick();
    expect(passes).toBe(1);
    clock.advance(1);
    await tick();
    expect(passes).toBe(2);
    expect(lines.some((l) => l.includes('STORE_COMMIT_FAILED') && l.includes('e-money sweep failed'))).toBe(true);
    expect(lines.some((l) => l.includes('"paymentsRetried":1'))).toBe(true);
    clock.advance(1_000);
    await tick();
    expect(passes).toBe(3);
    let stopped = false;
    const stopping = timer.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).toBe(false); // pass 3 still running
    release!();
    await stopping;
    clock.advance(10_000);
    await tick();
    expect(passes).toBe(3);
  });

  it('wake: runs a pass at once when idle (the interval starts again after it); wakes during a pass make one more pass right after it; none after stop', async () => {
    const clock = new ManualClock();
    let passes = 0;
    let release: (() => void) | null = null;
    const target = {
      sweep: async () => {
        passes += 1;
        if (passes === 3) await new Promise<void>((r) => (release = r));
        return { sent: 0 };
      },
    };
    const timer = startSweepTimer(target, 1_000, clock, createLogger('t', { level: 'error' }, { write: () => undefined }), 'delivery');
    await tick();
    expect(passes).toBe(1);
    clock.advance(500);
    timer.wake();
    await tick();
    expect(passes).toBe(2);
    // The next scheduled pass is an interval after the woken one, not the old timer's.
    clock.advance(999);
    await tick();
    expect(passes).toBe(2);
    clock.advance(1);
    await tick();
    expect(passes).toBe(3); // running until released
    timer.wake();
    timer.wake();
    timer.wake();
    await tick();
    expect(passes).toBe(3);
    release!();
    await tick();
    await tick();
    expect(passes).toBe(4); // the three wakes: one more pass
    await timer.stop();
    timer.wake();
    clock.advance(10_000);
    await tick();
    expect(passes).toBe(4);
  });
});
