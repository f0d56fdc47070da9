/**
 * The baselines the storage-bound suites measure their figures against, in
 * the same run on the same storage: the raw group-commit rate
 * (`storage.transact` with one trivial insert per unit, N units in flight)
 * and, while a phase runs, the mean units per committed batch and how busy
 * the committer was (storage.observeCommits).
 */
import { performance } from 'node:perf_hooks';
import type { Storage } from '../center/storage/types.js';

export function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * While `fn` runs (storage.observeCommits): mean units per group-committed
 * batch, and the share of the wall time a batch was in flight (1 = the
 * committer never idle: storage-bound; well below 1 = the units arrive slower
 * than they commit, the time goes elsewhere).
 */
export async function withBatchSizes<T>(storage: Storage, fn: () => Promise<T>): Promise<{ value: T; unitsPerBatch: number; committerBusy: number }> {
  let batches = 0;
  let units = 0;
  let seconds = 0;
  const stop = storage.observeCommits?.((b) => {
    batches++;
    units += b.units;
    seconds += b.seconds;
  });
  const t0 = performance.now();
  try {
    const value = await fn();
    const wallS = (performance.now() - t0) / 1000;
    return { value, unitsPerBatch: batches === 0 ? 0 : round(units / batches), committerBusy: round(seconds / wallS) };
  } finally {
    stop?.();
  }
}

/**
 * Units per second of one-row inserts through storage.transact with
 * `inFlight` units outstanding (what the group commit batches), for
 * `seconds`. `table` names the suite's own table (created once).
 */
export async function rawCommitRate(storage: Storage, inFlight: number, seconds: number, table = 'bench_http_raw'): Promise<number> {
  const sql = { sqlite: `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`, postgres: `CREATE TABLE ${table} (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)` };
  await storage.migrate({ module: table.replace(/_/g, '-'), migrations: [{ version: 1, name: 'rows', sql }] });
  const endMs = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < endMs) {
      await storage.transact((tx) => tx.run(`INSERT INTO ${table} (v) VALUES (?)`, ['x'.repeat(64)]));
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return done / ((performance.now() - t0) / 1000);
}
