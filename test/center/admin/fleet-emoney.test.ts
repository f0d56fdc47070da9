/**
 * Issue 11 item 3 on a real center (startCenter with the admin listener, the
 * e-money module and a real SQLite file) called over HTTP: terminals listed
 * with what the fleet view knows (online/offline from a real terminal link,
 * last seen, address, role, version), GET /nodes, status and kind filters,
 * PATCH /terminals/:id (address validated, keyRef rotation, audited, bad
 * input changes nothing), terminal online/offline as SSE events, and the
 * e-money module's routes (charges, batches, settlements: filters, stable
 * id-order paging, coded refusals).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Operators } from '../../../center/admin/operators.js';
import { emoneyModule } from '../../../center/emoney/module.js';
import { centerModules } from '../../../center/modules.js';
import { Relay } from '../../../center/relay/relay.js';
import { parseCenterConfig } from '../../../center/server/config.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { deriveTerminalKey } from '../../../center/server/terminal-keys.js';
import { systemRandom } from '../../../core/random.js';
import { LinkClient } from '../../../terminal/link/link-client.js';
import { keyDir, terminalLink } from '../server/support.js';

const keys = keyDir();
const dir = mkdtempSync(join(tmpdir(), 'tessera-admin-fleet-'));
const db = join(dir, 'center.db');
let center: Center;
let url: string;
const tokens = { viewer: '', operator: '' };
const links: LinkClient[] = [];

async function call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string } = {}): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined && { body }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const get = (path: string) => call('GET', path, { token: tokens.viewer });

async function terminalsRows(): Promise<unknown> {
  return center.storage.read((q) => q.all('SELECT * FROM terminals ORDER BY id'));
}

/** Every page of a listing, following `next` with `after`. */
async function allPages(path: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await get(`${path}${sep}limit=${limit}${after ? `&after=${after}` : ''}`);
    expect(r.status).toBe(200);
    ids.push(...r.json.items.map((i: { id: string }) => i.id));
    after = r.json.next;
    pages++;
  } while (after !== null && pages < 20);
  return { ids, pages };
}

beforeAll(async () => {
  const modules = [
    ...centerModules().filter((m) => m.name !== 'emoney'),
    emoneyModule({ secrets: { issuerMasterKey: Buffer.alloc(32, 1), currency: 'JPY', providerAccounts: [] }, relay: new Relay({ adapters: [] }), sweepIntervalMs: null }),
  ];
  center = await startCenter(parseCenterConfig({ listen: { port: 0 }, db, admin: { port: 0 }, terminalKeys: { masterKeyFile: keys.masterKeyFile } }, modules), modules, {
    fleet: { nodeId: 'node-admin-test' },
  });
  url = center.admin!.url;
  const ops = new Operators(center.storage, systemRandom);
  tokens.viewer = await ops.add('op-viewer', 'viewer', 1);
  tokens.operator = await ops.add('op-operator', 'operator', 1);
  const terminals = ['POS-1', 'POS-2', 'PC-1'].map((id) => ({ id, ownerKind: id.startsWith('PC') ? 'user' : 'store', ownerId: 'o1', keyRef: `k-${id}` }));
  expect((await call('POST', '/terminals', { token: tokens.operator, body: { terminals } })).status).toBe(200);
  const media = ['00000000000000a1', '00000000000000a2', '00000000000000a3'].map((id) => ({ id, expiresAtMs: 4_102_444_800_000 }));
  expect((await call('POST', '/media', { token: tokens.operator, body: { media } })).status).toBe(200);
  expect((await call('POST', '/media/00000000000000a2/block', { token: tokens.operator, body: { status: 'stolen' } })).status).toBe(200);
  // E-money rows as the flows leave them (one per state that matters to the listings).
  await center.storage.transact(async (tx) => {
    const charge = "INSERT INTO emoney_charges (id, terminal_id, bank_code, branch, account, amount, currency, state, code, card_id, auth_counter, created_ms, updated_ms) VALUES (?, ?, '0001', '001', '1234567', ?, 'JPY', ?, 'OK', ?, NULL, ?, ?)";
    const rows: Array<[string, string, number, string, string | null]> = [
      ['c05', 'POS-1', 500, 'issued', '0123456789abcdef'],
      ['c01', 'POS-1', 100, 'requested', null],
      ['c03', 'POS-2', 300, 'declined', null],
      ['c02', 'POS-1', 200, 'issued', '0123456789abcdef'],
      ['c04', 'POS-2', 400, 'unknown', null],
    ];
    for (const [i, [id, t, amount, state, card]] of rows.entries()) await tx.run(charge, [id, t, amount, state, card, 1_000 + i, 2_000 + i]);
    const batch = "INSERT INTO emoney_batches (id, terminal_id, shop_id, bank_code, state, records, results, total, currency, code, created_ms, updated_ms) VALUES (?, 'POS-1', ?, '0001', ?, '[{},{}]', NULL, ?, 'JPY', ?, 10, 20)";
    await tx.run(batch, ['b1', 'SHOP-A', 'awaiting_callback', 0, 'OK']);
    await tx.run(batch, ['b2', 'SHOP-A', 'acked', 700, 'OK']);
    await tx.run(batch, ['b3', 'SHOP-B', 'settled', 900, 'OK']);
    await tx.run(batch, ['b4', 'SHOP-A', 'pay_failed', 300, 'RELAY_BANK_REFUSED']);
  });
});

