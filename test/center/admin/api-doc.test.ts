/**
 * docs/ADMIN-API.md is the contract of the admin API: every route it
 * documents is served (the real server on a real SQLite file), and every
 * route the server's OpenAPI document lists is documented.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operators } from '../../../center/admin/operators.js';
import { emoneyAdminRoutes } from '../../../center/emoney/admin-routes.js';
import { emoneyMigrations } from '../../../center/emoney/schema.js';
import { prepaidAdminRoutes } from '../../../center/prepaid/admin-routes.js';
import { Prepaid } from '../../../center/prepaid/prepaid.js';
import { passwordsAdminRoutes } from '../../../center/passwords/admin-routes.js';
import { Passwords } from '../../../center/passwords/passwords.js';
import { startFleet, type Fleet } from '../../../center/fleet/fleet.js';
import { silentLogger } from '../../../core/log.js';
import { startAdminServer, type AdminServer } from '../../../center/admin/server.js';
import { Ledger } from '../../../center/ledger/ledger.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ManualClock } from '../../../core/clock.js';
import { systemRandom } from '../../../core/random.js';

const doc = readFileSync(new URL('../../../docs/ADMIN-API.md', import.meta.url), 'utf8');

/** `GET /media/:id` style routes named in the doc's tables and headings. */
const documented = [...new Set([...doc.matchAll(/`(GET|POST|PATCH) (\/[a-z/:-]+)`/g)].map((m) => `${m[1]} ${m[2]}`))];

let dir: string;
let storage: Storage;
let server: AdminServer;
let token: string;
let fleet: Fleet;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-admin-doc-'));
  storage = await openStorage({ engine: 'sqlite', path: join(dir, 'c.db') });
  // With the fleet view and the e-money and prepaid modules' routes, as startCenter hands them over.
  fleet = await startFleet(storage, { clock: new ManualClock(), random: systemRandom, log: silentLogger });
  await storage.migrate(emoneyMigrations);
  const prepaid = await Prepaid.open({ storage, config: { masterKey: randomBytes(32), issuerId: 1, currency: 'JPY' }, clock: new ManualClock() });
  const passwords = await Passwords.open({ storage, clock: new ManualClock(), random: systemRandom, log: silentLogger, ttpSeed: randomBytes(32), issuers: ['CREDIT-A'] });
  server = await startAdminServer({ storage, ledger: await Ledger.open(storage, new ManualClock()), fleet, contributors: [emoneyAdminRoutes(storage), prepaidAdminRoutes(prepaid), passwordsAdminRoutes(passwords)] });
  token = await new Operators(storage, systemRandom).add('doc-reader', 'admin', 0);
});

afterAll(async () => {
  await server.close();
  await fleet.stop();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/ADMIN-API.md', () => {
  it('documents every route of the server (the paths of its OpenAPI document)', async () => {
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const patterns = Object.entries(openapi.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(patterns.length).toBe(39); // the 17 routes of the old hand-written table, /livez, /readyz, /audit-trail, /ledger/adjustments, GET /media, GET /terminals, …, GET /nodes, PATCH /terminals/:id, e-money's 5, prepaid's 3, passwords' 2
    expect(patterns).toEqual(expect.arrayContaining(['GET /nodes', 'PATCH /terminals/:id', 'GET /charges', 'GET /charges/:id', 'GET /batches', 'GET /batches/:id', 'GET /settlements']));
    expect(documented.sort()).toEqual([...new Set(patterns)].sort());
  });

  it.each(documented)('%s is served (not ADMIN_NO_ROUTE)', async (route) => {
    const [method, path] = route.split(' ') as [string, string];
    const controller = new AbortController();
    const res = await fetch(`${server.url}${path.replace(':id', 'NOPE')}`, { method, headers: { authorization: `Bearer ${token}` }, signal: controller.signal, ...(method !== 'GET' && { body: '{}' }) });
    // An event stream never ends: its status and type are the answer.
    if (res.headers.get('content-type') === 'text/event-stream') {
      controller.abort();
      expect(res.status).toBe(200);
      return;
    }
    const json = (await res.json()) as { error?: { code: string } };
    expect(json.error?.code).not.toBe('ADMIN_NO_ROUTE');
  });

  // Last: the validator's schema compilation blocks this process's event loop (under-pressure may shed for a moment after).
  it('serves an OpenAPI 3 document that validates, with bearer auth and coded error answers on every route', async () => {
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    const result = await new Validator().validate(openapi as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(openapi.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
    for (const [path, ops] of Object.entries(openapi.paths)) {
      for (const [method, op] of Object.entries(ops)) expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['200', '4XX']));
    }
  });
});
