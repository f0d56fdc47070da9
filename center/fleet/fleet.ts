/**
 * The core center's view of its fleet: this node in the node registry, and
 * the status terminals report (TERMINAL_STATUS, PROTOCOL.md §6.8). Served by
 * every center whatever its capabilities: startFleet() returns the flow the
 * session router takes and the queries the HTTP surface and console read.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../../core/clock.js';
import { errorCode } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { CenterResponse, TerminalRequest } from '../../protocol/messages/types.js';
import type { VersionRange } from '../../protocol/versions.js';
import type { SessionHandler, SessionInfo } from '../net/types.js';
import type { CenterFlow } from '../server/session-router.js';
import type { Storage } from '../storage/types.js';
import { NodeRegistry, type FleetNode } from './node-registry.js';
import type { Page } from './rows.js';
import { fleetMigrations } from './schema.js';
import { TerminalStatusBook, type TerminalStatusView } from './terminal-status.js';

export interface FleetOptions {
  /** This node's id (1-64 chars [A-Za-z0-9._:-]); default a fresh random id per start. */
  readonly nodeId?: string;
  /** Default FLEET_LIMITS.heartbeatIntervalMsDefault. */
  readonly heartbeatIntervalMs?: number;
  /** Shown in the registry; default the machine's hostname. */
  readonly host?: string;
  /** Shown in the registry; default package.json's version. */
  readonly version?: string;
  /** The protocol versions this node's listener serves (shown in the registry); default SPOKEN. */
  readonly protocolVersions?: VersionRange;
}

/** A terminal's session on this node went online (its first TERMINAL_STATUS) or offline (the session ended). */
export interface TerminalPresence {
  readonly terminalId: string;
  readonly online: boolean;
  readonly nodeId: string;
  readonly remoteAddress: string;
  readonly atMs: number;
}

export interface Fleet {
  readonly nodeId: string;
  /** Serves TERMINAL_STATUS. */
  readonly flow: CenterFlow;
  /** Every center node of this database, with its state (up, down, stopped). */
  listNodes(page?: Page): Promise<FleetNode[]>;
  /** The latest status of each terminal that reported one. */
  listTerminalStatus(page?: Page): Promise<TerminalStatusView[]>;
  terminalStatus(terminalId: string): Promise<TerminalStatusView | undefined>;
  /** The status of each of these terminals that reported one, by id, in one query (a listing page: at most FLEET_LIMITS.terminalsListMax). */
  terminalStatuses(terminalIds: readonly string[]): Promise<Map<string, TerminalStatusView>>;
  /** Calls `listener` when a terminal goes online or offline on this node (after its row is written); returns the unsubscribe. */
  onPresence(listener: (p: TerminalPresence) => void): () => void;
  /** Marks this node stopped after the writes of ended sessions are done. */
  stop(): Promise<void>;
}

export async function startFleet(storage: Storage, o: FleetOptions & { clock: Clock; random: Random; log: Logger }): Promise<Fleet> {
  await storage.migrate(fleetMigrations);
  const registry = await NodeRegistry.start(storage, {
    clock: o.clock,
    random: o.random,
    log: o.log,
    ...(o.nodeId !== undefined && { nodeId: o.nodeId }),
    ...(o.host !== undefined && { host: o.host }),
    ...(o.version !== undefined && { version: o.version }),
    ...(o.heartbeatIntervalMs !== undefined && { heartbeatIntervalMs: o.heartbeatIntervalMs }),
    ...(o.protocolVersions !== undefined && { protocolVersions: o.protocolVersions }),
  });
  const book = new TerminalStatusBook(storage);
  const presence = new EventEmitter();
  presence.setMaxListeners(0);
  /** Sessions of this node whose terminal reported (online), by session. */
  const online = new WeakSet<SessionInfo>();
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    const q = p.catch((e: unknown) => o.log.warn({ code: errorCode(e) }, 'terminal last-seen not written')).finally(() => pending.delete(q));
    pending.add(q);
  };

  const flow: CenterFlow = {
    handles: ['terminalStatus'],
    open: (info: SessionInfo): SessionHandler => ({
      async onRequest(req: TerminalRequest): Promise<CenterResponse> {
        if (req.type !== 'terminalStatus') throw new Error(`fleet flow got ${req.type}`);
        await book.record({
          terminalId: info.terminalId,
          nodeId: registry.id,
          remoteAddress: info.remoteAddress,
          sessionProtocolVersion: info.protocolVersion,
          status: req,
          nowMs: o.clock.nowMs(),
        });
        o.log.debug({ terminalId: info.terminalId, devices: req.devices.length }, 'terminal status recorded');
        if (!online.has(info)) {
          online.add(info);
          presence.emit('presence', { terminalId: info.terminalId, online: true, nodeId: registry.id, remoteAddress: info.remoteAddress, atMs: o.clock.nowMs() } satisfies TerminalPresence);
        }
        return { type: 'terminalStatusAck' };
      },
      onClose(): void {
        const wasOnline = online.has(info);
        online.delete(info);
        const atMs = o.clock.nowMs();
        track(
          book.sessionEnded(info.terminalId, registry.id, atMs).then(() => {
            if (wasOnline) presence.emit('presence', { terminalId: info.terminalId, online: false, nodeId: registry.id, remoteAddress: info.remoteAddress, atMs } satisfies TerminalPresence);
          }),
        );
      },
    }),
  };

  return {
    nodeId: registry.id,
    flow,
    listNodes: (page = {}) => registry.list(page),
    listTerminalStatus: (page = {}) => book.list(page, o.clock.nowMs()),
    terminalStatus: (terminalId) => book.get(terminalId, o.clock.nowMs()),
    terminalStatuses: (terminalIds) => book.ofTerminals(terminalIds, o.clock.nowMs()),
    onPresence(listener) {
      presence.on('presence', listener);
      return () => void presence.off('presence', listener);
    },
    async stop() {
      await Promise.all([...pending]);
      await registry.stop();
    },
  };
}
