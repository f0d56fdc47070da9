/**
 * The latest TERMINAL_STATUS of each terminal (PROTOCOL.md §6.8): its
 * software and protocol version, the version its session runs at, its
 * devices (state, coded reason, since when), when it was last seen and which
 * node served it. One row per terminal, replaced by each report; a device's
 * `since` is kept while its state and reason stay the same.
 */
import { DEVICE_KIND, DEVICE_STATE, nameOf } from '../../protocol/codes.js';
import type { TerminalStatus } from '../../protocol/messages/types.js';
import type { Row, SqlExecutor, Storage, Tx } from '../storage/types.js';
import { FLEET_LIMITS as L } from './limits.js';
import { nodeStateOf, type NodeState } from './node-registry.js';
import { fleetError } from './errors.js';
import { intOf, pageOf, type Page } from './rows.js';

export type DeviceKindName = 'reader' | 'scanner' | 'store' | 'validator';
export type DeviceStateName = 'online' | 'offline' | 'busy' | 'hardwareError' | 'jammed';

const KIND_NAMES: Record<number, DeviceKindName> = {
  [DEVICE_KIND.READER]: 'reader', [DEVICE_KIND.SCANNER]: 'scanner', [DEVICE_KIND.STORE]: 'store', [DEVICE_KIND.VALIDATOR]: 'validator',
};
const STATE_NAMES: Record<number, DeviceStateName> = {
  [DEVICE_STATE.ONLINE]: 'online', [DEVICE_STATE.OFFLINE]: 'offline', [DEVICE_STATE.BUSY]: 'busy',
  [DEVICE_STATE.HARDWARE_ERROR]: 'hardwareError', [DEVICE_STATE.JAMMED]: 'jammed',
};
const kindName = (k: number): string => KIND_NAMES[k] ?? nameOf(DEVICE_KIND, k);
const stateName = (s: number): string => STATE_NAMES[s] ?? nameOf(DEVICE_STATE, s);

export interface TerminalDevice {
  readonly kind: DeviceKindName;
  readonly state: DeviceStateName;
  /** The device's coded reason (DEV_PORT_GONE, ...) or null. */
  readonly reason: string | null;
  /** When the device entered this state (as first reported). */
  readonly sinceMs: number;
}

export interface TerminalStatusView {
  readonly terminalId: string;
  readonly softwareVersion: string;
  /** The highest protocol version the terminal speaks. */
  readonly protocolVersion: number;
  /** The version its session runs at (agreed in the handshake). */
  readonly sessionProtocolVersion: number;
  /** The node that served the session of the last report. */
  readonly nodeId: string;
  readonly remoteAddress: string;
  readonly reportedAtMs: number;
  /** The last report, or the end of the session that sent it, whichever is later. */
  readonly lastSeenAtMs: number;
  /** Its session is open on a node that is up. */
  readonly connected: boolean;
  readonly devices: readonly TerminalDevice[];
}

export interface StatusReport {
  readonly terminalId: string;
  readonly nodeId: string;
  readonly remoteAddress: string;
  readonly sessionProtocolVersion: number;
  readonly status: TerminalStatus;
  readonly nowMs: number;
}

const T_COLUMNS =
  't.terminal_id, t.software_version, t.protocol_version, t.session_protocol_version, t.node_id, t.remote_address,' +
  ' t.reported_at_ms, t.last_seen_at_ms, t.connected, n.heartbeat_at_ms, n.heartbeat_interval_ms, n.stopped_at_ms';

export class TerminalStatusBook {
  constructor(private readonly storage: Storage) {}

  /** Replaces the terminal's status with this report (one unit of work). */
  record(r: StatusReport): Promise<void> {
    return this.storage.transact(async (tx) => {
      await tx.run(
        'INSERT INTO fleet_terminals (terminal_id, software_version, protocol_version, session_protocol_version, node_id, remote_address, reported_at_ms, last_seen_at_ms, connected)' +
          ' VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (terminal_id) DO UPDATE SET software_version = excluded.software_version,' +
          ' protocol_version = excluded.protocol_version, session_protocol_version = excluded.session_protocol_version, node_id = excluded.node_id,' +
          ' remote_address = excluded.remote_address, reported_at_ms = excluded.reported_at_ms, last_seen_at_ms = excluded.last_seen_at_ms, connected = 1',
        [r.terminalId, r.status.softwareVersion, r.status.protocolVersion, r.sessionProtocolVersion, r.nodeId, r.remoteAddress, r.nowMs, r.nowMs],
      );
      await replaceDevices(tx, r);
    });
  }

  /** The session that reported for this terminal on this node ended. */
  sessionEnded(terminalId: string, nodeId: string, nowMs: number): Promise<void> {
    return this.storage.transact(async (tx) => {
      // Only if the row is still this node's: the terminal may already report through another node.
      await tx.run('UPDATE fleet_terminals SET last_seen_at_ms = ?, connected = 0 WHERE terminal_id = ? AND node_id = ?', [nowMs, terminalId, nodeId]);
    });
  }

