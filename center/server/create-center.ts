import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { adminMigrations } from '../admin/audit-trail.js';
import type { ReadinessCheck } from '../admin/health.js';
import { cashMigrations } from '../cash/schema.js';
import { ledgerMigrations } from '../ledger/schema.js';
import { startAdminServer, type AdminServer } from '../admin/server.js';
import type { RouteContributor } from '../http/app.js';
import { EMONEY_AUDIT } from '../emoney/audit-check.js';
import { CashBook } from '../cash/cash.js';
import { Ledger } from '../ledger/ledger.js';
import type { SecurityCounts } from '../net/security-log.js';
import { CenterServer } from '../net/server.js';
import { startFleet, type Fleet, type FleetOptions } from '../fleet/fleet.js';
import { openStorage } from '../storage/open.js';
import type { Storage } from '../storage/types.js';
import { ValidityEngine } from '../validity/engine.js';
import type { ValidityGate } from '../validity/gate.js';
import { storageSource } from '../validity/storage-source.js';
import type { ValiditySource } from '../validity/types.js';
import { ValidityStore } from '../validity/validity-store.js';
import { checkedTransactionMigrations, recordCheckedTransaction } from './checked-transactions.js';
import type { CenterMetrics } from '../metrics/center-metrics.js';
import type { CenterConfig } from './config.js';
import { routeSessions, type CenterFlow } from './session-router.js';
import { readMasterKey, terminalKeyLookup } from './terminal-keys.js';
import { TransactionRegistry, type TransactionContext } from './transaction-registry.js';
import { ValidityFlow } from './validity-flow.js';

export interface CenterDeps {
  readonly clock?: Clock;
  readonly random?: Random;
  readonly log?: Logger;
  /** Transaction kinds beyond the default validity-checked record. */
  readonly transactions?: TransactionRegistry;
  /** Flows serving other request types (later issues). */
  readonly flows?: readonly CenterFlow[];
  /**
   * Leave the built-in cash flow out (default: served). Only for a test that
   * stands in its own cash flow to inject a fault: the router refuses two
   * flows for one request type.
   */
  readonly withoutCashFlow?: boolean;
  /** Wraps the database side of the validity check (the benchmark adds latency here). */
  readonly wrapValiditySource?: (source: ValiditySource) => ValiditySource;
  /** Called when a transaction is cleared to execute, before it runs (metrics, benchmarks). */
  readonly onTransactionStart?: (ctx: TransactionContext) => void;
  /** Gates (e.g. `emoney.gate`) that judge from this center's prefetched validity store once it is loaded. */
  readonly gates?: readonly ValidityGate[];
  /** An already-open storage (tests, benchmarks); otherwise opened from config.db and closed by close(). */
  readonly storage?: Storage;
  /** This node in the node registry (center/fleet): id, heartbeat interval. */
  readonly fleet?: FleetOptions;
  /** This center's metrics (center/metrics): fed by the listener, flows, storage and ledger; served at /metrics by the admin API. */
  readonly metrics?: CenterMetrics;
  /** Routes on the admin listener beyond the admin API's (/metrics, modules' routes). */
  readonly adminRoutes?: readonly RouteContributor[];
  /** /readyz checks beyond the database, the migrations and the validity store (e.g. each bank reachable). */
  readonly readiness?: readonly ReadinessCheck[];
}

export interface Center {
  readonly storage: Storage;
  readonly engine: ValidityEngine;
  readonly store: ValidityStore | null;
  /** Where terminals connect. */
  readonly address: AddressInfo;
  readonly admin: AdminServer | null;
  /** The node registry and terminal status (center/fleet). */
  readonly fleet: Fleet;
  /** BAD_MAC, REPLAY, AUTH_FAILED, refused connections, … since start (center/net/security-log.ts); read by /metrics. */
  securityCounters(): SecurityCounts;
  close(): Promise<void>;
}

/**
 * The center process: storage → validity store (prefetched before the
 * listener opens) → engine → terminal listener with the session router →
 * optional admin API. close() undoes it in reverse order.
 */
