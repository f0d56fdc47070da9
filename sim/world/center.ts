/**
 * A center node of the world, in this process: its storage (SQLite file or
 * PostgreSQL URL) and startCenter (center/server/start-center.ts) with the
 * center's modules (center/modules.ts), the world's own versions replacing
 * those of the same name: e-money with the world's relay to its banks and
 * its secrets given outright, any other module a spec brings. The rows the
 * world registers before the listener opens (terminals, media: the validity
 * store prefetches them) and the member shops go in at every start.
 *
 * The center (listener and modules) can stop and start again on the same
 * port while the storage stays open (terminals offline, the books
 * readable); close() drops the node. This is the one place the world wires
 * a center; the same node runs as a separate process through
 * center-process.ts.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { EmoneyConfig } from '../../center/emoney/config.js';
import type { Emoney } from '../../center/emoney/emoney.js';
import { EMONEY_MODULE, emoneyModule } from '../../center/emoney/module.js';
import type { SettlementStep } from '../../center/emoney/settlement.js';
import { CENTER_MODULES } from '../../center/modules.js';
import type { Relay } from '../../center/relay/relay.js';
import type { AccountRef } from '../../center/relay/types.js';
import { parseCenterConfig } from '../../center/server/config.js';
import type { AnyCenterModule } from '../../center/server/module.js';
import type { CenterFlow } from '../../center/server/session-router.js';
import { startCenter, type Center } from '../../center/server/start-center.js';
import { openStorage } from '../../center/storage/open.js';
import { ValidityRepository } from '../../center/validity/repository.js';
import type { ValidityMode } from '../../center/validity/types.js';
import type { Storage, StorageOptions } from '../../center/storage/types.js';

export interface EmoneyModuleSpec {
  readonly config: EmoneyConfig;
  /** Member shops and the accounts they are paid to (registered at every start). */
  readonly shops: ReadonlyArray<{ readonly shopId: string; readonly account: AccountRef }>;
  /** The sweep on a timer (default: none; tests call sweep() themselves). */
  readonly sweepIntervalMs?: number;
  /** Called after each durable settlement step (throw or kill to stop the center's work there, as a crash would). */
  readonly onSettlementStep?: (step: SettlementStep, batchId: string) => void;
  /** Run one sweep at start (resumes acknowledged batches' payments after a crash). */
  readonly sweepAtStart?: boolean;
}

export interface CenterNodeSpec {
  readonly db: string | StorageOptions;
  readonly masterKeyFile: string;
  /** The listener's port (default 0: any free one; kept across stop/start). */
  readonly port?: number;
  /** The validity module's section (`{ mode: 'cached' }`). */
  readonly validity?: { readonly mode: ValidityMode };
  /** More sections of the center config (a module's: `voucher`, `merchantApi`, ...), as `tessera center --config` reads them. */
  readonly sections?: Readonly<Record<string, unknown>>;
  readonly emoney?: EmoneyModuleSpec;
  /** The relay to the banks (the e-money module's outside parties). */
  readonly relay?: Relay;
  /** More modules: each replaces the listed one of its name, or runs beside them. */
  readonly modules?: readonly AnyCenterModule[];
  /** Listed modules left out by name (a test standing in its own flow: the router refuses two flows for one request type). */
  readonly without?: readonly string[];
  /** Flows beside the modules' (a test's stand-in). */
  readonly flows?: readonly CenterFlow[];
  /** Rows to have before the listener opens (terminals, media); run at every open of the node. */
  readonly register?: (validity: ValidityRepository) => Promise<void>;
}

/** What a restart of the listener may change: the validity mode, modules, flows. */
export type CenterChange = Pick<CenterNodeSpec, 'validity' | 'modules' | 'without' | 'flows'>;

export interface CenterNodeDeps {
  readonly clock?: Clock;
  /** The center's log (its modules log through children of it). */
  readonly log?: Logger;
  readonly random?: Random;
}

