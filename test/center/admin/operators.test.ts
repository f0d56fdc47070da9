/**
 * Operators, roles and the audit trail of the admin API, on a real center
 * (createCenter with an admin listener, real SQLite file) called over HTTP:
 * who may do what, bad input on every mutating route changes nothing, every
 * mutation has its audit row with operator and role, adjustments need the
 * admin role and a reason and show in `tessera audit`, no token leaks into a
 * log, an answer or an audit row; TLS on the admin listener; /livez, /readyz.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as ufetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operators } from '../../../center/admin/operators.js';
import { httpReachable } from '../../../center/admin/health.js';
import { startAdminServer } from '../../../center/admin/server.js';
import { auditDatabase } from '../../../center/ledger/audit-target.js';
import { formatAuditReport } from '../../../center/ledger/audit.js';
import { Ledger } from '../../../center/ledger/ledger.js';
import { parseCenterConfig } from '../../../center/server/config.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import { VALIDITY_MODULE, type ValidityApi } from '../../../center/validity/module.js';
import { openStorage } from '../../../center/storage/open.js';
import { ManualClock } from '../../../core/clock.js';
import { createLogger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';
import { runCli } from '../../../sim/world/cli-process.js';
import { freePort } from '../../support/free-port.js';
import { keyDir } from '../server/support.js';

const keys = keyDir();
const dir = mkdtempSync(join(tmpdir(), 'tessera-operators-'));
const db = join(dir, 'center.db');
const logLines: string[] = [];
let center: Center;
let url: string;
const tokens: Record<'viewer' | 'operator' | 'admin' | 'revoked', string> = { viewer: '', operator: '', admin: '', revoked: '' };

async function call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string } = {}): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined && { body }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** Everything a refused call must leave as it was. */
async function snapshot(): Promise<unknown> {
  return center.storage.read(async (q) => ({
    accounts: await q.all('SELECT * FROM ledger_accounts ORDER BY id'),
    transfers: await q.all('SELECT * FROM ledger_transfers ORDER BY id'),
    media: await q.all('SELECT * FROM media ORDER BY id'),
    terminals: await q.all('SELECT * FROM terminals ORDER BY id'),
    version: await center.module<ValidityApi>(VALIDITY_MODULE).repository.getValidityVersion(),
  }));
}

async function trailRows(): Promise<Array<Record<string, unknown>>> {
  return center.storage.read((q) => q.all('SELECT * FROM admin_audit_trail ORDER BY at_ms, id'));
}

beforeAll(async () => {
  center = await startCenter(
    parseCenterConfig({ listen: { port: 0 }, db, admin: { port: 0 }, terminalKeys: { masterKeyFile: keys.masterKeyFile } }, CENTER_MODULES),
    CENTER_MODULES,
    { log: createLogger('center', { level: 'info' }, { write: (l: string) => void logLines.push(l) }) },
  );
  url = center.admin!.url;
  const ops = new Operators(center.storage, systemRandom);
  for (const role of ['viewer', 'operator', 'admin'] as const) tokens[role] = await ops.add(`op-${role}`, role, 1);
  tokens.revoked = await ops.add('op-gone', 'admin', 1);
  await ops.revoke('op-gone', 2);
  const accounts = [
    { id: 'emoney-float', owner: 'provider', kind: 'emoney_float', currency: 'JPY' },
    { id: 'provider@0001', owner: 'provider', institution: '0001', kind: 'provider_at_bank', currency: 'JPY' },
    { id: 'suspense', owner: 'ops', kind: 'suspense', currency: 'JPY' },
  ];
  expect((await call('POST', '/accounts', { token: tokens.admin, body: { accounts } })).status).toBe(200);
  expect((await call('POST', '/terminals', { token: tokens.operator, body: { terminals: [{ id: 'POS-1', ownerKind: 'store', ownerId: 's1', keyRef: 'k/POS-1' }] } })).status).toBe(200);
  expect((await call('POST', '/media', { token: tokens.operator, body: { media: [{ id: '0123456789abcdef', expiresAtMs: 4_102_444_800_000 }] } })).status).toBe(200);
});

