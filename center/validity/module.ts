/**
 * Seed 001 as a center module: the validity lists (media, terminals)
 * prefetched into memory before the listener opens, the four-mode engine
 * serving VALIDITY_REQUEST / TRANSACTION_REQUEST, and the one gate every
 * other module asks before it acts (`api.gate`, center/validity/gate.ts).
 * It also provides the terminal list the handshake reads its keys from.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { CenterMetrics } from '../metrics/center-metrics.js';
import type { CenterModule, ReadinessProbe } from '../server/module.js';
import type { CenterFlow } from '../server/session-router.js';
import { checkedTransactionMigrations, recordCheckedTransaction } from './checked-transactions.js';
import { validitySectionSchema, type ValiditySection } from './config.js';
import { ValidityEngine } from './engine.js';
import { ValidityFlow } from './flow.js';
import { ValidityGate } from './gate.js';
import { MediumKinds } from './kinds.js';
import { ValidityRepository } from './repository.js';
import { validityMigrations } from './schema.js';
import { storageSource } from './storage-source.js';
import { TransactionRegistry, type TransactionContext } from './transaction-registry.js';
import type { ValidityMode, ValiditySource } from './types.js';
import { ValidityStore } from './validity-store.js';

export interface ValidityModuleOptions {
  /** Transaction kinds beyond the default validity-checked record. */
  readonly transactions?: TransactionRegistry;
  /** Wraps the database side of the validity check (the benchmark and a test add latency here). */
  readonly wrapSource?: (source: ValiditySource) => ValiditySource;
  /** Called when a transaction is cleared to execute, before it runs (metrics, benchmarks). */
  readonly onTransactionStart?: (ctx: TransactionContext) => void;
  /** Database lookups, validity answers' mode and the store's sizes (center/metrics). */
  readonly metrics?: CenterMetrics;
}

/** What the validity module offers other modules (`ctx.module<ValidityApi>('validity')`) and callers. */
export interface ValidityApi {
  readonly mode: ValidityMode;
  readonly engine: ValidityEngine;
  /** The prefetched store (null in `direct` mode). */
  readonly store: ValidityStore | null;
  /** The general gate: every flow that touches a medium or a terminal asks it before it acts. */
  readonly gate: ValidityGate;
  /** The lists in the database (admin writes, terminal rows and locks for other modules). */
  readonly repository: ValidityRepository;
  /** The medium kinds on the lists: a module registers its own (`kinds.register({ name, isId })`) in open(). */
  readonly kinds: MediumKinds;
}

export const VALIDITY_MODULE = 'validity';

export function validityModule(o: ValidityModuleOptions = {}): CenterModule<ValiditySection, ValidityApi> {
  return {
    name: VALIDITY_MODULE,
    config: { key: 'validity', schema: validitySectionSchema },
    migrations: [validityMigrations, checkedTransactionMigrations],
    async open(ctx) {
      const { storage, clock, log, section } = ctx;
      const kinds = new MediumKinds();
      const repository = new ValidityRepository(storage, kinds);
      const m = o.metrics;
      const base = m ? m.wrapValiditySource(storageSource(repository)) : storageSource(repository);
      const source = o.wrapSource ? o.wrapSource(base) : base;
      const store = await startStore(section, source, clock, log);
      const engine = new ValidityEngine({ mode: section.mode, source, store, clock, log, deferredCheckTimeoutMs: section.deferredCheckTimeoutMs });
      if (m) m.attachValidity(section.mode, store);
      const onTransactionStart = both(o.onTransactionStart, m?.onTransactionStart);
      const gate = new ValidityGate({ source, store, clock, log, kinds });
      const transactions = (o.transactions ?? new TransactionRegistry()).registerRemaining(recordCheckedTransaction);
      const flow: CenterFlow = {
        handles: ['validityRequest', 'transactionRequest'],
        open: (info) =>
          new ValidityFlow(info, { engine, storage, transactions, clock, log, onOutcome: (o) => ctx.outcomes.publish(o), ...(onTransactionStart && { onTransactionStart }) }),
      };
      return {
        api: { mode: section.mode, engine, store, gate, repository, kinds },
        flows: [flow],
        readiness: store ? [storeLoaded(store, clock)] : [],
        terminals: { keyRefOf: async (id) => (await repository.getTerminal(id).catch(() => undefined))?.keyRef },
        close: async () => {
          gate.useStore(null);
          await store?.stop();
        },
      };
    },
  };
}

/** /readyz: the prefetched validity lists answer (a judgement from memory, not VALIDITY_NOT_STARTED). */
function storeLoaded(store: ValidityStore, clock: Clock): ReadinessProbe {
  return {
    name: 'validity store loaded',
    check: async () => {
      if (store.cachesTerminals) store.judgeTerminal('READYZ-PROBE');
      if (store.cachesMedia) store.judgeMedium('0000000000000000', clock.nowMs());
    },
  };
}

/** Both optional callbacks, in order (undefined when neither). */
function both<A extends unknown[]>(f: ((...a: A) => void) | undefined, g: ((...a: A) => void) | undefined): ((...a: A) => void) | undefined {
  if (!f || !g) return f ?? g;
  return (...a) => {
    f(...a);
    g(...a);
  };
}

async function startStore(section: ValiditySection, source: ValiditySource, clock: Clock, log: Logger): Promise<ValidityStore | null> {
  const mode = section.mode;
  if (mode === 'direct') return null;
  const store = new ValidityStore({
    source,
    clock,
    log,
    cacheMedia: mode === 'cached' || mode === 'cached-medium',
    cacheTerminals: mode === 'cached' || mode === 'cached-terminal',
    refreshIntervalMs: section.refreshIntervalMs,
  });
  await store.start();
  return store;
}