export interface CenterNode {
  readonly storage: Storage;
  /** The validity module's lists (terminals, media) on the node's storage. */
  readonly validity: ValidityRepository;
  /** The e-money module's api (the last one started, still readable while stopped), or null when the spec has none. */
  readonly emoney: Emoney | null;
  /** The running center (listener and modules), or null while stopped. */
  readonly center: Center | null;
  /** The listener's port (the same after a restart). */
  readonly port: number;
  /** Opens the listener and the modules (again, on the same port); `change` replaces those parts of the spec from now on. */
  startListener(change?: CenterChange): Promise<Center>;
  stopListener(): Promise<void>;
  /** Waits for the modules' work in flight (settlement callbacks, payments). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function openCenterNode(spec: CenterNodeSpec, deps: CenterNodeDeps = {}): Promise<CenterNode> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? silentLogger;
  const storage = await openStorage(spec.db, { clock, log });
  try {
    const validity = await ValidityRepository.open(storage);
    await spec.register?.(validity);
    const node = new Node(spec, storage, validity, { ...deps, clock, log });
    await node.startListener();
    if (spec.emoney?.sweepAtStart) await node.emoney!.sweep();
    return node;
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
}

/** The center's modules with the world's: e-money on the world's relay and secrets, then the spec's own. */
function modulesOf(spec: CenterNodeSpec): AnyCenterModule[] {
  const e = spec.emoney;
  const ours: AnyCenterModule[] = [...(spec.modules ?? [])];
  if (e) {
    if (!spec.relay) throw new Error("the e-money module needs the world's banks (a relay)");
    ours.push(emoneyModule({ secrets: e.config, relay: spec.relay, sweepIntervalMs: e.sweepIntervalMs ?? null, ...(e.onSettlementStep && { onSettlementStep: e.onSettlementStep }) }));
  }
  const names = new Set([...ours.map((m) => m.name), ...(spec.without ?? [])]);
  return [...CENTER_MODULES.filter((m) => !names.has(m.name)), ...ours.filter((m) => !spec.without?.includes(m.name))];
}

class Node implements CenterNode {
  center: Center | null = null;
  emoney: Emoney | null = null;
  port: number;

  constructor(
    private spec: CenterNodeSpec,
    readonly storage: Storage,
    readonly validity: ValidityRepository,
    private readonly deps: CenterNodeDeps & { clock: Clock; log: Logger },
  ) {
    this.port = spec.port ?? 0;
  }

  async startListener(change?: CenterChange): Promise<Center> {
    if (this.center) return this.center;
    if (change) {
      const { modules: _modules, without: _without, flows: _flows, ...kept } = this.spec;
      this.spec = { ...kept, ...change };
    }
    const modules = modulesOf(this.spec);
    const config = parseCenterConfig(
      {
        ...this.spec.sections,
        listen: { host: '127.0.0.1', port: this.port },
        terminalKeys: { masterKeyFile: this.spec.masterKeyFile },
        ...(typeof this.spec.db === 'string' && { db: this.spec.db }),
        ...(this.spec.validity && { validity: this.spec.validity }),
      },
      modules,
    );
    const { clock, log, random } = this.deps;
    const center = await startCenter(config, modules, { storage: this.storage, clock, log, ...(random && { random }), ...(this.spec.flows && { flows: this.spec.flows }) });
    this.center = center;
    this.port = center.address.port;
    if (center.modules.includes(EMONEY_MODULE)) {
      this.emoney = center.module<Emoney>(EMONEY_MODULE);
      for (const s of this.spec.emoney?.shops ?? []) await this.emoney.registerShop(s.shopId, s.account);
    }
    return center;
  }

  /** Closes the listener and the modules (their timers stopped, work in flight drained first); the storage stays open. */
  async stopListener(): Promise<void> {
    const c = this.center;
    this.center = null;
    await c?.close();
  }

  async idle(): Promise<void> {
    await (this.center?.idle() ?? this.emoney?.idle());
  }

  async close(): Promise<void> {
    try {
      await this.stopListener();
    } finally {
      await this.storage.close();
    }
  }
}
