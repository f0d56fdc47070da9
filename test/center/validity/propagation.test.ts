import { ValidityRepository } from '../../../center/validity/repository.js';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { openStorage } from '../../../center/storage/open.js';
import { PostgresStorage } from '../../../center/storage/postgres.js';
import type { Storage } from '../../../center/storage/types.js';
import { ValidityEngine, type AdmitResult } from '../../../center/validity/engine.js';
import { VALIDITY_LIMITS } from '../../../center/validity/limits.js';
import { storageSource } from '../../../center/validity/storage-source.js';
import { ValidityStore } from '../../../center/validity/validity-store.js';
import type { ValidityMode } from '../../../center/validity/types.js';
import { adminQuery, createTestDatabase } from '../../support/postgres.js';
import { cachesOf } from './fixtures.js';

/** A center node's validity half: its own storage connection(s), store and engine. */
interface Node {
  readonly storage: Storage;
  readonly store: ValidityStore;
  readonly engine: ValidityEngine;
}

async function startNode(storage: Storage, mode: ValidityMode): Promise<Node> {
  const caches = cachesOf(mode);
  const source = storageSource(await ValidityRepository.open(storage));
  const store = new ValidityStore({
    source,
    clock: systemClock,
    log: silentLogger,
    cacheMedia: caches.media,
    cacheTerminals: caches.terminals,
    refreshIntervalMs: 0,
  });
  await store.start();
  return { storage, store, engine: new ValidityEngine({ mode, source, store, clock: systemClock, log: silentLogger }) };
}

async function finalOf(res: AdmitResult): Promise<boolean> {
  return res.kind === 'nak' ? false : (await res.confirm()).ok;
}

/** Polls (5 ms) until the node refuses the pair; returns ms from `sinceMs`. */
async function msUntilRefused(node: Node, mediumId: string, terminalId: string, sinceMs: number): Promise<number> {
  for (let i = 0; i < 2_000; i++) {
    const res = await node.engine.admit({ mediumId, terminalId });
    // A refusal in the admit step alone: confirming would capture the card and change the data.
    if (res.kind === 'nak') return performance.now() - sinceMs;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('never refused');
}

const MEDIUM = '1000000000000001';
const MEDIUM_2 = '1000000000000002';
const TERMINAL = 'T-PROP';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function seed(storage: Storage): Promise<void> {
  const validity = await ValidityRepository.open(storage);
  const expiresAtMs = Date.now() + 86_400_000;
  await validity.addMedia([{ id: MEDIUM, expiresAtMs }, { id: MEDIUM_2, expiresAtMs }]);
  await validity.addTerminals([{ id: TERMINAL, ownerKind: 'store', ownerId: 'S-1', keyRef: 'k1' }]);
}

describe('a block reaches every center node within one second', () => {
  it('PostgreSQL: two nodes on two connections, block committed on node A refused by A and B', async () => {
    const db = await createTestDatabase('validity_prop');
    const a = await openStorage({ engine: 'postgres', url: db.url });
    const b = await openStorage({ engine: 'postgres', url: db.url });
    cleanups.push(db.drop, a.close.bind(a), b.close.bind(b));
    await seed(a);
    const nodeA = await startNode(a, 'cached');
    const nodeB = await startNode(b, 'cached-medium');
    cleanups.push(nodeA.store.stop.bind(nodeA.store), nodeB.store.stop.bind(nodeB.store));
    expect(await finalOf(await nodeA.engine.admit({ mediumId: MEDIUM, terminalId: TERMINAL }))).toBe(true);
    expect(await finalOf(await nodeB.engine.admit({ mediumId: MEDIUM, terminalId: TERMINAL }))).toBe(true);

    await (await ValidityRepository.open(a)).blockMedium(MEDIUM, 'stolen');
    const committedAt = performance.now();
    const [msA, msB] = await Promise.all([
      msUntilRefused(nodeA, MEDIUM, TERMINAL, committedAt),
      msUntilRefused(nodeB, MEDIUM, TERMINAL, committedAt),
    ]);
    expect(msA).toBeLessThan(VALIDITY_LIMITS.blockToRefuseMsMax);
    expect(msB).toBeLessThan(VALIDITY_LIMITS.blockToRefuseMsMax);
  });

  it('PostgreSQL: after the LISTEN connection is killed, the node reloads and refuses a card blocked meanwhile', async () => {
    const db = await createTestDatabase('validity_reconnect');
    const a = await openStorage({ engine: 'postgres', url: db.url });
    const b = await openStorage({ engine: 'postgres', url: db.url });
    cleanups.push(db.drop, a.close.bind(a), b.close.bind(b));
    await seed(a);
    const nodeB = await startNode(b, 'cached');
    cleanups.push(nodeB.store.stop.bind(nodeB.store));
    const pid = (b as PostgresStorage).listenPid();
    expect(pid).toBeGreaterThan(0);
    await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
    // committed while node B's listener may be down: its NOTIFY can be lost
    await (await ValidityRepository.open(a)).blockMedium(MEDIUM_2, 'lost');
    const committedAt = performance.now();
    expect(await msUntilRefused(nodeB, MEDIUM_2, TERMINAL, committedAt)).toBeLessThan(VALIDITY_LIMITS.blockToRefuseMsMax);
    expect(nodeB.store.stats().reloads).toBeGreaterThanOrEqual(1);
  });

  it('SQLite: the center own write path updates memory as the block commits', async () => {
    const storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    cleanups.push(storage.close.bind(storage));
    await seed(storage);
    const node = await startNode(storage, 'cached');
    cleanups.push(node.store.stop.bind(node.store));
    await (await ValidityRepository.open(storage)).blockMedium(MEDIUM, 'lost');
    const committedAt = performance.now();
    expect(await msUntilRefused(node, MEDIUM, TERMINAL, committedAt)).toBeLessThan(50);
  });
});
