import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorCode } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Emoney } from './emoney.js';

export interface SweepTimer {
  /** Cancels the next pass and waits for a running one. */
  stop(): Promise<void>;
}

/**
 * Runs emoney.sweep() now and then every intervalMs after the previous pass
 * ended (passes never overlap), until stopped. A failed pass is a log line
 * with its code; the next pass retries.
 */
export function startSweepTimer(emoney: Pick<Emoney, 'sweep'>, intervalMs: number, clock: Clock, log: Logger): SweepTimer {
  let timer: TimerHandle | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = (): void => {
    running = emoney
      .sweep()
      .then(
        (r) => {
          if (r.reversed + r.deemedIssued + r.paymentsRetried > 0) log.info(r, 'e-money sweep');
        },
        (e: unknown) => log.warn({ err: errorCode(e) }, 'e-money sweep failed'),
      )
      .finally(() => {
        if (!stopped) timer = clock.setTimer(intervalMs, tick);
      });
  };
  tick();
  return {
    stop: async () => {
      stopped = true;
      timer?.cancel();
      await running;
    },
  };
}
