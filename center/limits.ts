/**
 * Named maxima of the center's storage, ledger and admin API (TigerBeetle
 * style: every queue, batch and in-flight set is bounded, and the relations
 * between the bounds are asserted when this module loads).
 */
import { assert } from '../core/assert.js';
import { PROTOCOL_LIMITS } from '../protocol/limits.js';

/** Units of work committed together in one group-commit transaction. */
export const STORAGE_BATCH_MAX = 512;
/** Units of work waiting for a batch; beyond this `transact` rejects with STORE_OVERLOADED. */
export const STORAGE_QUEUE_MAX = 16_384;
/** How long SQLite waits for another connection's lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;
/** PostgreSQL pool size per center node (one of them carries the group-commit batch). */
export const PG_POOL_MAX = 8;
/** Times a unit of work is re-run after a PostgreSQL deadlock, serialization or unique-key race. */
export const PG_UNIT_RETRY_MAX = 5;
/** Distinct named (server-side prepared) statements per process; beyond it statements run unnamed. */
export const PG_PREPARED_MAX = 2_000;
/** Back-off bounds of the LISTEN connection's reconnect loop. */
export const PG_LISTEN_RECONNECT_MIN_MS = 50;
export const PG_LISTEN_RECONNECT_MAX_MS = 5_000;

/** Rows per page of the validity prefetch (10M media are read in pages, never at once). */
export const VALIDITY_PAGE_MAX = 10_000;
/** Media or terminals added by one admin call. */
export const VALIDITY_BULK_MAX = 10_000;
/** Rows per multi-row INSERT (keeps bound parameters below SQLite's and PostgreSQL's limits). */
export const SQL_INSERT_ROWS_MAX = 500;
/** Bound parameters per statement that every engine accepts (SQLite 32766, PostgreSQL 65535). */
export const SQL_PARAMS_MAX = 32_766;

/** Accounts or transfers in one ledger call (one unit of work). */
export const LEDGER_EVENTS_MAX = 1_000;
/** Characters of a transfer's or account's reference text. */
export const LEDGER_REFERENCE_MAX_CHARS = 128;
/** Longest timeout of a pending (two-phase) transfer: 7 days. */
export const LEDGER_PENDING_TIMEOUT_MAX_MS = 7 * 24 * 3_600_000;
/** Expired pending transfers voided per sweep unit of work. */
export const LEDGER_SWEEP_BATCH_MAX = 500;

/** Largest admin API request body. */
export const ADMIN_BODY_MAX_BYTES = 1_048_576;
/** Events (accounts, transfers, media, terminals) in one admin request. */
export const ADMIN_EVENTS_PER_REQUEST_MAX = LEDGER_EVENTS_MAX;
/** Admin requests being served at once; more get 503 ADMIN_BUSY. */
export const ADMIN_INFLIGHT_MAX = 1_024;
/** A request body must arrive within this time. */
export const ADMIN_BODY_TIMEOUT_MS = 10_000;
/** Target ids kept in one admin audit-trail row (a full request names at most ADMIN_EVENTS_PER_REQUEST_MAX). */
export const ADMIN_AUDIT_TARGETS_MAX = ADMIN_EVENTS_PER_REQUEST_MAX;

assert(STORAGE_BATCH_MAX >= 1 && STORAGE_BATCH_MAX <= STORAGE_QUEUE_MAX, 'a batch must fit in the queue');
assert(PG_POOL_MAX >= 2, 'PostgreSQL needs one connection for batches and at least one for reads');
assert(PG_LISTEN_RECONNECT_MIN_MS < PG_LISTEN_RECONNECT_MAX_MS, 'reconnect back-off bounds');
assert(PG_LISTEN_RECONNECT_MAX_MS < 10_000, 'a lost LISTEN connection must be back within seconds');
assert(SQL_INSERT_ROWS_MAX * 13 <= SQL_PARAMS_MAX, 'a multi-row insert (up to 13 columns: transfers) must fit the parameter limit');
assert(VALIDITY_BULK_MAX <= SQL_PARAMS_MAX, 'a bulk existence check must fit one IN list');
assert(VALIDITY_PAGE_MAX <= VALIDITY_BULK_MAX * 10, 'pages stay of the order of a bulk add');
assert(LEDGER_EVENTS_MAX * 2 <= SQL_PARAMS_MAX, 'a ledger call looks its accounts up in one IN list');
assert(ADMIN_EVENTS_PER_REQUEST_MAX <= LEDGER_EVENTS_MAX, 'an admin request is one ledger call');
assert(ADMIN_EVENTS_PER_REQUEST_MAX * 512 <= ADMIN_BODY_MAX_BYTES, 'a full admin request fits the body limit');
assert(ADMIN_INFLIGHT_MAX <= STORAGE_QUEUE_MAX, 'admin requests cannot overflow the storage queue by themselves');
assert(LEDGER_SWEEP_BATCH_MAX <= LEDGER_EVENTS_MAX, 'a sweep is no larger than a ledger call');

/** Highest `listen.maxConnections` a config may set (each session holds a descriptor; keep below `ulimit -n`). */
export const LISTEN_MAX_CONNECTIONS_MAX = 60_000;

/** Security log lines (BAD_MAC, REPLAY, AUTH_FAILED, refused connections, …) per kind and window; the rest are counted and summed into the next line. */
export const SECURITY_LOG_LINES_PER_WINDOW_MAX = 10;
/** The window of SECURITY_LOG_LINES_PER_WINDOW_MAX. */
export const SECURITY_LOG_WINDOW_MS = 60_000;

assert(LISTEN_MAX_CONNECTIONS_MAX >= PROTOCOL_LIMITS.MAX_CONNECTIONS, 'the default session limit is a valid config value');
assert(SECURITY_LOG_LINES_PER_WINDOW_MAX >= 1, 'the first event of a kind is always logged');
assert(SECURITY_LOG_WINDOW_MS >= 1_000 && SECURITY_LOG_LINES_PER_WINDOW_MAX * 60_000 / SECURITY_LOG_WINDOW_MS <= 60, 'an attacker cannot write more than one security line a second per kind');
