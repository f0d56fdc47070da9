import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { readTlsFiles } from '../../core/files.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { startAdminServer, type AdminServer } from '../admin/server.js';
import type { AuditExtension } from '../ledger/audit.js';
import { Ledger } from '../ledger/ledger.js';
import type { SecurityCounts } from '../net/security-log.js';
import { CenterServer } from '../net/server.js';
import type { TerminalKeyLookup } from '../net/types.js';
import { openStorage } from '../storage/open.js';
import type { Storage } from '../storage/types.js';
import { sectionOf, type CenterConfig } from './config.js';
import { startFleet, type Fleet, type FleetOptions } from '../fleet/fleet.js';
import { adminMigrations } from '../admin/audit-trail.js';
import { ledgerMigrations } from '../ledger/schema.js';
import type { ModuleMigrations } from '../storage/types.js';
import { auditChecksOf, type AnyCenterModule, type CenterInstruments, type ReadinessProbe, type CenterTimer, type ModuleRoutes, type OpenedModule, type TerminalDirectory } from './module.js';
import { OutcomeFeed } from './outcomes.js';
import { routeSessions, type CenterFlow } from './session-router.js';
import { deriveTerminalKey, readMasterKey } from './terminal-keys.js';

export interface StartCenterDeps {
  readonly clock?: Clock;
  readonly random?: Random;
  readonly log?: Logger;
  /** An already-open storage (tests, benchmarks, the demo): left open by close(); otherwise opened from config.db and closed by close(). */
  readonly storage?: Storage;
  /** Flows beside the modules' (a test standing in its own flow for a module it left out). */
  readonly flows?: readonly CenterFlow[];
  /** This node in the node registry (center/fleet): id, heartbeat interval. */
  readonly fleet?: FleetOptions;
  /** Routes on the admin listener beside the admin API's and the modules' (/metrics). */
  readonly adminRoutes?: readonly ModuleRoutes[];
  /** An observer of the core (center/metrics' CenterMetrics); modules take theirs through their options. */
  readonly metrics?: CenterInstruments;
}