afterAll(async () => {
  await center.close();
  keys.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('roles', () => {
  it('a viewer reads but changes nothing; an operator steers validity but cannot touch the ledger; only an admin adjusts', async () => {
    const before = await snapshot();
    expect((await call('GET', '/terminals/POS-1', { token: tokens.viewer })).json.status).toBe('active');
    const viewerBlock = await call('POST', '/terminals/POS-1/block', { token: tokens.viewer });
    expect({ status: viewerBlock.status, code: viewerBlock.json.error.code, need: viewerBlock.json.error.details.need }).toEqual({ status: 403, code: 'HTTP_FORBIDDEN', need: 'operator' });
    const adjustment = { id: 'a1'.repeat(16), debitAccountId: 'suspense', creditAccountId: 'emoney-float', amountMinor: 700, currency: 'JPY', reason: 'INC-42: float short after a bank reversal' };
    for (const token of [tokens.viewer, tokens.operator]) {
      const r = await call('POST', '/ledger/adjustments', { token, body: adjustment });
      expect({ status: r.status, code: r.json.error.code }).toEqual({ status: 403, code: 'HTTP_FORBIDDEN' });
      const t = await call('POST', '/transfers', { token, body: { transfers: [{ id: 'b'.repeat(32), debitAccountId: 'suspense', creditAccountId: 'provider@0001', amountMinor: 1, currency: 'JPY' }] } });
      expect(t.status).toBe(403);
    }
    expect(await snapshot()).toEqual(before);

    const blocked = await call('POST', '/terminals/POS-1/block', { token: tokens.operator });
    expect(blocked.status).toBe(200);
    expect((await call('POST', '/terminals/POS-1/retire', { token: tokens.operator })).status).toBe(200);
    expect((await call('GET', '/terminals/POS-1', { token: tokens.viewer })).json.status).toBe('inactive');
    expect((await call('POST', '/terminals/POS-1/unblock', { token: tokens.operator })).status).toBe(200);
    const noReason = await call('POST', '/ledger/adjustments', { token: tokens.admin, body: { ...adjustment, reason: undefined } });
    expect({ status: noReason.status, code: noReason.json.error.code, path: noReason.json.error.details.issues[0].path }).toEqual({ status: 400, code: 'ADMIN_INVALID_BODY', path: 'reason' });
    const ok = await call('POST', '/ledger/adjustments', { token: tokens.admin, body: adjustment });
    expect(ok).toEqual({ status: 200, json: { id: adjustment.id, result: 'ok', resultCode: 0 } });
    expect((await call('POST', '/ledger/adjustments', { token: tokens.admin, body: adjustment })).json.result).toBe('exists');
    const refused = await call('POST', '/ledger/adjustments', { token: tokens.admin, body: { ...adjustment, id: 'a2'.repeat(16), debitAccountId: 'nobody' } });
    expect({ status: refused.status, code: refused.json.error.code, result: refused.json.error.details.result }).toEqual({ status: 409, code: 'ADMIN_ADJUSTMENT_REFUSED', result: 'debit_account_not_found' });
    expect((await call('GET', '/accounts/emoney-float', { token: tokens.viewer })).json.creditsPostedMinor).toBe(700);

    // The adjustment is in the audit trail with operator, role and reason, and `tessera audit` lists it.
    const row = (await trailRows()).find((r) => r['route'] === '/ledger/adjustments' && r['outcome'] === 'ok');
    expect(row).toMatchObject({ actor: 'op-admin', role: 'admin', reason: adjustment.reason, target_ids: JSON.stringify([adjustment.id]) });
    const report = formatAuditReport(await auditDatabase(db));
    expect(report).toContain('[ok] operator adjustments each have an audit-trail row with operator and reason');
    expect(report).toContain(`${adjustment.id}: suspense -> emoney-float 700 JPY by op-admin (admin): ${adjustment.reason}`);
  });

  it('an adjustment booked behind the API (no audit row) fails the audit', async () => {
    const storage = await openStorage({ engine: 'sqlite', path: db });
    try {
      const ledger = await Ledger.open(storage, new ManualClock(5));
      await ledger.createTransfers([{ id: 'c'.repeat(32), debitAccountId: 'suspense', creditAccountId: 'emoney-float', amountMinor: 1, currency: 'JPY', code: 901 }]);
      const report = formatAuditReport(await auditDatabase(db));
      expect(report).toContain('[FAIL] operator adjustments each have an audit-trail row with operator and reason (1)');
      expect(report).toContain(`${'c'.repeat(32)}: NO AUDIT-TRAIL ROW`);
      await ledger.createTransfers([{ id: 'd'.repeat(32), debitAccountId: 'emoney-float', creditAccountId: 'suspense', amountMinor: 1, currency: 'JPY' }]);
      await storage.transact((tx) => tx.run("DELETE FROM ledger_transfers WHERE id IN (?, ?)", ['c'.repeat(32), 'd'.repeat(32)]));
    } finally {
      await storage.close();
    }
  });
});

describe('bad input on every mutating route', () => {
  const routes: Array<[string, unknown]> = [
    ['/accounts', { accounts: [{ id: 'new-acct', owner: 'o', kind: 'external', currency: 'JPY' }] }],
    ['/transfers', { transfers: [{ id: 'e'.repeat(32), debitAccountId: 'suspense', creditAccountId: 'provider@0001', amountMinor: 1, currency: 'JPY' }] }],
    ['/ledger/adjustments', { id: 'f'.repeat(32), debitAccountId: 'suspense', creditAccountId: 'emoney-float', amountMinor: 5, currency: 'JPY', reason: 'a good reason' }],
    ['/ledger/sweep', {}],
    ['/media', { media: [{ id: '00000000000000aa', expiresAtMs: 4_102_444_800_000 }] }],
    ['/media/0123456789abcdef/block', { status: 'lost' }],
    ['/media/0123456789abcdef/unblock', {}],
    ['/media/0123456789abcdef/capture', {}],
    ['/terminals', { terminals: [{ id: 'POS-2', ownerKind: 'store', ownerId: 's1', keyRef: 'k/POS-2' }] }],
    ['/terminals/POS-1/block', {}],
    ['/terminals/POS-1/unblock', {}],
    ['/terminals/POS-1/retire', {}],
  ];

  it.each(routes)('POST %s: malformed JSON, wrong types, unknown fields, huge body, wrong method, no/revoked token, wrong role are coded and change nothing', async (path, good) => {
    const before = await snapshot();
    const rowsBefore = (await trailRows()).length;
    const wrongTypes = Object.keys(good as object).length > 0 ? Object.fromEntries(Object.keys(good as object).map((k) => [k, 12345])) : { extra: 1 };
    const cases: Array<[string, { token?: string; body?: unknown; raw?: string; method?: string }, number, string]> = [
      ['malformed JSON', { token: tokens.admin, raw: '{"oops":' }, 400, 'ADMIN_BAD_JSON'],
      ['wrong types', { token: tokens.admin, body: wrongTypes }, 400, 'ADMIN_INVALID_BODY'],
      ['unknown field', { token: tokens.admin, body: { ...(good as object), surprise: true } }, 400, 'ADMIN_INVALID_BODY'],
      ['huge body', { token: tokens.admin, raw: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) }, 413, 'ADMIN_BODY_TOO_LARGE'],
      ['wrong method', { token: tokens.admin, body: good, method: 'PUT' }, 405, 'HTTP_METHOD_NOT_ALLOWED'],
      ['no token', { body: good }, 401, 'HTTP_UNAUTHORIZED'],
      ['revoked token', { token: tokens.revoked, body: good }, 401, 'HTTP_UNAUTHORIZED'],
      ['malformed token', { token: 'not a token at all', body: good }, 401, 'HTTP_UNAUTHORIZED'],
      ['wrong role', { token: tokens.viewer, body: good }, 403, 'HTTP_FORBIDDEN'],
    ];
    for (const [what, c, status, code] of cases) {
      const r = await call(c.method ?? 'POST', path, c);
      expect({ what, status: r.status, code: r.json?.error?.code }).toEqual({ what, status, code });
      expect(JSON.stringify(r.json)).not.toMatch(/\n\s+at |node_modules/);
    }
    expect(await snapshot()).toEqual(before);
    // Each refused POST has its row (the PUT matched no route: no row).
    const rows = (await trailRows()).slice(rowsBefore);
    expect(rows.map((r) => r['outcome'])).toEqual(Array(cases.length - 1).fill('refused'));
    expect(rows.filter((r) => r['code'] === 'HTTP_FORBIDDEN')).toEqual([expect.objectContaining({ actor: 'op-viewer', role: 'viewer' })]);
  });
});

describe('audit trail', () => {
  it('has every mutation with operator and role, pages through GET /audit-trail, and holds no token anywhere', async () => {
    const rows = await trailRows();
    const ok = rows.filter((r) => r['outcome'] === 'ok');
    expect(ok.map((r) => `${String(r['route'])} ${String(r['actor'])}/${String(r['role'])}`)).toEqual(expect.arrayContaining([
      '/accounts op-admin/admin', '/terminals op-operator/operator', '/media op-operator/operator',
      '/terminals/:id/block op-operator/operator', '/terminals/:id/unblock op-operator/operator', '/ledger/adjustments op-admin/admin',
    ]));
    expect(rows.every((r) => r['outcome'] !== 'started')).toBe(true);
    // Paging: newest first, two at a time, until next is null; every row once.
    const seen: string[] = [];
    let next: string | null = null;
    for (let i = 0; i < 200; i++) {
      const page = await call('GET', `/audit-trail?limit=2${next ? `&before=${next}` : ''}`, { token: tokens.viewer });
      expect(page.status).toBe(200);
      seen.push(...page.json.items.map((r: { id: string }) => r.id));
      next = page.json.next;
      if (next === null) break;
    }
    expect(seen.sort()).toEqual(rows.map((r) => String(r['id'])).sort());
    expect((await call('GET', '/audit-trail?before=garbage', { token: tokens.viewer })).json.error.code).toBe('ADMIN_BAD_CURSOR');
    const mutationLines = logLines.filter((l) => l.includes('"admin call"'));
    expect(mutationLines.length).toBe(rows.length);
    const everything = [JSON.stringify(rows), logLines.join('\n'), readFileSync(db).toString('latin1')];
    for (const token of Object.values(tokens)) for (const text of everything) expect(text).not.toContain(token);
  });
});

describe('listing', () => {
  it('pages accounts, transfers, media and terminals by id with filters as query parameters; a bad query is coded', async () => {
    const collect = async (path: string): Promise<string[]> => {
      const ids: string[] = [];
      let next: string | null = null;
      for (let i = 0; i < 100; i++) {
        const sep = path.includes('?') ? '&' : '?';
        const r = await call('GET', `${path}${sep}limit=1${next ? `&after=${encodeURIComponent(next)}` : ''}`, { token: tokens.viewer });
        expect(r.status, path).toBe(200);
        ids.push(...r.json.items.map((x: { id: string }) => x.id));
        next = r.json.next;
        if (next === null) break;
      }
      return ids;
    };
    expect(await collect('/accounts')).toEqual(['emoney-float', 'provider@0001', 'suspense']);
    expect(await collect('/accounts?kind=suspense')).toEqual(['suspense']);
    expect(await collect('/transfers?code=901')).toEqual(['a1'.repeat(16)]);
    expect(await collect('/transfers?account=provider@0001')).toEqual([]);
    expect(await collect('/terminals')).toEqual(['POS-1']);
    expect(await collect('/media')).toEqual(['0123456789abcdef']);
    for (const q of ['/accounts?kind=piggy', '/transfers?limit=0', '/terminals?color=red']) {
      const r = await call('GET', q, { token: tokens.viewer });
      expect({ q, status: r.status, code: r.json.error.code, in: r.json.error.details.in }).toEqual({ q, status: 400, code: 'ADMIN_INVALID_BODY', in: 'querystring' });
    }
    expect((await call('GET', '/accounts')).status).toBe(401);
  });
});

describe('live updates', () => {
  it('GET /events streams each change made through the API as a Server-Sent Event, after its audit row; a watcher needs a token', async () => {
    expect((await call('GET', '/events')).status).toBe(401);
    const controller = new AbortController();
    const res = await fetch(`${url}/events`, { headers: { authorization: `Bearer ${tokens.viewer}` }, signal: controller.signal });
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      // The stream is open once its first comment arrived; then the change is made.
      while (!text.includes(': watching')) text += decoder.decode((await reader.read()).value);
      expect((await call('POST', '/terminals/POS-1/block', { token: tokens.operator })).status).toBe(200);
      const deadline = AbortSignal.timeout(10_000);
      while (!text.includes('event: change') && !deadline.aborted) text += decoder.decode((await reader.read()).value);
      const data = JSON.parse(/event: change\ndata: (.*)\n/.exec(text)![1]!) as Record<string, unknown>;
      expect(data).toMatchObject({ method: 'POST', route: '/terminals/:id/block', targetIds: ['POS-1'], actor: 'op-operator', role: 'operator' });
      expect(text).not.toContain(tokens.operator);
    } finally {
      controller.abort();
      expect((await call('POST', '/terminals/POS-1/unblock', { token: tokens.operator })).status).toBe(200);
    }
  });
});

