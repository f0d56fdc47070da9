import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operators } from '../../../center/admin/operators.js';
import { startAdminServer, type AdminServer } from '../../../center/admin/server.js';
import { Ledger } from '../../../center/ledger/ledger.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ManualClock } from '../../../core/clock.js';
import { systemRandom } from '../../../core/random.js';
import { createLogger } from '../../../core/log.js';

let dir: string;
let storage: Storage;
let server: AdminServer;
/** An admin operator's bearer token (every route but the probes needs one). */
let token: string;

async function call(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}` } };
  if (raw !== undefined) init.body = raw;
  else if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-admin-'));
  storage = await openStorage({ engine: 'sqlite', path: join(dir, 'c.db') });
  const ledger = await Ledger.open(storage, new ManualClock());
  server = await startAdminServer({ storage, ledger });
  token = await new Operators(storage, systemRandom).add('ops', 'admin', 0);
});

afterAll(async () => {
  await server.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('admin API', () => {
  it('creates accounts, submits transfers, answers retries with exists, looks up and audits', async () => {
    const accounts = [
      { id: 'world', owner: 'w', kind: 'external', currency: 'JPY' },
      { id: 'u1', owner: 'user-1', kind: 'user_bank', institution: '0005', currency: 'JPY', flags: { debitsMustNotExceedCredits: true } },
    ];
    const created = await call('POST', '/accounts', { accounts });
    expect(created.status).toBe(200);
    expect(created.json.results.map((r: { result: string }) => r.result)).toEqual(['ok', 'ok']);
    const t = { id: 'f'.repeat(32), debitAccountId: 'world', creditAccountId: 'u1', amountMinor: 500, currency: 'JPY' };
    expect((await call('POST', '/transfers', { transfers: [t] })).json.results).toEqual([{ id: t.id, result: 'ok', resultCode: 0 }]);
    expect((await call('POST', '/transfers', { transfers: [t] })).json.results[0].result).toBe('exists');
    const overdraw = { ...t, id: 'e'.repeat(32), debitAccountId: 'u1', creditAccountId: 'world', amountMinor: 501 };
    expect((await call('POST', '/transfers', { transfers: [overdraw] })).json.results[0]).toMatchObject({ result: 'insufficient_funds', resultCode: 39 });
    expect((await call('GET', '/accounts/u1')).json).toMatchObject({ id: 'u1', creditsPostedMinor: 500, institution: '0005' });
    expect((await call('GET', `/transfers/${t.id}`)).json).toMatchObject({ amountMinor: 500 });
    expect((await call('GET', '/transfers/' + 'a'.repeat(32))).json.error.code).toBe('ADMIN_NOT_FOUND');
    const audit = await call('GET', '/audit');
    expect(audit.json.ok).toBe(true);
    expect(audit.json.transfers).toBe(1);
  });

  it('adds, blocks, unblocks and captures media and terminals', async () => {
    expect((await call('POST', '/media', { media: [{ id: '0123456789abcdef', expiresAtMs: 4_102_444_800_000 }] })).json.version).toBe(1);
    expect((await call('POST', '/media/0123456789abcdef/block', { status: 'lost' })).json.version).toBe(2);
    expect((await call('GET', '/media/0123456789abcdef')).json.status).toBe('lost');
    await call('POST', '/media/0123456789abcdef/unblock');
    await call('POST', '/media/0123456789abcdef/capture', {});
    expect((await call('GET', '/media/0123456789abcdef')).json.status).toBe('captured');
    await call('POST', '/terminals', { terminals: [{ id: 'POS-1', ownerKind: 'store', ownerId: 'st-1', keyRef: 'k/POS-1' }] });
    await call('POST', '/terminals/POS-1/block');
    expect((await call('GET', '/terminals/POS-1')).json.status).toBe('blocked');
    await call('POST', '/terminals/POS-1/unblock');
    expect((await call('GET', '/terminals/POS-1')).json.status).toBe('active');
    expect((await call('GET', '/validity/version')).json.version).toBe(7);
  });

  it('answers bad requests with coded errors and the right status', async () => {
    const cases: [string, string, unknown, string | undefined, number, string][] = [
      ['POST', '/transfers', undefined, '{not json', 400, 'ADMIN_BAD_JSON'],
      ['POST', '/transfers', { transfers: [] }, undefined, 400, 'ADMIN_INVALID_BODY'],
      ['POST', '/transfers', { transfers: [{ id: 1 }] }, undefined, 400, 'ADMIN_INVALID_BODY'],
      ['POST', '/accounts', { accounts: [{ id: 'x', owner: 'o', kind: 'piggy', currency: 'JPY' }] }, undefined, 400, 'ADMIN_INVALID_BODY'],
      ['GET', '/nowhere', undefined, undefined, 404, 'ADMIN_NO_ROUTE'],
      ['DELETE', '/accounts/u1', undefined, undefined, 405, 'HTTP_METHOD_NOT_ALLOWED'],
      ['GET', '/accounts/%E0%A4%A', undefined, undefined, 404, 'ADMIN_NO_ROUTE'],
      ['GET', '/accounts/nobody', undefined, undefined, 404, 'ADMIN_NOT_FOUND'],
      ['GET', '/media/XYZ', undefined, undefined, 400, 'STORE_INVALID_INPUT'],
      ['POST', '/media/00000000000000ff/block', { status: 'lost' }, undefined, 404, 'STORE_NOT_FOUND'],
      ['POST', '/media/00000000000000ff/block', { status: 'captured' }, undefined, 400, 'ADMIN_INVALID_BODY'],
      ['POST', '/media', { media: [{ id: '0123456789abcdef', expiresAtMs: 1 }] }, undefined, 409, 'STORE_DUPLICATE'],
      ['POST', '/media', undefined, 'x'.repeat(1_048_577), 413, 'ADMIN_BODY_TOO_LARGE'],
    ];
    for (const [method, path, body, raw, status, code] of cases) {
      const r = await call(method, path, body, raw);
      expect({ path, status: r.status, code: r.json.error?.code }).toEqual({ path, status, code });
      // The code is not repeated at the head of the message (docs/ADMIN-API.md, Errors).
      expect(r.json.error.message).not.toMatch(/^[A-Z_]+: /);
    }
  });

  it('survives random bodies on every route without a 5xx', async () => {
    const paths = ['/accounts', '/transfers', '/media', '/terminals', '/media/0123456789abcdef/block', '/ledger/sweep'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.oneof(fc.json(), fc.anything().map((v) => JSON.stringify({ transfers: [v] }) ?? '')), async (path, raw) => {
        const r = await call('POST', path, undefined, raw);
        expect(r.status).toBeLessThan(500);
      }),
      { numRuns: 150, seed: 42 },
    );
    expect((await call('GET', '/health')).json).toEqual({ ok: true, engine: 'sqlite', writable: true });
  });
  it('refuses raw transfers on system accounts (403 ADMIN_SYSTEM_ACCOUNT, nothing booked) and writes an audit-trail row for every mutating call', async () => {
    const accounts = [
      { id: 'emoney-float', owner: 'provider', kind: 'emoney_float', currency: 'JPY' },
      { id: 'provider@0001', owner: 'provider', institution: '0001', kind: 'provider_at_bank', currency: 'JPY' },
      { id: 'cash-in', owner: 'ops', kind: 'external', currency: 'JPY' },
    ];
    expect((await call('POST', '/accounts', { accounts })).status).toBe(200);
    const raw = { id: 'b'.repeat(32), debitAccountId: 'emoney-float', creditAccountId: 'provider@0001', amountMinor: 5_000, currency: 'JPY' };
    const refused = await call('POST', '/transfers', { transfers: [raw] });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 'ADMIN_SYSTEM_ACCOUNT', details: { accounts: [{ id: 'emoney-float', kind: 'emoney_float' }, { id: 'provider@0001', kind: 'provider_at_bank' }] } });
    const intoFloat = { ...raw, id: 'c'.repeat(32), debitAccountId: 'cash-in', creditAccountId: 'emoney-float' };
    expect((await call('POST', '/transfers', { transfers: [intoFloat] })).json.error.code).toBe('ADMIN_SYSTEM_ACCOUNT');
    expect((await call('GET', `/transfers/${raw.id}`)).status).toBe(404);
    expect((await call('GET', '/accounts/emoney-float')).json).toMatchObject({ debitsPostedMinor: 0, creditsPostedMinor: 0 });
    await call('POST', '/media/00000000000000ee/block', { status: 'stolen' });
    await call('GET', '/health');
    const rows = await storage.read((q) => q.all<Record<string, unknown>>('SELECT * FROM admin_audit_trail'));
    const mapped = rows.map((r) => ({ route: r['route'], targets: JSON.parse(String(r['target_ids'])), outcome: r['outcome'], code: r['code'] }));
    expect(mapped).toEqual(expect.arrayContaining([
      { route: '/accounts', targets: ['emoney-float', 'provider@0001', 'cash-in'], outcome: 'ok', code: null },
      { route: '/transfers', targets: [raw.id], outcome: 'refused', code: 'ADMIN_SYSTEM_ACCOUNT' },
      { route: '/transfers', targets: [intoFloat.id], outcome: 'refused', code: 'ADMIN_SYSTEM_ACCOUNT' },
      { route: '/media/:id/block', targets: ['00000000000000ee'], outcome: 'refused', code: 'STORE_NOT_FOUND' },
    ]));
    expect(mapped.filter((r) => r.route === '/health')).toEqual([]);
    for (const r of rows) {
      expect(r).toMatchObject({ method: 'POST', actor: 'ops', role: 'admin' });
      expect(String(r['source_address'])).toMatch(/127\.0\.0\.1$/);
      expect(Number(r['finished_ms'])).toBeGreaterThanOrEqual(Number(r['at_ms']));
    }
    // Every POST made by the tests of this file has its row (GETs have none).
    expect(rows.every((r) => r['outcome'] !== 'started')).toBe(true);
  });

  it('logs one line per mutating call with route, outcome and code', async () => {
    const lines: string[] = [];
    const logged = await startAdminServer({
      storage, ledger: await Ledger.open(storage, new ManualClock()), log: createLogger('admin', { level: 'info' }, { write: (l: string) => void lines.push(l) }),
    });
    try {
      await fetch(`${logged.url}/terminals/NOPE-1/block`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      await fetch(`${logged.url}/health`);
    } finally {
      await logged.close();
    }
    const calls = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'admin call');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ route: 'POST /terminals/:id/block', targets: 1, outcome: 'refused', code: 'STORE_NOT_FOUND' });
  });
});
