/**
 * A center node of the world, in this process: its storage (SQLite file or
 * PostgreSQL URL), the e-money module on it (when the spec has one) with
 * the member shops registered, the rows the world registers before the
 * listener opens (terminals, media: the validity store prefetches them),
 * the terminal listener, and the e-money sweep on a timer (when asked).
 *
 * The listener can stop and start again on the same port while storage and
 * modules stay open (terminals offline, the books readable); close() drops
 * the node. This is the one place the world wires a center; the same node
 * runs as a separate process through center-process.ts.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { EmoneyConfig } from '../../center/emoney/config.js';
import { Emoney } from '../../center/emoney/emoney.js';
import type { SettlementStep } from '../../center/emoney/settlement.js';
import { startSweepTimer, type SweepTimer } from '../../center/emoney/sweep-timer.js';
import type { Relay } from '../../center/relay/relay.js';
import type { AccountRef } from '../../center/relay/types.js';
import { parseCenterConfig, type CenterConfigInput } from '../../center/server/config.js';
import { createCenter, type Center } from '../../center/server/create-center.js';
import { readMasterKey, terminalKeyLookup } from '../../center/server/terminal-keys.js';
import { openStorage } from '../../center/storage/open.js';
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
  readonly validity?: CenterConfigInput['validity'];
  readonly emoney?: EmoneyModuleSpec;
  /** The relay to the banks (the e-money module's outside parties). */
  readonly relay?: Relay;
  /** Rows to have before the listener opens (terminals, media); run at every open of the node. */
  readonly register?: (storage: Storage) => Promise<void>;
}

export interface CenterNodeDeps {
  readonly clock?: Clock;
  readonly log?: Logger;
  /** The center's log (default: log). */
  readonly centerLog?: Logger;
  /** The e-money module's log (default: log). */
  readonly moduleLog?: Logger;
  readonly random?: Random;
}

export interface CenterNode {
  readonly storage: Storage;
  /** The e-money module, or null when the spec has none. */
  readonly emoney: Emoney | null;
  /** The running listener, or null while stopped. */
  readonly center: Center | null;
  /** The listener's port (the same after a restart). */
  readonly port: number;
  startListener(): Promise<Center>;
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
    let emoney: Emoney | null = null;
    const e = spec.emoney;
    if (e) {
      if (!spec.relay) throw new Error('the e-money module needs the world\'s banks (a relay)');
      emoney = await Emoney.open({
        storage,
        relay: spec.relay,
        config: e.config,
        lookupTerminalKey: terminalKeyLookup(storage, readMasterKey(spec.masterKeyFile)),
        clock,
        log: deps.moduleLog ?? log,
        ...(deps.random && { random: deps.random }),
        ...(e.onSettlementStep && { onSettlementStep: e.onSettlementStep }),
      });
      for (const s of e.shops) await emoney.registerShop(s.shopId, s.account);
    }
    await spec.register?.(storage);
    if (emoney && e?.sweepAtStart) await emoney.sweep();
    const node = new Node(spec, storage, emoney, clock, deps.centerLog ?? log);
    await node.startListener();
    node.sweep = emoney && e?.sweepIntervalMs !== undefined ? startSweepTimer(emoney, e.sweepIntervalMs, clock, log) : null;
    return node;
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
}

class Node implements CenterNode {
  center: Center | null = null;
  port: number;
  sweep: SweepTimer | null = null;

  constructor(
    private readonly spec: CenterNodeSpec,
    readonly storage: Storage,
    readonly emoney: Emoney | null,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.port = spec.port ?? 0;
  }

  async startListener(): Promise<Center> {
    if (this.center) return this.center;
    const config = parseCenterConfig({
      listen: { host: '127.0.0.1', port: this.port },
      terminalKeys: { masterKeyFile: this.spec.masterKeyFile },
      ...(typeof this.spec.db === 'string' && { db: this.spec.db }),
      ...(this.spec.validity && { validity: this.spec.validity }),
    });
    const emoney = this.emoney;
    this.center = await createCenter(config, { storage: this.storage, clock: this.clock, log: this.log, ...(emoney && { flows: [emoney.flow], gates: [emoney.gate] }) });
    this.port = this.center.address.port;
    return this.center;
  }

  async stopListener(): Promise<void> {
    const c = this.center;
    this.center = null;
    await c?.close();
  }

  async idle(): Promise<void> {
    await this.emoney?.idle();
  }

  async close(): Promise<void> {
    await this.sweep?.stop();
    await this.idle();
    try {
      await this.stopListener();
    } finally {
      await this.storage.close();
    }
  }
}