describe('tessera operator add', () => {
  it('prints the token once, stores only its hash, and the token works', async () => {
    const r = await runCli(['operator', 'add', 'cli-op', '--role', 'operator', '--db', db], {}, 60_000);
    expect(r.code, r.output).toBe(0);
    const token = r.output.split('\n').find((l) => l.startsWith('tsop_'))!;
    expect(token).toMatch(/^tsop_[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(db).toString('latin1')).not.toContain(token);
    expect((await call('POST', '/media/0123456789abcdef/unblock', { token })).status).toBe(200);
    const bad = await runCli(['operator', 'add', 'x', '--role', 'root', '--db', db], {}, 60_000);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('ADMIN_OPERATOR_INVALID');
  });
});

describe('health', () => {
  it('/livez and /readyz need no token; /readyz names each failed check with its code', async () => {
    expect((await call('GET', '/livez')).json).toEqual({ ok: true });
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json.checks.map((c: { name: string }) => c.name)).toEqual(['database takes a write', 'migrations current', 'validity store loaded']);
    // A center whose code knows a newer migration and a bank that does not answer: not ready, with reasons.
    const storage = await openStorage({ engine: 'sqlite', path: join(dir, 'other.db') });
    const other = await startAdminServer({
      storage, ledger: await Ledger.open(storage, new ManualClock()),
      migrations: [{ module: 'ledger', migrations: [{ version: 99, name: 'future', sql: 'SELECT 1' }] }],
      readiness: [httpReachable('bank 0001 reachable', `http://127.0.0.1:${await freePort()}/health`, 'RELAY_BANK_UNREACHABLE')],
    });
    try {
      const r = await fetch(`${other.url}/readyz`);
      expect(r.status).toBe(503);
      const body = (await r.json()) as { error: { code: string; details: { checks: unknown[] } } };
      expect(body.error.code).toBe('ADMIN_NOT_READY');
      expect(body.error.details.checks).toEqual([
        { name: 'database takes a write', ok: true },
        expect.objectContaining({ name: 'migrations current', ok: false, code: 'ADMIN_MIGRATIONS_BEHIND' }),
        expect.objectContaining({ name: 'bank 0001 reachable', ok: false, code: 'RELAY_BANK_UNREACHABLE' }),
      ]);
      // The write probe rolled back: no row of it is left.
      expect(await storage.read((q) => q.all("SELECT id FROM admin_audit_trail WHERE id = 'readyz-probe'"))).toEqual([]);
      await storage.close();
      const closed = (await (await fetch(`${other.url}/readyz`)).json()) as { error: { details: { checks: Array<{ ok: boolean; code?: string }> } } };
      expect(closed.error.details.checks[0]).toMatchObject({ ok: false, code: 'STORE_CLOSED' });
    } finally {
      await other.close();
    }
  });
});

