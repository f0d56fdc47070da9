/**
 * Center nodes in the database: each node registers itself at start (id,
 * host, pid, version, start time, heartbeat interval), writes a heartbeat
 * every interval, and marks itself stopped on a clean shutdown. Every node
 * on one database sees the others; a node whose heartbeat is older than
 * heartbeatMissedMax of its own intervals is shown as down (killed, frozen,
 * or cut off from the database). Judged by the reader's clock: nodes of one
 * fleet keep their clocks in sync (NTP) to well under one interval.
 */
import { hostname } from 'node:os';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorCode } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { softwareVersion } from '../../core/version.js';
import { SPOKEN, type VersionRange } from '../../protocol/versions.js';
import type { Row, SqlExecutor, Storage } from '../storage/types.js';
import { fleetError } from './errors.js';
import { FLEET_LIMITS as L } from './limits.js';
import { intOf, pageOf, type Page } from './rows.js';

export type NodeState = 'up' | 'down' | 'stopped';

export interface FleetNode {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly version: string;
  readonly startedAtMs: number;
  readonly heartbeatAtMs: number;
  readonly heartbeatIntervalMs: number;
  readonly stoppedAtMs: number | null;
  /** The protocol versions this node serves (PROTOCOL.md §4.6): the operator checks every node speaks N before terminals move to N. */
  readonly protocolVersionMin: number;
  readonly protocolVersionMax: number;
  /** stopped: shut down cleanly; down: no heartbeat for heartbeatMissedMax intervals; else up. */
  readonly state: NodeState;
}

export interface NodeRegistryOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  /** 1-64 chars; default: a fresh random id per start (a restarted node is a new row). */
  readonly nodeId?: string;
  readonly host?: string;
  readonly version?: string;
  readonly heartbeatIntervalMs?: number;
  /** The protocol versions the node's listener serves; default SPOKEN. */
  readonly protocolVersions?: VersionRange;
}

const NODE_ID_RE = new RegExp(`^[A-Za-z0-9._:-]{1,${L.nodeIdCharsMax}}$`);
const COLUMNS = 'id, host, pid, version, started_at_ms, heartbeat_at_ms, heartbeat_interval_ms, stopped_at_ms, protocol_min, protocol_max';

/** A node's state at `nowMs` from its row. */
export function nodeStateOf(r: { stoppedAtMs: number | null; heartbeatAtMs: number; heartbeatIntervalMs: number }, nowMs: number): NodeState {
  if (r.stoppedAtMs !== null) return 'stopped';
  return nowMs - r.heartbeatAtMs > L.heartbeatMissedMax * r.heartbeatIntervalMs ? 'down' : 'up';
}

function nodeFrom(r: Row, nowMs: number): FleetNode {
  const stopped = r['stopped_at_ms'] === null ? null : intOf(r, 'stopped_at_ms');
  const n = {
    id: String(r['id']),
    host: String(r['host']),
    pid: intOf(r, 'pid'),
    version: String(r['version']),
    startedAtMs: intOf(r, 'started_at_ms'),
    heartbeatAtMs: intOf(r, 'heartbeat_at_ms'),
    heartbeatIntervalMs: intOf(r, 'heartbeat_interval_ms'),
    stoppedAtMs: stopped,
    protocolVersionMin: intOf(r, 'protocol_min'),
    protocolVersionMax: intOf(r, 'protocol_max'),
  };
  return { ...n, state: nodeStateOf(n, nowMs) };
}

export class NodeRegistry {
  private timer: TimerHandle | null = null;
  private beating: Promise<void> = Promise.resolve();
  private running = true;

  private constructor(
    private readonly storage: Storage,
    private readonly o: NodeRegistryOptions,
    readonly id: string,
    readonly heartbeatIntervalMs: number,
  ) {}

  /** Registers this node (refusing an id a live node holds: FLEET_NODE_ID_TAKEN) and starts its heartbeat. */
  static async start(storage: Storage, o: NodeRegistryOptions): Promise<NodeRegistry> {
    const id = o.nodeId ?? o.random.bytes(8).toString('hex');
    if (!NODE_ID_RE.test(id)) throw fleetError('FLEET_BAD_ARGUMENT', `node id must be 1-${L.nodeIdCharsMax} chars [A-Za-z0-9._:-]`, { nodeId: id });
    const intervalMs = o.heartbeatIntervalMs ?? L.heartbeatIntervalMsDefault;
    if (!Number.isInteger(intervalMs) || intervalMs < L.heartbeatIntervalMsMin) {
      throw fleetError('FLEET_BAD_ARGUMENT', `heartbeat interval must be an integer of at least ${L.heartbeatIntervalMsMin} ms`, { heartbeatIntervalMs: intervalMs });
    }
    const versions = o.protocolVersions ?? SPOKEN;
    const now = o.clock.nowMs();
    await storage.transact(async (tx) => {
      const old = await tx.get(`SELECT ${COLUMNS} FROM fleet_nodes WHERE id = ?${tx.forUpdate}`, [id]);
      if (old && nodeFrom(old, now).state === 'up') throw fleetError('FLEET_NODE_ID_TAKEN', 'a live node holds this node id', { nodeId: id });
      await tx.run('DELETE FROM fleet_nodes WHERE id = ? OR heartbeat_at_ms < ?', [id, now - L.nodeRetentionMs]);
      await tx.run(`INSERT INTO fleet_nodes (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`, [
        id, o.host ?? hostname(), process.pid, o.version ?? softwareVersion(), now, now, intervalMs, versions.min, versions.max,
      ]);
    });
    const reg = new NodeRegistry(storage, o, id, intervalMs);
    reg.schedule();
    o.log.info({ nodeId: id, heartbeatIntervalMs: intervalMs }, 'center node registered');
    return reg;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.o.clock.setTimer(this.heartbeatIntervalMs, () => {
      this.beating = this.heartbeat().finally(() => this.schedule());
    });
  }

  /** One heartbeat write. A failed one is logged; the next interval tries again (others see the node down meanwhile). */
  async heartbeat(): Promise<void> {
    try {
      await this.storage.transact((tx) => tx.run('UPDATE fleet_nodes SET heartbeat_at_ms = ? WHERE id = ? AND stopped_at_ms IS NULL', [this.o.clock.nowMs(), this.id]));
    } catch (e) {
      if (this.running) this.o.log.warn({ code: errorCode(e), nodeId: this.id }, 'node heartbeat not written; other nodes will show this node down if it persists');
    }
  }

  /** Marks the node stopped (a clean shutdown) and ends the heartbeat. Idempotent. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timer?.cancel();
    await this.beating;
    const now = this.o.clock.nowMs();
    await this.storage.transact((tx) => tx.run('UPDATE fleet_nodes SET stopped_at_ms = ?, heartbeat_at_ms = ? WHERE id = ?', [now, now, this.id]));
  }

  /** Every node of this database (ordered by id, a page after `afterId`), with its state judged now. */
  async list(page: Page = {}): Promise<FleetNode[]> {
    const { afterId, limit } = pageOf(page, L.nodesListMax);
    const now = this.o.clock.nowMs();
    const rows = await this.storage.read((q: SqlExecutor) => q.all(`SELECT ${COLUMNS} FROM fleet_nodes WHERE id > ? ORDER BY id LIMIT ?`, [afterId, limit]));
    return rows.map((r) => nodeFrom(r, now));
  }
}
