import type { Clock } from '../../core/clock.js';
import { errorCode } from '../../core/errors.js';

/** A database read that never rejects: it settles to the value, or to a failure with its code. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: string };

/**
 * Starts `read` now and bounds it by `timeoutMs` of the injected clock. The
 * result is a promise that cannot reject, so a session that ends before it is
 * awaited leaves no unhandled rejection behind.
 */
export function deferredRead<T>(read: () => Promise<T>, clock: Clock, timeoutMs: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (s: Settled<T>): void => {
      if (done) return;
      done = true;
      timer.cancel();
      resolve(s);
    };
    const timer = clock.setTimer(timeoutMs, () => finish({ ok: false, code: 'VALIDITY_SOURCE_UNAVAILABLE' }));
    let started: Promise<T>;
    try {
      started = read();
    } catch (e) {
      finish({ ok: false, code: errorCode(e) });
      return;
    }
    started.then(
      (value) => finish({ ok: true, value }),
      (e: unknown) => finish({ ok: false, code: errorCode(e) }),
    );
  });
}
