/**
 * Who wants to know the outcome of every transfer the ledger commits
 * (metrics). Keyed by the storage, so several centers in one process (tests,
 * benchmarks) each see only their own ledger, whichever Ledger instance
 * (cash, e-money, admin) booked it.
 */
import type { CreateTransferResult } from './results.js';

type Observer = (results: readonly CreateTransferResult[]) => void;

const observers = new WeakMap<object, Set<Observer>>();

/** Calls fn with the results of every createTransfers call on `storage` once its unit has committed. */
export function observeTransfers(storage: object, fn: Observer): () => void {
  let set = observers.get(storage);
  if (!set) observers.set(storage, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

/** The observers of `storage`, or undefined when nobody watches (the common case: no work at all). */
export function transferObservers(storage: object): ReadonlySet<Observer> | undefined {
  const set = observers.get(storage);
  return set && set.size > 0 ? set : undefined;
}
