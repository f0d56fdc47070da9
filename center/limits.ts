/**
 * Named maxima of the center's storage, ledger and admin API (TigerBeetle
 * style: every queue, batch and in-flight set is bounded, and the relations
 * between the bounds are asserted when this module loads). Names follow the
 * rule in docs/TEAM-BRIEF.md (`<thing><Unit><Kind>`).
 */
import { assert } from '../core/assert.js';
import { PROTOCOL_LIMITS } from '../protocol/limits.js';

export const CENTER_LIMITS = {
  // ------------------------------------------------------------ storage
  /** Units of work committed together in one group-commit transaction. */
  storageBatchMax: 512,
  /** Units of work waiting for a batch; beyond this `transact` rejects with STORE_OVERLOADED. */
  storageQueueMax: 16_384,
  /** How long SQLite waits for another connection's lock before SQLITE_BUSY. */
  sqliteBusyTimeoutMs: 5_000,
  /** PostgreSQL pool size per center node (one of them carries the group-commit batch); default of the `poolMax` option. */
  pgPoolMaxDefault: 8,
  /** Times a unit of work is re-run after a PostgreSQL deadlock, serialization or unique-key race. */
  pgUnitRetriesMax: 5,
  /** Distinct named (server-side prepared) statements per process; beyond it statements run unnamed. */
  pgPreparedMax: 2_000,
  /** Back-off bounds of the LISTEN connection's reconnect loop. */
  pgListenReconnectMsMin: 50,
  pgListenReconnectMsMax: 5_000,
  /** Rows per page of the validity prefetch (10M media are read in pages, never at once). */
  validityPageRowsMax: 10_000,
  /** Media or terminals added by one admin call. */
  validityBulkMax: 10_000,
  /** Rows per multi-row INSERT (keeps bound parameters below SQLite's and PostgreSQL's limits). */
  sqlInsertRowsMax: 500,
  /**
   * Bound parameters per statement that every engine accepts (SQLite 32766, PostgreSQL 65535):
   * the engines' limit, which the row and list limits above are asserted against.
   */
  sqlParamsMax: 32_766,

  // ------------------------------------------------------------ ledger
  /** Accounts or transfers in one ledger call (one unit of work). */
  ledgerEventsMax: 1_000,
  /** Characters of a transfer's or account's reference text. */
  ledgerReferenceCharsMax: 128,
  /** Longest timeout of a pending (two-phase) transfer: 7 days. */
  ledgerPendingTimeoutMsMax: 7 * 24 * 3_600_000,
  /** Expired pending transfers voided per sweep unit of work. */
  ledgerSweepBatchMax: 500,

  // ------------------------------------------------------------ admin API
  /** Largest admin API request body. */
  adminBodyBytesMax: 1_048_576,
  /** Events (accounts, transfers, media, terminals) in one admin request: one ledger call. */
  adminEventsPerRequestMax: 1_000,
  /** Admin requests being served at once; more get 503 ADMIN_BUSY. */
  adminInFlightMax: 1_024,
  /** A request body must arrive within this time. */
  adminBodyTimeoutMs: 10_000,
  /** Target ids kept in one admin audit-trail row (a full request names at most adminEventsPerRequestMax). */
  adminAuditTargetsMax: 1_000,

  // ------------------------------------------------------------ terminal listener
  /** Highest `listen.maxConnections` a config may set (each session holds a descriptor; keep below `ulimit -n`). */
  listenConnectionsMaxMax: 60_000,
  /** Security log lines (BAD_MAC, REPLAY, AUTH_FAILED, refused connections, …) per kind and window; the rest are counted and summed into the next line. */
  securityLogLinesPerWindowMax: 10,
  /** The window of securityLogLinesPerWindowMax. */
  securityLogWindowMs: 60_000,
} as const;

const C = CENTER_LIMITS;
assert(C.storageBatchMax >= 1 && C.storageBatchMax <= C.storageQueueMax, 'a batch must fit in the queue');
assert(C.pgPoolMaxDefault >= 2, 'PostgreSQL needs one connection for batches and at least one for reads');
assert(C.pgListenReconnectMsMin < C.pgListenReconnectMsMax, 'reconnect back-off bounds');
assert(C.pgListenReconnectMsMax < 10_000, 'a lost LISTEN connection must be back within seconds');
assert(C.sqlInsertRowsMax * 13 <= C.sqlParamsMax, 'a multi-row insert (up to 13 columns: transfers) must fit the parameter limit');
assert(C.validityBulkMax <= C.sqlParamsMax, 'a bulk existence check must fit one IN list');
assert(C.validityPageRowsMax <= C.validityBulkMax * 10, 'pages stay of the order of a bulk add');
assert(C.ledgerEventsMax * 2 <= C.sqlParamsMax, 'a ledger call looks its accounts up in one IN list');
assert(C.adminEventsPerRequestMax <= C.ledgerEventsMax, 'an admin request is one ledger call');
assert(C.adminEventsPerRequestMax * 512 <= C.adminBodyBytesMax, 'a full admin request fits the body limit');
assert(C.adminAuditTargetsMax >= C.adminEventsPerRequestMax, "an audit row keeps every target of a full request");
assert(C.adminInFlightMax <= C.storageQueueMax, 'admin requests cannot overflow the storage queue by themselves');
assert(C.ledgerSweepBatchMax <= C.ledgerEventsMax, 'a sweep is no larger than a ledger call');
assert(C.listenConnectionsMaxMax >= PROTOCOL_LIMITS.connectionsMaxDefault, 'the default session limit is a valid config value');
assert(C.securityLogLinesPerWindowMax >= 1, 'the first event of a kind is always logged');
assert(C.securityLogWindowMs >= 1_000 && (C.securityLogLinesPerWindowMax * 60_000) / C.securityLogWindowMs <= 60, 'an attacker cannot write more than one security line a second per kind');
