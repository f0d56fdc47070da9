/**
 * The reusable idempotency store (center/merchant-api/idempotency.ts) on
 * SQLite and PostgreSQL: one effect per key, the stored answer replayed, a
 * mismatch refused, the record committed in the effect's own unit of work,
 * "in progress" while the first request runs (also over HTTP through
 * idempotentHandler), retention and purge, and two nodes racing one key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock, systemClock } from '../../../core/clock.js';
import { startHttpServer } from '../../../center/http/app.js';
import '../../../center/merchant-api/errors.js';
import { IdempotencyStore, requestFingerprint, type IdempotentCall, type StoredAnswer } from '../../../center/merchant-api/idempotency.js';
import { idempotentHandler, requireIdempotencyKey } from '../../../center/merchant-api/idempotent-route.js';
import { merchantApiMigrations } from '../../../center/merchant-api/schema.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage, Tx } from '../../../center/storage/types.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';

const effectsModule = { module: 'idem-test', migrations: [{ version: 1, name: 'effects', sql: 'CREATE TABLE idem_effects (id TEXT PRIMARY KEY, note TEXT NOT NULL)' }] };

interface Engine {
  readonly name: 'sqlite' | 'postgres';
  open(): Promise<{ target: string; drop(): Promise<void> }>;
}

const ENGINES: Engine[] = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'idem-'));
      return { target: join(dir, 'center.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const db: TestDatabase = await createTestDatabase('merchant_idem');
      return { target: db.url, drop: () => db.drop() };
    },
  },
];

let seq = 0;
/** An effect writing one row (its id unique per run), answering 201 with a note. */
function effect(note: string): (tx: Tx) => Promise<StoredAnswer> {
  return async (tx) => {
    const id = `e${++seq}`;
    await tx.run('INSERT INTO idem_effects (id, note) VALUES (?, ?)', [id, note]);
    return { status: 201, body: { id, note } };
  };
}

const call = (key: string, body: unknown, scope = 'm_1'): IdempotentCall => ({ scope, key, fingerprint: requestFingerprint('POST', '/v1/things', body) });

async function effects(storage: Storage): Promise<string[]> {
  return (await storage.read((q) => q.all('SELECT note FROM idem_effects ORDER BY note'))).map((r) => String(r['note']));
}

async function records(storage: Storage): Promise<number> {
  return Number((await storage.read((q) => q.get('SELECT COUNT(*) AS n FROM merchant_idempotency')))?.['n'] ?? 0);
}