export async function createCenter(config: CenterConfig, deps: CenterDeps = {}): Promise<Center> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? silentLogger;
  const masterKey = readMasterKey(config.terminalKeys.masterKeyFile);
  const tls = config.tls ? readTls(config.tls) : undefined;
  const storage = deps.storage ?? (await openStorage(config.db, { clock, log }));
  const undo: Array<() => Promise<void>> = deps.storage ? [] : [() => storage.close()];
  try {
    await storage.migrate(checkedTransactionMigrations);
    // The core center's fleet view: this node registered with a heartbeat, terminals' TERMINAL_STATUS kept (center/fleet).
    const fleet = await startFleet(storage, { clock, random: deps.random ?? systemRandom, log, ...deps.fleet });
    undo.push(() => fleet.stop());
    // Cash taken by terminals' bill validators, booked in the ledger (center/cash/README.md): served by every center.
    const cash = await CashBook.open(storage, clock, log);
    const m = deps.metrics;
    const base = m ? m.wrapValiditySource(storageSource(storage)) : storageSource(storage);
    const source = deps.wrapValiditySource ? deps.wrapValiditySource(base) : base;
    const store = await startStore(config, source, clock, log);
    if (store) undo.push(() => store.stop());
    for (const g of deps.gates ?? []) {
      g.useStore(store);
      undo.push(async () => g.useStore(null));
    }
    const engine = new ValidityEngine({
      mode: config.validity.mode,
      source,
      store,
      clock,
      log,
      deferredCheckTimeoutMs: config.validity.deferredCheckTimeoutMs,
    });
    const transactions = (deps.transactions ?? new TransactionRegistry()).registerRemaining(recordCheckedTransaction);
    const validity: CenterFlow = {
      handles: ['validityRequest', 'transactionRequest'],
      open: (info) =>
        new ValidityFlow(info, {
          engine,
          storage,
          transactions,
          clock,
          log,
          ...((deps.onTransactionStart || m) && { onTransactionStart: both(deps.onTransactionStart, m?.onTransactionStart) }),
        }),
    };
    const onSession = routeSessions([validity, fleet.flow, ...(deps.withoutCashFlow === true ? [] : [cash.flow]), ...(deps.flows ?? [])]);
    const server = new CenterServer({
      lookupKey: terminalKeyLookup(storage, masterKey),
      onSession: m ? m.wrapSessions(onSession) : onSession,
      ...(m && { onHandshake: m.onHandshake }),
      clock,
      random: deps.random ?? systemRandom,
      logger: log,
      maxConnections: config.listen.maxConnections,
      ...(tls && { tls }),
    });
    const address = await listen(server, config);
    undo.push(() => server.close());
    if (m) {
      m.attachCenter({ storage, validityMode: config.validity.mode, store, securityCounters: () => server.securityCounters(), connectionCount: () => server.connectionCount });
      undo.push(async () => m.detach());
    }
    const admin = config.admin ? await startAdmin(storage, clock, config.admin, log, deps, store) : null;
    if (admin) undo.push(() => admin.close());
    log.info({ mode: config.validity.mode, engine: storage.engine, port: address.port }, 'center listening');
    return { storage, engine, store, address, admin, fleet, securityCounters: () => server.securityCounters(), close: () => runAll(undo) };
  } catch (e) {
    await runAll(undo).catch(() => undefined);
    throw e;
  }
}

async function startStore(config: CenterConfig, source: ValiditySource, clock: Clock, log: Logger): Promise<ValidityStore | null> {
  const mode = config.validity.mode;
  if (mode === 'direct') return null;
  const store = new ValidityStore({
    source,
    clock,
    log,
    cacheMedia: mode === 'cached' || mode === 'cached-medium',
    cacheTerminals: mode === 'cached' || mode === 'cached-terminal',
    refreshIntervalMs: config.validity.refreshIntervalMs,
  });
  await store.start();
  return store;
}

async function listen(server: CenterServer, config: CenterConfig): Promise<AddressInfo> {
  try {
    return await server.listen(config.listen.port, config.listen.host);
  } catch (e) {
    throw new TesseraError('CENTER_LISTEN_FAILED', `cannot listen on ${config.listen.host}:${config.listen.port}`, { ...config.listen }, { cause: e });
  }
}

async function startAdmin(
  storage: Storage, clock: Clock, admin: NonNullable<CenterConfig['admin']>, log: Logger, deps: CenterDeps, store: ValidityStore | null,
): Promise<AdminServer> {
  const ledger = await Ledger.open(storage, clock);
  const tls = admin.tls ? readAdminTls(admin.tls) : undefined;
  const readiness = [...(store ? [validityStoreLoaded(store, clock)] : []), ...(deps.readiness ?? [])];
  try {
    return await startAdminServer({
      storage, ledger, host: admin.host, port: admin.port, log, clock, auditExtensions: [EMONEY_AUDIT],
      ...(tls && { tls }), readiness, contributors: deps.adminRoutes ?? [],
      migrations: [adminMigrations, ledgerMigrations, checkedTransactionMigrations, cashMigrations],
    });
  } catch (e) {
    if (e instanceof TesseraError && e.code === 'HTTP_PLAIN_NOT_LOOPBACK') throw e;
    // The reason underneath is the socket's (EADDRINUSE), not the HTTP surface's wrapper.
    const cause = e instanceof TesseraError && e.code === 'HTTP_LISTEN_FAILED' ? e.cause : e;
    throw new TesseraError('CENTER_ADMIN_LISTEN_FAILED', `cannot listen on ${admin.host}:${admin.port} (admin API)`, { host: admin.host, port: admin.port }, { cause });
  }
}

function readAdminTls(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  try {
    return { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
  } catch (e) {
    throw new TesseraError('ADMIN_TLS_FILE', 'cannot read the admin listener\'s TLS certificate or key', { certFile: tls.certFile }, { cause: e });
  }
}

/** /readyz: the prefetched validity lists answer (a judgement from memory, not VALIDITY_NOT_STARTED). */
function validityStoreLoaded(store: ValidityStore, clock: Clock): ReadinessCheck {
  return {
    name: 'validity store loaded',
    check: async () => {
      if (store.cachesTerminals) store.judgeTerminal('READYZ-PROBE');
      if (store.cachesMedia) store.judgeMedium('0000000000000000', clock.nowMs());
    },
  };
}

export function readTls(tls: NonNullable<CenterConfig['tls']>): { cert: Buffer; key: Buffer } {
  try {
    return { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
  } catch (e) {
    throw new TesseraError('CENTER_TLS_FILE', 'cannot read the TLS certificate or key', { certFile: tls.certFile }, { cause: e });
  }
}

/** Both optional callbacks, in order. */
function both<A extends unknown[]>(f: ((...a: A) => void) | undefined, g: ((...a: A) => void) | undefined): (...a: A) => void {
  return (...a) => {
    f?.(...a);
    g?.(...a);
  };
}

/** Runs undo steps newest first; all run even if one fails, the first failure is rethrown. */
async function runAll(undo: Array<() => Promise<void>>): Promise<void> {
  let first: unknown;
  for (const step of undo.splice(0).reverse()) {
    try {
      await step();
    } catch (e) {
      first ??= e;
    }
  }
  if (first !== undefined) throw first;
}
