/**
 * GET /terminals joins the fleet view (online, last seen, address, version,
 * devices) with one fleet query per page, whatever the page size (it did
 * two per terminal), and says for each terminal what GET /terminals/:id
 * says. A real admin listener over HTTP on a real SQLite file; the storage
 * is wrapped only to count the statements that read the fleet tables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operators } from '../../../center/admin/operators.js';
import { startAdminServer, type AdminServer } from '../../../center/admin/server.js';
import { startFleet, type Fleet } from '../../../center/fleet/fleet.js';
import { TerminalStatusBook } from '../../../center/fleet/terminal-status.js';
import { Ledger } from '../../../center/ledger/ledger.js';
import { openStorage } from '../../../center/storage/open.js';
import type { SqlExecutor, Storage } from '../../../center/storage/types.js';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';
import { DEVICE_KIND, DEVICE_STATE } from '../../../protocol/codes.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-admin-terminals-'));
let storage: Storage;
let fleet: Fleet;
let server: AdminServer;
let token = '';
/** SQL statements run through storage.read that read fleet_terminals. */
let fleetReads = 0;

/** The storage, with reads counted (everything else as it is). */
function counting(s: Storage): Storage {
  const count = (q: SqlExecutor): SqlExecutor => ({
    engine: q.engine,
    all: (sql, params) => ((fleetReads += sql.includes('fleet_terminals') ? 1 : 0), q.all(sql, params)),
    get: (sql, params) => ((fleetReads += sql.includes('fleet_terminals') ? 1 : 0), q.get(sql, params)),
    run: (sql, params) => q.run(sql, params),
  });
  return new Proxy(s, {
    get(target, key) {
      if (key === 'read') return <T>(fn: (q: SqlExecutor) => Promise<T>) => target.read((q) => fn(count(q)));
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const ids = Array.from({ length: 30 }, (_, i) => `POS-${String(i).padStart(2, '0')}`);

async function get(path: string): Promise<any> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return res.json();
}

beforeAll(async () => {
  const raw = await openStorage({ engine: 'sqlite', path: join(dir, 'center.db') });
  storage = counting(raw);
  fleet = await startFleet(storage, { clock: systemClock, random: systemRandom, log: silentLogger, nodeId: 'node-list-test' });
  server = await startAdminServer({ storage, ledger: await Ledger.open(storage, systemClock), fleet });
  const ops = new Operators(storage, systemRandom);
  token = await ops.add('op-viewer', 'viewer', 1);
  const operator = await ops.add('op-operator', 'operator', 1);
  const res = await fetch(`${server.url}/terminals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operator}` },
    body: JSON.stringify({ terminals: ids.map((id) => ({ id, ownerKind: 'store', ownerId: 'o1', keyRef: `k-${id}` })) }),
  });
  expect(res.status).toBe(200);
  // Two in three terminals have reported (every third: none), some with two devices.
  const book = new TerminalStatusBook(storage);
  for (const [i, id] of ids.entries()) {
    if (i % 3 === 2) continue;
    const devices = [{ kind: DEVICE_KIND.READER, state: DEVICE_STATE.ONLINE }, ...(i % 2 === 0 ? [{ kind: DEVICE_KIND.SCANNER, state: DEVICE_STATE.OFFLINE, reason: 'DEV_PORT_GONE' }] : [])];
    await book.record({ terminalId: id, nodeId: fleet.nodeId, remoteAddress: `127.0.0.1:${4000 + i}`, sessionProtocolVersion: 2, status: { type: 'terminalStatus', softwareVersion: `1.${i}.0`, protocolVersion: 2, devices }, nowMs: 1_000 + i });
  }
});

afterAll(async () => {
  await server?.close();
  await fleet?.stop();
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /terminals', () => {
  it('reads the fleet view once per page, whatever its size, and says what GET /terminals/:id says of each terminal', async () => {
    const pages: any[] = [];
    for (const [limit, after] of [[25, null], [25, 'POS-24'], [3, null]] as const) {
      fleetReads = 0;
      pages.push(await get(`/terminals?limit=${limit}${after ? `&after=${after}` : ''}`));
      expect({ limit, after, fleetReads }).toEqual({ limit, after, fleetReads: 1 });
    }
    const [first, second, small] = pages;
    expect(first.items).toHaveLength(25);
    expect(second.items).toHaveLength(5);
    expect(small.items.map((t: { id: string }) => t.id)).toEqual(['POS-00', 'POS-01', 'POS-02']);
    const listed = [...first.items, ...second.items];
    expect(listed.map((t: { id: string }) => t.id)).toEqual(ids);
    expect(listed[0]).toMatchObject({
      id: 'POS-00', online: true, lastSeenAtMs: 1_000, address: '127.0.0.1:4000', softwareVersion: '1.0.0', nodeId: 'node-list-test',
      devices: [{ kind: 'reader', state: 'online', reason: null, sinceMs: 1_000 }, { kind: 'scanner', state: 'offline', reason: 'DEV_PORT_GONE', sinceMs: 1_000 }],
    });
    expect(listed[2]).toMatchObject({ id: 'POS-02', online: false, lastSeenAtMs: null, address: null, softwareVersion: null, devices: [] });
    for (const t of listed) expect(t).toEqual(await get(`/terminals/${t.id}`));
  });
});
