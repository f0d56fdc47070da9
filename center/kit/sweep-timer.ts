import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorCode } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';

/** Something swept periodically; its pass reports counts of what it did (or left pending). */
export interface Sweepable<R extends object = object> {
  sweep(): Promise<R>;
}

export interface SweepTimer {
  /** Cancels the next pass and waits for a running one. */
  stop(): Promise<void>;
}

/**
 * Runs target.sweep() now and then every intervalMs after the previous pass
 * ended (passes never overlap), until stopped. A pass that counted anything
 * is an info line `<name> sweep` with its counts; a failed pass is a warn
 * line `<name> sweep failed` with its code, and the next pass retries.
 */
export function startSweepTimer<R extends object>(target: Sweepable<R>, intervalMs: number, clock: Clock, log: Logger, name: string): SweepTimer {
  let timer: TimerHandle | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = (): void => {
    running = target
      .sweep()
      .then(
        (r) => {
          if (Object.values(r).some((n) => typeof n === 'number' && n > 0)) log.info(r as Record<string, unknown>, `${name} sweep`);
        },
        (e: unknown) => log.warn({ err: errorCode(e) }, `${name} sweep failed`),
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
