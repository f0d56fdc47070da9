import type { ModuleMigrations } from '../storage/types.js';

/**
 * The fleet tables (both engines): center nodes and their heartbeats, and
 * the latest status each terminal reported (center/fleet/README.md).
 */
export const fleetMigrations: ModuleMigrations = {
  module: 'fleet',
  migrations: [
    {
      version: 1,
      name: 'nodes, terminal status, terminal devices',
      sql:
        'CREATE TABLE fleet_nodes (' +
        ' id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, version TEXT NOT NULL,' +
        ' started_at_ms BIGINT NOT NULL, heartbeat_at_ms BIGINT NOT NULL, heartbeat_interval_ms INTEGER NOT NULL,' +
        ' stopped_at_ms BIGINT, protocol_min INTEGER NOT NULL, protocol_max INTEGER NOT NULL);' +
        'CREATE TABLE fleet_terminals (' +
        ' terminal_id TEXT PRIMARY KEY, software_version TEXT NOT NULL, protocol_version INTEGER NOT NULL,' +
        ' session_protocol_version INTEGER NOT NULL, node_id TEXT NOT NULL, remote_address TEXT NOT NULL,' +
        ' reported_at_ms BIGINT NOT NULL, last_seen_at_ms BIGINT NOT NULL, connected INTEGER NOT NULL);' +
        'CREATE TABLE fleet_terminal_devices (' +
        ' terminal_id TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, since_ms BIGINT NOT NULL,' +
        ' PRIMARY KEY (terminal_id, kind))',
    },
  ],
};
