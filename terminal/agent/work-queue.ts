import { assert } from '../../core/assert.js';

/**
 * Runs jobs one at a time in arrival order (card flows, scans, commands,
 * outbox repeats never overlap). Bounded: a full queue refuses new jobs.
 */
export class WorkQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  constructor(private readonly max: number) {
    assert(max >= 1, 'work queue needs room for one job');
  }

  get size(): number {
    return this.queued;
  }

  get full(): boolean {
    return this.queued >= this.max;
  }

  /** Runs job after every earlier one settled; resolves or rejects with its result. */
  push<T>(job: () => Promise<T>): Promise<T> {
    assert(!this.full, 'work queue full');
    this.queued++;
    const run = this.tail.then(job, job);
    this.tail = run.then(
      () => this.queued--,
      () => this.queued--,
    );
    return run;
  }

  /** Resolves once every job queued so far settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