describe.each(ENGINES)('idempotency store on $name', (engine) => {
  let target: { target: string; drop(): Promise<void> };
  let storage: Storage;
  let clock: ManualClock;
  let idem: IdempotencyStore;

  beforeEach(async () => {
    target = await engine.open();
    storage = await openStorage(target.target);
    await storage.migrate(merchantApiMigrations);
    await storage.migrate(effectsModule);
    clock = new ManualClock();
    idem = new IdempotencyStore(storage, clock, { retentionMs: 24 * 3_600_000 });
  });

  afterEach(async () => {
    await storage.close();
    await target.drop();
  });

  it('runs the effect once per key: the same request gets the stored answer back, another request is refused and runs nothing', async () => {
    const first = await idem.run(call('k1', { a: 1, b: [2] }), effect('first'));
    expect(first).toMatchObject({ status: 201, replayed: false, body: { note: 'first' } });
    const again = await idem.run(call('k1', { b: [2], a: 1 }), effect('again'));
    expect(again).toEqual({ ...first, replayed: true });
    await expect(idem.run(call('k1', { a: 2, b: [2] }), effect('other body'))).rejects.toMatchObject({ code: 'MERCHANT_IDEMPOTENCY_MISMATCH' });
    const otherRoute = { scope: 'm_1', key: 'k1', fingerprint: requestFingerprint('POST', '/v1/other', { a: 1, b: [2] }) };
    await expect(idem.run(otherRoute, effect('other route'))).rejects.toMatchObject({ code: 'MERCHANT_IDEMPOTENCY_MISMATCH' });
    // Another merchant's 'k1' is another key.
    expect((await idem.run(call('k1', { a: 1, b: [2] }, 'm_2'), effect('other merchant'))).replayed).toBe(false);
    expect(await effects(storage)).toEqual(['first', 'other merchant']);
  });

  it('writes the record in the effect\'s unit of work: an answer that cannot be stored rolls the effect back, and a throwing effect stores nothing', async () => {
    const unstorable = async (tx: Tx): Promise<StoredAnswer> => {
      await tx.run('INSERT INTO idem_effects (id, note) VALUES (?, ?)', ['u1', 'unstorable']);
      return { status: 201, body: { n: 1n } };
    };
    await expect(idem.run(call('k2', {}), unstorable)).rejects.toThrow(/BigInt/);
    const throwing = async (tx: Tx): Promise<StoredAnswer> => {
      await tx.run('INSERT INTO idem_effects (id, note) VALUES (?, ?)', ['t1', 'throwing']);
      throw new Error('refused');
    };
    await expect(idem.run(call('k2', {}), throwing)).rejects.toThrow('refused');
    expect(await effects(storage)).toEqual([]);
    expect(await records(storage)).toBe(0);
    // Nothing was stored under k2: the retry runs.
    expect(await idem.run(call('k2', {}), effect('retried'))).toMatchObject({ replayed: false, body: { note: 'retried' } });
    expect(await effects(storage)).toEqual(['retried']);
  });

  it('answers IN_PROGRESS to the same key while the first request runs, then replays its answer', async () => {
    let entered!: () => void;
    const running = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = idem.run(call('k3', { x: 1 }), async (tx) => {
      entered();
      await gate;
      return effect('slow')(tx);
    });
    await running;
    await expect(idem.run(call('k3', { x: 1 }), effect('concurrent'))).rejects.toMatchObject({ code: 'MERCHANT_IDEMPOTENCY_IN_PROGRESS' });
    release();
    const done = await first;
    expect(await idem.run(call('k3', { x: 1 }), effect('after'))).toEqual({ ...done, replayed: true });
    expect(await effects(storage)).toEqual(['slow']);
  });

  it('keeps a record for its retention and then purges it: the key is new again', async () => {
    await idem.run(call('k4', { v: 1 }), effect('day one'));
    clock.advance(24 * 3_600_000 - 1);
    expect(await idem.purgeExpired()).toBe(0);
    expect((await idem.run(call('k4', { v: 1 }), effect('replay'))).replayed).toBe(true);
    clock.advance(1);
    // Past its retention the record no longer counts, even before a purge.
    expect((await idem.run(call('k4', { v: 2 }), effect('day two'))).replayed).toBe(false);
    clock.advance(24 * 3_600_000);
    expect(await idem.purgeExpired()).toBe(1);
    expect(await records(storage)).toBe(0);
    expect(await effects(storage)).toEqual(['day one', 'day two']);
  });

  it('over HTTP (idempotentHandler): a coded 409 while the first request runs, nothing done for it, then the stored answer', async () => {
    let entered!: () => void;
    const running = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const http = new IdempotencyStore(storage, systemClock);
    const server = await startHttpServer({
      title: 'idem', host: '127.0.0.1', port: 0,
      contributors: [
        (app) => {
          app.post('/v1/things', { schema: { body: z.object({ n: z.number().int() }).strict() }, preValidation: requireIdempotencyKey, config: { public: true } },
            idempotentHandler(http, () => 'm_http', async (req, tx) => {
              entered();
              await gate;
              return effect(`http ${(req.body as { n: number }).n}`)(tx);
            }));
        },
      ],
    });
    try {
      const send = () => fetch(`${server.url}/v1/things`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'h1' }, body: '{"n":7}' });
      const first = send();
      await running;
      const second = await send();
      expect(second.status).toBe(409);
      expect(((await second.json()) as { error: { code: string } }).error.code).toBe('MERCHANT_IDEMPOTENCY_IN_PROGRESS');
      release();
      const a = await first;
      expect(a.status).toBe(201);
      const body = await a.json();
      const third = await send();
      expect(third.headers.get('idempotent-replayed')).toBe('true');
      expect(await third.json()).toEqual(body);
      expect(await effects(storage)).toEqual(['http 7']);
    } finally {
      await server.close();
    }
  });

});

describe('idempotency store on two PostgreSQL nodes', () => {
  let db: TestDatabase;
  let storage: Storage;
  let idem: IdempotencyStore;

  beforeEach(async () => {
    db = await createTestDatabase('merchant_idem_nodes');
    storage = await openStorage(db.url);
    await storage.migrate(merchantApiMigrations);
    await storage.migrate(effectsModule);
    idem = new IdempotencyStore(storage, systemClock);
  });

  afterEach(async () => {
    await storage.close();
    await db.drop();
  });

  it('two nodes running one key at once: the effect happens once and both answer it', async () => {
    const node2 = await openStorage(db.url);
    try {
      const idem2 = new IdempotencyStore(node2, systemClock);
      for (let round = 0; round < 20; round++) {
        const key = `race-${round}`;
        const [a, b] = await Promise.all([idem.run(call(key, { r: round }), effect(`n1-${round}`)), idem2.run(call(key, { r: round }), effect(`n2-${round}`))]);
        expect(a.body).toEqual(b.body);
        expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      }
      const notes = await effects(storage);
      expect(notes).toHaveLength(20);
      expect(await records(storage)).toBe(20);
    } finally {
      await node2.close();
    }
  });
});