afterAll(async () => {
  for (const l of links) await l.close();
  await center.close();
  keys.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('terminals and nodes from the fleet view', () => {
  it('lists terminals with online/offline, last seen, address, role and version; SSE tells online and offline; GET /nodes lists this node up', async () => {
    const before = (await get('/terminals/POS-1')).json;
    expect(before).toMatchObject({ id: 'POS-1', role: 'store', online: false, lastSeenAtMs: null, address: null, softwareVersion: null });

    // An SSE watcher, then a real terminal link that reports its status.
    const controller = new AbortController();
    const res = await fetch(`${url}/events`, { headers: { authorization: `Bearer ${tokens.viewer}` }, signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let stream = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        stream += Buffer.from(value!).toString('utf8');
      }
    })();
    await vi.waitFor(() => expect(stream).toContain(': watching'));

    const link = terminalLink(keys.masterKey, 'POS-1', center.address.port);
    links.push(link);
    expect(await link.request({ type: 'terminalStatus', softwareVersion: '9.8.7', protocolVersion: 2, devices: [] })).toEqual({ type: 'terminalStatusAck' });
    await vi.waitFor(() => expect(stream).toMatch(/event: terminal\ndata: \{"terminalId":"POS-1","online":true,"nodeId":"node-admin-test"/));

    const list = await get('/terminals');
    expect(list.status).toBe(200);
    const pos1 = list.json.items.find((t: { id: string }) => t.id === 'POS-1');
    expect(pos1).toMatchObject({ id: 'POS-1', role: 'store', status: 'active', online: true, softwareVersion: '9.8.7', nodeId: 'node-admin-test' });
    expect(pos1.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(typeof pos1.lastSeenAtMs).toBe('number');
    expect(list.json.items.find((t: { id: string }) => t.id === 'PC-1')).toMatchObject({ role: 'user', online: false, softwareVersion: null });

    await link.close();
    links.splice(links.indexOf(link), 1);
    await vi.waitFor(() => expect(stream).toMatch(/event: terminal\ndata: \{"terminalId":"POS-1","online":false/));
    const after = (await get('/terminals/POS-1')).json;
    expect(after).toMatchObject({ online: false, softwareVersion: '9.8.7' });
    expect(after.lastSeenAtMs).toBeGreaterThanOrEqual(pos1.lastSeenAtMs);
    controller.abort();
    await pump;

    const nodes = await get('/nodes');
    expect(nodes.status).toBe(200);
    expect(nodes.json.items).toEqual([expect.objectContaining({ id: 'node-admin-test', state: 'up', version: expect.any(String) })]);
    expect(nodes.json.next).toBeNull();
    expect((await get('/nodes?limit=0')).json.error.code).toBe('ADMIN_INVALID_BODY');
  });

  it('filters terminals and media by status, media by kind (each medium carries its kind), with coded refusals for bad filters', async () => {
    expect((await call('POST', '/terminals/POS-2/block', { token: tokens.operator })).status).toBe(200);
    expect((await get('/terminals?status=blocked')).json.items.map((t: { id: string }) => t.id)).toEqual(['POS-2']);
    expect((await get('/terminals?status=active')).json.items.map((t: { id: string }) => t.id)).toEqual(['PC-1', 'POS-1']);
    expect((await call('POST', '/terminals/POS-2/unblock', { token: tokens.operator })).status).toBe(200);
    const stolen = await get('/media?status=stolen');
    expect(stolen.json.items).toEqual([expect.objectContaining({ id: '00000000000000a2', kind: 'ic-card', status: 'stolen' })]);
    expect((await get('/media?kind=ic-card&status=active')).json.items.map((m: { id: string }) => m.id)).toEqual(['00000000000000a1', '00000000000000a3']);
    expect((await get('/media?kind=voucher')).json.items).toEqual([]);
    for (const bad of ['/media?status=gone', '/media?kind=NO%20KIND', '/terminals?status=lost', '/terminals?colour=red', '/media?limit=5000']) {
      const r = await get(bad);
      expect({ bad, status: r.status, code: r.json.error.code }).toEqual({ bad, status: 400, code: 'ADMIN_INVALID_BODY' });
    }
  });
});

describe('PATCH /terminals/:id', () => {
  it('sets the callback address and rotates the keyRef (the old key no longer handshakes, the new one does), each audited with the operator', async () => {
    const r = await call('PATCH', '/terminals/PC-1', { token: tokens.operator, body: { callbackAddress: 'pc-1.shop.example:7801', keyRef: 'k-PC-1-v2' } });
    expect(r.status).toBe(200);
    expect(typeof r.json.version).toBe('number');
    expect((await get('/terminals/PC-1')).json).toMatchObject({ callbackAddress: 'pc-1.shop.example:7801', keyRef: 'k-PC-1-v2', version: r.json.version });
    expect((await call('PATCH', '/terminals/PC-1', { token: tokens.operator, body: { callbackAddress: null } })).status).toBe(200);
    expect((await get('/terminals/PC-1')).json.callbackAddress).toBeNull();

    const old = terminalLink(keys.masterKey, 'PC-1', center.address.port);
    links.push(old);
    await expect(old.request({ type: 'terminalStatus', softwareVersion: '1.0.0', protocolVersion: 2, devices: [] }, { timeoutMs: 5_000 })).rejects.toBeDefined();
    const rotated = new LinkClient({ terminalId: 'PC-1', terminalKey: deriveTerminalKey(keys.masterKey, 'k-PC-1-v2'), centers: [{ host: '127.0.0.1', port: center.address.port }], maxAttempts: 1 });
    rotated.start();
    links.push(rotated);
    expect(await rotated.request({ type: 'terminalStatus', softwareVersion: '1.0.0', protocolVersion: 2, devices: [] })).toEqual({ type: 'terminalStatusAck' });

    const rows = await center.storage.read((q) => q.all("SELECT actor, role, outcome, target_ids FROM admin_audit_trail WHERE route = '/terminals/:id' AND method = 'PATCH' ORDER BY at_ms, id"));
    expect(rows.filter((x) => x['outcome'] === 'ok')).toEqual([
      { actor: 'op-operator', role: 'operator', outcome: 'ok', target_ids: expect.stringContaining('PC-1') },
      { actor: 'op-operator', role: 'operator', outcome: 'ok', target_ids: expect.stringContaining('PC-1') },
    ]);
  });

  it('refuses a bad address, an empty edit, wrong types, unknown fields, malformed JSON, an unknown terminal, no token and the viewer role with codes; nothing changes', async () => {
    const before = await terminalsRows();
    const cases: Array<[string, { token?: string; body?: unknown; raw?: string }, string, number, string]> = [
      ['no port', { token: tokens.operator, body: { callbackAddress: 'pc-1.shop.example' } }, 'POS-1', 400, 'STORE_INVALID_INPUT'],
      ['port 0', { token: tokens.operator, body: { callbackAddress: 'host:0' } }, 'POS-1', 400, 'STORE_INVALID_INPUT'],
      ['port too big', { token: tokens.operator, body: { callbackAddress: 'host:70000' } }, 'POS-1', 400, 'STORE_INVALID_INPUT'],
      ['a URL', { token: tokens.operator, body: { callbackAddress: 'http://host:80/' } }, 'POS-1', 400, 'STORE_INVALID_INPUT'],
      ['spaces', { token: tokens.operator, body: { callbackAddress: 'my host:80' } }, 'POS-1', 400, 'STORE_INVALID_INPUT'],
      ['empty keyRef', { token: tokens.operator, body: { keyRef: '' } }, 'POS-1', 400, 'STORE_INVALID_INPUT'],
      ['nothing to change', { token: tokens.operator, body: {} }, 'POS-1', 400, 'STORE_INVALID_INPUT'],
      ['wrong type', { token: tokens.operator, body: { keyRef: 42 } }, 'POS-1', 400, 'ADMIN_INVALID_BODY'],
      ['unknown field', { token: tokens.operator, body: { keyRef: 'k-x', status: 'active' } }, 'POS-1', 400, 'ADMIN_INVALID_BODY'],
      ['malformed JSON', { token: tokens.operator, raw: '{"keyRef":' }, 'POS-1', 400, 'ADMIN_BAD_JSON'],
      ['unknown terminal', { token: tokens.operator, body: { keyRef: 'k-x' } }, 'NOPE-9', 404, 'STORE_NOT_FOUND'],
      ['bad terminal id', { token: tokens.operator, body: { keyRef: 'k-x' } }, 'no_such', 400, 'STORE_INVALID_INPUT'],
      ['no token', { body: { keyRef: 'k-x' } }, 'POS-1', 401, 'HTTP_UNAUTHORIZED'],
      ['viewer', { token: tokens.viewer, body: { keyRef: 'k-x' } }, 'POS-1', 403, 'HTTP_FORBIDDEN'],
    ];
    for (const [what, c, id, status, code] of cases) {
      const r = await call('PATCH', `/terminals/${id}`, c);
      expect({ what, status: r.status, code: r.json?.error?.code }).toEqual({ what, status, code });
      expect(JSON.stringify(r.json)).not.toMatch(/\n\s+at |node_modules/);
    }
    expect(await terminalsRows()).toEqual(before);
  });
});

describe('e-money routes (the module\'s, on the admin listener)', () => {
  it('lists charges in id order a page at a time, filtered by state, terminal and card, the account number masked', async () => {
    const all = await allPages('/charges', 2);
    expect(all).toEqual({ ids: ['c01', 'c02', 'c03', 'c04', 'c05'], pages: 3 });
    expect((await get('/charges?state=issued')).json.items.map((c: { id: string }) => c.id)).toEqual(['c02', 'c05']);
    expect((await get('/charges?terminalId=POS-2')).json.items.map((c: { id: string }) => c.id)).toEqual(['c03', 'c04']);
    expect((await get('/charges?cardId=0123456789abcdef&state=issued&limit=1')).json).toEqual({ items: [expect.objectContaining({ id: 'c02' })], next: 'c02' });
    const one = await get('/charges/c04');
    expect(one.json).toMatchObject({ id: 'c04', state: 'unknown', amountMinor: 400, currency: 'JPY', bankCode: '0001', accountLast4: '4567' });
    expect(JSON.stringify(one.json)).not.toContain('1234567');
    expect(one.json).not.toHaveProperty('hostMac');
  });

  it('lists batches and settlements (payouts of acked batches: pending, paid, failed) with filters and paging', async () => {
    expect((await allPages('/batches', 3)).ids).toEqual(['b1', 'b2', 'b3', 'b4']);
    expect((await get('/batches?shopId=SHOP-A&state=acked')).json.items).toEqual([expect.objectContaining({ id: 'b2', recordCount: 2, totalMinor: 700 })]);
    const s = await get('/settlements');
    expect(s.json.items.map((x: { batchId: string; state: string }) => [x.batchId, x.state])).toEqual([['b2', 'pending'], ['b3', 'paid'], ['b4', 'failed']]);
    expect(s.json.items[1]).toMatchObject({ shopId: 'SHOP-B', amountMinor: 900, resultCode: 'OK', ledgerTransferId: expect.any(String) });
    expect(s.json.items[0]).toMatchObject({ resultCode: 'PENDING', ledgerTransferId: null });
    expect((await get('/settlements?state=failed')).json.items).toEqual([expect.objectContaining({ batchId: 'b4', resultCode: 'RELAY_BANK_REFUSED' })]);
    expect((await get('/settlements?shopId=SHOP-A')).json.items.map((x: { batchId: string }) => x.batchId)).toEqual(['b2', 'b4']);
    expect((await allPages('/settlements', 1)).ids).toHaveLength(3);
  });

  it('refuses bad filters, unknown ids, no token with codes', async () => {
    for (const bad of ['/charges?state=lost', '/charges?cardId=XYZ', '/charges?limit=0', '/charges?sort=amount', '/batches?state=paid', '/settlements?state=settled', '/batches?bankCode=12', '/charges?after=%20']) {
      const r = await get(bad);
      expect({ bad, status: r.status, code: r.json.error.code }).toEqual({ bad, status: 400, code: 'ADMIN_INVALID_BODY' });
    }
    for (const path of ['/charges/none', '/batches/none']) {
      const r = await get(path);
      expect({ status: r.status, code: r.json.error.code }).toEqual({ status: 404, code: 'ADMIN_NOT_FOUND' });
    }
    expect((await call('GET', '/charges')).json.error.code).toBe('HTTP_UNAUTHORIZED');
    expect((await call('POST', '/charges', { token: tokens.operator, body: {} })).json.error.code).toBe('HTTP_METHOD_NOT_ALLOWED');
  });
});
