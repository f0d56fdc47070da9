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
  /**
   * Asks for a pass now (new work was committed): runs one at once if none
   * is running, else one more right after the running pass. Wakes that come
   * together are one pass.
   */
  wake(): void;
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
  let busy = false;
  let again = false;
  const tick = (): void => {
    timer = null;
    busy = true;
    again = false;
    running = target
      .sweep()
      .then(
        (r) => {
          if (Object.values(r).some((n) => typeof n === 'number' && n > 0)) log.info(r as Record<string, unknown>, `${name} sweep`);
        },
        (e: unknown) => log.warn({ err: errorCode(e) }, `${name} sweep failed`),
      )
      .finally(() => {
        busy = false;
        if (stopped) return;
        if (again) tick();
        else timer = clock.setTimer(intervalMs, tick);
      });
  };
  tick();
  return {
    stop: async () => {
      stopped = true;
      timer?.cancel();
      await running;
    },
    wake: () => {
      if (stopped) return;
      if (busy) {
        again = true;
        return;
      }
      timer?.cancel();
      tick();
    },
  };
}