  /** A page of terminals (ordered by id) with their devices, `connected` judged at `nowMs`. */
  async list(page: Page, nowMs: number): Promise<TerminalStatusView[]> {
    const { afterId, limit } = pageOf(page, L.terminalsListMax);
    return this.storage.read(async (q) => {
      const rows = await q.all(`SELECT ${T_COLUMNS} FROM fleet_terminals t LEFT JOIN fleet_nodes n ON n.id = t.node_id WHERE t.terminal_id > ? ORDER BY t.terminal_id LIMIT ?`, [afterId, limit]);
      if (rows.length === 0) return [];
      const last = String(rows[rows.length - 1]!['terminal_id']);
      const devices = await q.all('SELECT terminal_id, kind, state, reason, since_ms FROM fleet_terminal_devices WHERE terminal_id > ? AND terminal_id <= ? ORDER BY terminal_id, kind', [afterId, last]);
      return rows.map((r) => viewOf(r, devices.filter((d) => d['terminal_id'] === r['terminal_id']), nowMs));
    });
  }

  /**
   * The status of each of these terminals that reported one (a page of the
   * terminal list), in one query: the rows with their devices joined. At
   * most FLEET_LIMITS.terminalsListMax ids.
   */
  async ofTerminals(terminalIds: readonly string[], nowMs: number): Promise<Map<string, TerminalStatusView>> {
    const out = new Map<string, TerminalStatusView>();
    if (terminalIds.length === 0) return out;
    if (terminalIds.length > L.terminalsListMax) throw fleetError('FLEET_BAD_ARGUMENT', `at most ${L.terminalsListMax} terminals at once`, { count: terminalIds.length, max: L.terminalsListMax });
    const rows = await this.storage.read((q) =>
      q.all(
        `SELECT ${T_COLUMNS}, d.kind AS d_kind, d.state AS d_state, d.reason AS d_reason, d.since_ms AS d_since_ms FROM fleet_terminals t` +
          ' LEFT JOIN fleet_nodes n ON n.id = t.node_id LEFT JOIN fleet_terminal_devices d ON d.terminal_id = t.terminal_id' +
          ` WHERE t.terminal_id IN (${terminalIds.map(() => '?').join(',')}) ORDER BY t.terminal_id, d.kind`,
        [...terminalIds],
      ),
    );
    for (let i = 0; i < rows.length; ) {
      const id = rows[i]!['terminal_id'];
      const devices: Row[] = [];
      let j = i;
      for (; j < rows.length && rows[j]!['terminal_id'] === id; j++) {
        const r = rows[j]!;
        if (r['d_kind'] !== null && r['d_kind'] !== undefined) devices.push({ kind: r['d_kind'], state: r['d_state'], reason: r['d_reason'], since_ms: r['d_since_ms'] });
      }
      out.set(String(id), viewOf(rows[i]!, devices, nowMs));
      i = j;
    }
    return out;
  }

  async get(terminalId: string, nowMs: number): Promise<TerminalStatusView | undefined> {
    return this.storage.read(async (q: SqlExecutor) => {
      const r = await q.get(`SELECT ${T_COLUMNS} FROM fleet_terminals t LEFT JOIN fleet_nodes n ON n.id = t.node_id WHERE t.terminal_id = ?`, [terminalId]);
      if (!r) return undefined;
      const devices = await q.all('SELECT terminal_id, kind, state, reason, since_ms FROM fleet_terminal_devices WHERE terminal_id = ? ORDER BY kind', [terminalId]);
      return viewOf(r, devices, nowMs);
    });
  }
}

async function replaceDevices(tx: Tx, r: StatusReport): Promise<void> {
  const before = await tx.all(`SELECT kind, state, reason, since_ms FROM fleet_terminal_devices WHERE terminal_id = ?${tx.forUpdate}`, [r.terminalId]);
  await tx.run('DELETE FROM fleet_terminal_devices WHERE terminal_id = ?', [r.terminalId]);
  for (const d of r.status.devices.slice(0, L.devicesPerTerminalMax)) {
    const kind = kindName(d.kind);
    const state = stateName(d.state);
    const reason = d.reason ?? null;
    const same = before.find((b) => b['kind'] === kind && b['state'] === state && b['reason'] === reason);
    await tx.run('INSERT INTO fleet_terminal_devices (terminal_id, kind, state, reason, since_ms) VALUES (?, ?, ?, ?, ?)', [
      r.terminalId, kind, state, reason, same ? intOf(same, 'since_ms') : r.nowMs,
    ]);
  }
}

function viewOf(r: Row, devices: Row[], nowMs: number): TerminalStatusView {
  let nodeState: NodeState = 'down';
  if (r['heartbeat_at_ms'] !== null && r['heartbeat_at_ms'] !== undefined) {
    const stoppedAtMs = r['stopped_at_ms'] === null ? null : intOf(r, 'stopped_at_ms');
    nodeState = nodeStateOf({ stoppedAtMs, heartbeatAtMs: intOf(r, 'heartbeat_at_ms'), heartbeatIntervalMs: intOf(r, 'heartbeat_interval_ms') }, nowMs);
  }
  return {
    terminalId: String(r['terminal_id']),
    softwareVersion: String(r['software_version']),
    protocolVersion: intOf(r, 'protocol_version'),
    sessionProtocolVersion: intOf(r, 'session_protocol_version'),
    nodeId: String(r['node_id']),
    remoteAddress: String(r['remote_address']),
    reportedAtMs: intOf(r, 'reported_at_ms'),
    lastSeenAtMs: intOf(r, 'last_seen_at_ms'),
    connected: intOf(r, 'connected') === 1 && nodeState === 'up',
    devices: devices.map((d) => ({
      kind: String(d['kind']) as DeviceKindName,
      state: String(d['state']) as DeviceStateName,
      reason: d['reason'] === null ? null : String(d['reason']),
      sinceMs: intOf(d, 'since_ms'),
    })),
  };
}
