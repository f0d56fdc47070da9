import type { ManualClock } from '../../../core/clock.js';
import { flush, type SimSource } from './sim-source.js';

/** Drives a SimSource and a ManualClock step by step (each step = stepMs of clock time). */
export class SimDriver {
  constructor(
    readonly source: SimSource,
    readonly clock: ManualClock,
    readonly stepMs = 10,
  ) {}

  /** Runs the current step to quiescence: releases due reads/pushes, lets the engine react, repeats. */
  async settle(): Promise<void> {
    await flush();
    for (let round = 0; round < 1_000; round++) {
      if (this.source.release() === 0) return;
      await flush();
    }
    throw new Error('SimDriver.settle: no quiescence after 1000 rounds');
  }

  async step(): Promise<void> {
    this.source.step++;
    this.clock.advance(this.stepMs);
    await this.settle();
  }

  /** Steps until `p` settles (bounded). */
  async until<T>(p: Promise<T>, maxSteps = 500): Promise<T> {
    let done = false;
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    p.then(
      (v) => {
        done = true;
        value = v;
      },
      (e: unknown) => {
        done = failed = true;
        error = e;
      },
    );
    await this.settle();
    for (let i = 0; i < maxSteps && !done; i++) await this.step();
    if (!done) throw new Error(`SimDriver.until: not settled after ${maxSteps} steps`);
    if (failed) throw error;
    return value as T;
  }
}
