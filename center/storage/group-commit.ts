import { assert } from '../../core/assert.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { CENTER_LIMITS } from '../limits.js';
import type { Tx } from './types.js';

/** One committed (or failed) batch, for metrics: its units and the time from taking a connection to COMMIT done. */
export interface BatchReport {
  readonly units: number;
  readonly seconds: number;
  readonly ok: boolean;
}

/** One connection holding one batch transaction, as an engine provides it. */
export interface BatchSession {
  /** Runs a statement with no parameters and no result (BEGIN, SAVEPOINT, COMMIT, ...). */
  exec(sql: string): Promise<void>;
  /** A unit-of-work handle bound to this session; hooks collect afterCommit callbacks. */
  tx(hooks: (() => void)[]): Tx;
  /** Gives the connection back (broken: it must not be reused). */
  release(broken: boolean): void;
}

export interface BatchEngine {
  /** Opens a session for one batch. */
  session(): Promise<BatchSession>;
  /** BEGIN statement (SQLite: BEGIN IMMEDIATE, so the write lock is taken up front). */
  readonly beginSql: string;
  /** True when a unit failed only because of a race with another node and may simply run again. */
  retryable(e: unknown): boolean;
  /** Most re-runs of one unit after retryable failures. */
  readonly retryMax: number;
}

interface Unit {
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  attempts: number;
}

type UnitOutcome = { ok: true; value: unknown; hooks: (() => void)[] } | { ok: false; error: unknown } | { retry: true };

/**
 * Group commit: units of work queued in the same tick run one after another
 * inside one transaction (each in its own savepoint) and are committed
 * together; one batch is in flight at a time, and what arrives meanwhile
 * forms the next batch (at most CENTER_LIMITS.storageBatchMax units).
 */
export class GroupCommitter {
  private queue: Unit[] = [];
  private flushing = false;
  private scheduled = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  /** Batches committed and units in them (for metrics and tests). */
  readonly stats = { batches: 0, units: 0, largestBatch: 0 };
  private readonly observers = new Set<(b: BatchReport) => void>();
  /**
   * Called synchronously when a batch's transaction has ended (committed or
   * not), before any of its units' promises settle: so before anything that
   * waits on a unit can answer anyone (Storage.changeStamp's own commits).
   */
  onBatchEnd: (() => void) | null = null;

  constructor(
    private readonly engine: BatchEngine,
    private readonly log: Logger,
  ) {}

  /** Calls fn after every batch (metrics); the returned function stops it. */
  observe(fn: (b: BatchReport) => void): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  enqueue<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new TesseraError('STORE_CLOSED', 'storage is closed'));
    if (this.queue.length >= CENTER_LIMITS.storageQueueMax) {
      return Promise.reject(new TesseraError('STORE_OVERLOADED', 'group-commit queue is full', { queued: this.queue.length }));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, attempts: 0 });
      this.schedule();
    });
  }

  /** Stops accepting work and waits until the queue has drained. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.flushing && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate, not a microtask: everything that arrives during this tick's I/O joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    assert(!this.flushing, 'one batch at a time');
    this.flushing = true;
    const batch = this.queue.splice(0, CENTER_LIMITS.storageBatchMax);
    try {
      await this.runBatch(batch);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
      else for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async runBatch(batch: Unit[]): Promise<void> {
    // A duration for metrics only (nothing decides on it), so the process clock and not the injected one.
    const startMs = this.observers.size > 0 ? performance.now() : 0;
    const ok = await this.commitBatch(batch);
    if (this.observers.size > 0) this.report({ units: batch.length, seconds: (performance.now() - startMs) / 1000, ok });
  }

  private report(b: BatchReport): void {
    for (const fn of this.observers) {
      try {
        fn(b);
      } catch (e) {
        this.log.error({ err: e }, 'batch observer threw');
      }
    }
  }

  /** Runs and commits one batch; false when the batch as a whole failed. */
  private async commitBatch(batch: Unit[]): Promise<boolean> {
    let session: BatchSession;
    try {
      session = await this.engine.session();
    } catch (e) {
      for (const u of batch) u.reject(new TesseraError('STORE_COMMIT_FAILED', 'no database connection', {}, { cause: e }));
      return false;
    }
    const outcomes: UnitOutcome[] = [];
    try {
      // Each unit's RELEASE travels with the next statement (SAVEPOINT or COMMIT): one round trip less per unit.
      let carry = `${this.engine.beginSql}; `;
      for (let i = 0; i < batch.length; i++) {
        const out = await this.runUnit(session, batch[i]!, i, carry);
        carry = 'ok' in out && out.ok ? `RELEASE SAVEPOINT u${i}; ` : '';
        outcomes.push(out);
      }
      await session.exec(`${carry}COMMIT`);
      this.onBatchEnd?.();
    } catch (e) {
      this.onBatchEnd?.();
      // The batch as a whole failed (BEGIN, a savepoint, COMMIT, a lost connection): every unit fails.
      this.log.error({ err: e, units: batch.length }, 'group commit failed');
      await session.exec('ROLLBACK').catch(() => undefined);
      session.release(true);
      for (const u of batch) u.reject(new TesseraError('STORE_COMMIT_FAILED', 'batch transaction failed', {}, { cause: e }));
      return false;
    }
    session.release(false);
    this.stats.batches++;
    this.stats.units += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    const retries: Unit[] = [];
    batch.forEach((u, i) => this.settle(u, outcomes[i]!, retries));
    // Re-run units that lost a race with another node first, before newer work.
    if (retries.length > 0) this.queue.unshift(...retries);
    return true;
  }

  /** Runs one unit in savepoint u<i>; `prefix` holds statements still owed (BEGIN, the previous RELEASE). */
  private async runUnit(session: BatchSession, unit: Unit, i: number, prefix: string): Promise<UnitOutcome> {
    const sp = `u${i}`;
    const hooks: (() => void)[] = [];
    await session.exec(`${prefix}SAVEPOINT ${sp}`);
    try {
      const value = await unit.fn(session.tx(hooks));
      return { ok: true, value, hooks };
    } catch (error) {
      // Rolling back to the savepoint undoes this unit only; if that fails the batch fails.
      await session.exec(`ROLLBACK TO SAVEPOINT ${sp}; RELEASE SAVEPOINT ${sp}`);
      if (this.engine.retryable(error) && unit.attempts < this.engine.retryMax) return { retry: true };
      return { ok: false, error };
    }
  }

  private settle(unit: Unit, outcome: UnitOutcome, retries: Unit[]): void {
    if ('retry' in outcome) {
      unit.attempts++;
      retries.push(unit);
      return;
    }
    if (!outcome.ok) {
      unit.reject(outcome.error);
      return;
    }
    for (const h of outcome.hooks) {
      try {
        h();
      } catch (e) {
        this.log.error({ err: e }, 'afterCommit hook threw');
      }
    }
    unit.resolve(outcome.value);
  }
}