export interface Center {
  readonly storage: Storage;
  /** Where terminals connect. */
  readonly address: AddressInfo;
  readonly admin: AdminServer | null;
  /** The node registry and terminal status (center/fleet). */
  readonly fleet: Fleet;
  /** Flow outcomes as they happen (the admin API's `event: outcome`). */
  readonly outcomes: OutcomeFeed;
  /** The names of the modules running, in the order they were opened. */
  readonly modules: readonly string[];
  /** A running module's api (CENTER_MODULE_MISSING if it is not running). */
  module<Api>(name: string): Api;
  /** BAD_MAC, REPLAY, AUTH_FAILED, refused connections, … since start (center/net/security-log.ts); read by /metrics. */
  securityCounters(): SecurityCounts;
  /** Waits for every module's work in flight (settlement callbacks). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface Running {
  readonly name: string;
  readonly opened: OpenedModule<unknown>;
}

/**
 * The center process, composed from modules (center/server/module.ts; the
 * CLI's list is center/modules.ts):
 * 1. each enabled module's check() (secret files) before anything is opened;
 * 2. storage (unless given) → each module's migrations and open(ctx), a
 *    module after those it requires or uses (the validity store prefetches
 *    here); then each opened module's start() (the merchant API listens,
 *    with the routes other modules added in their open());
 * 3. the terminal listener with one session router over every module's flows;
 * 4. the admin API (optional) with the modules' audit checks and routes.
 * close() stops the modules' timers, waits for their idle(), closes the
 * listener and admin API, closes the modules newest first, then the storage
 * it opened. A failed start undoes what it did.
 */
export async function startCenter(config: CenterConfig, modules: readonly AnyCenterModule[], deps: StartCenterDeps = {}): Promise<Center> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? systemRandom;
  const log = deps.log ?? silentLogger;
  const enabled = inOpeningOrder(modules.filter((m) => m.enabled?.(sectionOf(config, m)) ?? true));
  for (const m of enabled) m.check?.(sectionOf(config, m));
  const masterKey = readMasterKey(config.terminalKeys.masterKeyFile);
  const tls = config.tls ? readTls(config.tls) : undefined;
  const storage = deps.storage ?? (await openStorage(config.db, { clock, log }));
  const undo: Array<() => Promise<void>> = deps.storage ? [] : [() => storage.close()];
  const running: Running[] = [];
  const apiOf = <Api>(name: string): Api => {
    const r = running.find((x) => x.name === name);
    if (!r) throw new TesseraError('CENTER_MODULE_MISSING', `module ${name} is not running`, { module: name });
    return r.opened.api as Api;
  };
  let directory: TerminalDirectory | null = null;
  const outcomes = new OutcomeFeed();
  const terminalKey: TerminalKeyLookup = async (terminalId) => {
    const keyRef = await directory?.keyRefOf(terminalId);
    return keyRef === undefined ? undefined : deriveTerminalKey(masterKey, keyRef);
  };
  const timers: CenterTimer[] = [];
  try {
    // The core's fleet view: this node registered with a heartbeat, terminals' TERMINAL_STATUS kept (center/fleet).
    const fleet = await startFleet(storage, { clock, random, log, ...deps.fleet });
    undo.push(() => fleet.stop());
    for (const m of enabled) {
      for (const mig of m.migrations ?? []) await storage.migrate(mig);
      const opened: OpenedModule<unknown> = await m.open({
        section: sectionOf(config, m),
        config,
        storage,
        clock,
        random,
        log: log.child({ module: m.name }),
        terminalKey,
        outcomes,
        module: <Api>(name: string): Api => {
          if (!(m.requires ?? []).includes(name)) throw new TesseraError('CENTER_MODULE_MISSING', `module ${m.name} uses ${name} without requiring it`, { module: m.name, requires: name });
          return apiOf<Api>(name);
        },
        optionalModule: <Api>(name: string): Api | undefined => {
          if (!(m.uses ?? []).includes(name)) throw new TesseraError('CENTER_MODULE_MISSING', `module ${m.name} uses ${name} without naming it in uses`, { module: m.name, requires: name });
          return running.some((x) => x.name === name) ? apiOf<Api>(name) : undefined;
        },
      });
      running.push({ name: m.name, opened });
      timers.push(...(opened.timers ?? []));
      undo.push(async () => {
        await opened.close?.();
      });
      if (opened.terminals) {
        if (directory) throw new TesseraError('CENTER_NO_TERMINAL_DIRECTORY', 'two modules provide the terminal list', { module: m.name });
        directory = opened.terminals;
      }
    }
    if (!directory) throw new TesseraError('CENTER_NO_TERMINAL_DIRECTORY', 'no module provides the terminal list', { modules: enabled.map((m) => m.name) });
    // Every module opened (and contributed to the others): those serving contributions start now.
    for (const r of running) await r.opened.start?.();
    const idle = async (): Promise<void> => {
      for (const r of running) await r.opened.idle?.();
    };
    const flows = [fleet.flow, ...running.flatMap((r) => r.opened.flows ?? []), ...(deps.flows ?? [])];
    const m = deps.metrics;
    const onSession = routeSessions(flows);
    const server = new CenterServer({
      lookupKey: terminalKey,
      onSession: m ? m.wrapSessions(onSession) : onSession,
      ...(m && { onHandshake: m.onHandshake }),
      clock,
      random,
      logger: log,
      maxConnections: config.listen.maxConnections,
      ...(tls && { tls }),
    });
    const address = await listen(server, config);
    undo.push(() => server.close());
    if (m) {
      m.attachCenter({ storage, securityCounters: () => server.securityCounters(), connectionCount: () => server.connectionCount });
      undo.push(async () => m.detach());
    }
    const routes = [...(deps.adminRoutes ?? []), ...running.flatMap((r) => (r.opened.routes ? [r.opened.routes] : []))];
    const admin = config.admin
      ? await startAdmin(storage, clock, config.admin, log, {
          fleet,
          outcomes,
          auditExtensions: auditChecksOf(modules),
          routes,
          readiness: running.flatMap((r) => r.opened.readiness ?? []),
          migrations: enabled.flatMap((m) => m.migrations ?? []),
        })
      : null;
    if (admin) undo.push(() => admin.close());
    // Undone first: the timers stop and work in flight drains (settlement callbacks) before the listener and the modules close.
    undo.push(async () => {
      await Promise.all(timers.splice(0).map((t) => t.stop()));
      await idle();
    });
    const names = running.map((r) => r.name);
    log.info({ modules: names, engine: storage.engine, port: address.port }, 'center listening');
    return {
      storage,
      address,
      admin,
      fleet,
      outcomes,
      modules: names,
      module: apiOf,
      securityCounters: () => server.securityCounters(),
      idle,
      close: () => runAll(undo),
    };
  } catch (e) {
    await Promise.all(timers.map((t) => t.stop())).catch(() => undefined);
    await runAll(undo).catch(() => undefined);
    throw e;
  }
}

