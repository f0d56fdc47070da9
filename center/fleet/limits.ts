/** Named maxima of the node registry and terminal status (TigerBeetle style), relations asserted at load. */
import { assert } from '../../core/assert.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';

export const FLEET_LIMITS = {
  /** Default time between two heartbeats of a node. */
  heartbeatIntervalMsDefault: 5_000,
  /** Shortest heartbeat interval a node may use (tests go this low; the database takes one write per node per interval). */
  heartbeatIntervalMsMin: 50,
  /** A node whose last heartbeat is older than this many of its own intervals is shown as down. */
  heartbeatMissedMax: 3,
  /** Rows of one nodes page. */
  nodesListMax: 256,
  /** Rows of one terminal status page. */
  terminalsListMax: 1_000,
  /** Devices kept per terminal (one per kind the protocol knows). */
  devicesPerTerminalMax: PROTOCOL_LIMITS.devicesPerStatusMax,
  /** Stopped or down nodes are deleted from the registry once their last heartbeat is this old. */
  nodeRetentionMs: 7 * 24 * 3600_000,
  /** Node ids: 1-64 characters of [A-Za-z0-9._:-] (the id pattern is built from it). */
  nodeIdCharsMax: 64,
} as const;

const L = FLEET_LIMITS;
assert(L.heartbeatIntervalMsMin <= L.heartbeatIntervalMsDefault, 'default heartbeat above the minimum');
assert(L.heartbeatMissedMax >= 2, 'one late heartbeat must not show a node as down');
assert(L.nodeRetentionMs > L.heartbeatIntervalMsDefault * L.heartbeatMissedMax * 100, 'a down node stays visible long enough to be seen');