describe('admin TLS', () => {
  it('serves HTTPS from cert/key files on any address; without TLS only loopback', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const base = { listen: { port: 0 }, db: join(dir, 'tls.db'), terminalKeys: { masterKeyFile: keys.masterKeyFile } };
    await expect(startCenter(parseCenterConfig({ ...base, admin: { host: '0.0.0.0', port: 0 } }, CENTER_MODULES), CENTER_MODULES)).rejects.toMatchObject({ code: 'HTTP_PLAIN_NOT_LOOPBACK' });
    const tlsCenter = await startCenter(parseCenterConfig({ ...base, admin: { host: '0.0.0.0', port: 0, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } } }, CENTER_MODULES), CENTER_MODULES);
    const dispatcher = new Agent({ connect: { ca: readFileSync(join(dir, 'cert.pem')) } });
    try {
      const token = await new Operators(tlsCenter.storage, systemRandom).add('tls-op', 'viewer', 0);
      const port = tlsCenter.admin!.port;
      const r = await ufetch(`https://127.0.0.1:${port}/validity/version`, { dispatcher, headers: { authorization: `Bearer ${token}` } });
      expect(await r.json()).toEqual({ version: 0 });
      await expect(fetch(`http://127.0.0.1:${port}/livez`)).rejects.toThrow();
    } finally {
      await dispatcher.close();
      await tlsCenter.close();
    }
    await expect(startCenter(parseCenterConfig({ ...base, admin: { port: 0, tls: { certFile: join(dir, 'missing.pem'), keyFile: join(dir, 'key.pem') } } }, CENTER_MODULES), CENTER_MODULES)).rejects.toMatchObject({ code: 'ADMIN_TLS_FILE' });
  });
});