/** The list's order, except that a module comes after those it requires; CENTER_MODULE_MISSING when one is absent or a name repeats. */
function inOpeningOrder(modules: readonly AnyCenterModule[]): AnyCenterModule[] {
  const byName = new Map<string, AnyCenterModule>();
  for (const m of modules) {
    if (byName.has(m.name)) throw new TesseraError('CENTER_MODULE_MISSING', `module ${m.name} is listed twice`, { module: m.name });
    byName.set(m.name, m);
  }
  const out: AnyCenterModule[] = [];
  const visiting = new Set<string>();
  const visit = (m: AnyCenterModule): void => {
    if (out.includes(m)) return;
    if (visiting.has(m.name)) throw new TesseraError('CENTER_MODULE_MISSING', `modules require each other in a circle through ${m.name}`, { module: m.name });
    visiting.add(m.name);
    for (const name of m.requires ?? []) {
      const dep = byName.get(name);
      if (!dep) throw new TesseraError('CENTER_MODULE_MISSING', `module ${m.name} requires ${name}, which is not running`, { module: m.name, requires: name });
      visit(dep);
    }
    for (const name of m.uses ?? []) {
      const dep = byName.get(name);
      if (dep) visit(dep);
    }
    out.push(m);
  };
  modules.forEach(visit);
  return out;
}

async function listen(server: CenterServer, config: CenterConfig): Promise<AddressInfo> {
  try {
    return await server.listen(config.listen.port, config.listen.host);
  } catch (e) {
    throw new TesseraError('CENTER_LISTEN_FAILED', `cannot listen on ${config.listen.host}:${config.listen.port}`, { ...config.listen }, { cause: e });
  }
}

/** The admin API (center/admin on the one HTTP surface) with the modules' audit checks, routes and readiness probes. */
async function startAdmin(
  storage: Storage,
  clock: Clock,
  admin: NonNullable<CenterConfig['admin']>,
  log: Logger,
  parts: { fleet: Fleet; outcomes: OutcomeFeed; auditExtensions: readonly AuditExtension[]; routes: readonly ModuleRoutes[]; readiness: readonly ReadinessProbe[]; migrations: readonly ModuleMigrations[] },
): Promise<AdminServer> {
  const tls = admin.tls ? readTlsFiles(admin.tls, 'ADMIN_TLS_FILE', "the admin listener's") : undefined;
  const ledger = await Ledger.open(storage, clock);
  try {
    return await startAdminServer({
      storage,
      ledger,
      host: admin.host,
      port: admin.port,
      log,
      clock,
      auditExtensions: parts.auditExtensions,
      ...(tls && { tls }),
      readiness: parts.readiness,
      contributors: parts.routes,
      fleet: parts.fleet,
      outcomes: parts.outcomes,
      migrations: [adminMigrations, ledgerMigrations, ...parts.migrations],
    });
  } catch (e) {
    if (e instanceof TesseraError && e.code === 'HTTP_PLAIN_NOT_LOOPBACK') throw e;
    // The reason underneath is the socket's (EADDRINUSE), not the HTTP surface's wrapper.
    const cause = e instanceof TesseraError && e.code === 'HTTP_LISTEN_FAILED' ? e.cause : e;
    throw new TesseraError('CENTER_ADMIN_LISTEN_FAILED', `cannot listen on ${admin.host}:${admin.port} (admin API)`, { host: admin.host, port: admin.port }, { cause });
  }
}

export function readTls(tls: NonNullable<CenterConfig['tls']>): { cert: Buffer; key: Buffer } {
  return readTlsFiles(tls, 'CENTER_TLS_FILE', 'the');
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
