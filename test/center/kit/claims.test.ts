/** Claims for external calls on a real SQLite store: one winner, expiry, release, state-bound. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callClaims, UNCLAIMED } from '../../../center/kit/claims.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';

describe('callClaims', () => {
  let storage: Storage;
  const calls = callClaims('kit_calls', 1_000);
  beforeEach(async () => {
    storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    await storage.migrate({ module: 'kit_claims_test', migrations: [{ version: 1, name: 't', sql: 'CREATE TABLE kit_calls (id TEXT PRIMARY KEY, state TEXT NOT NULL, claim_until_ms BIGINT)' }] });
    await storage.transact((tx) => tx.run("INSERT INTO kit_calls (id, state) VALUES ('c1', 'due'), ('c2', 'done')"));
  });
  afterEach(() => storage.close());
  const claim = (id: string, nowMs: number, states = ['due']) => storage.transact((tx) => calls.claim(tx, id, states, nowMs));
  const free = (nowMs: number) => storage.read((q) => q.all(`SELECT id FROM kit_calls WHERE ${UNCLAIMED} ORDER BY id`, [nowMs]));

  it('one caller wins a row in the named state; a second loses until the claim expires or is released', async () => {
    expect(await claim('c1', 10_000)).toBe(true);
    expect(await claim('c1', 10_500)).toBe(false);
    expect(await free(10_500)).toEqual([{ id: 'c2' }]);
    expect(await claim('c1', 11_000)).toBe(true); // expired at 10_000 + 1_000
    await storage.transact((tx) => calls.release(tx, 'c1'));
    expect(await claim('c1', 11_001)).toBe(true);
  });

  it('a row in another state, or no row, is never claimed', async () => {
    expect(await claim('c2', 10_000)).toBe(false);
    expect(await claim('c2', 10_000, ['due', 'done'])).toBe(true);
    expect(await claim('nope', 10_000)).toBe(false);
  });

  it('a table name that is not a plain identifier, or a claim held for no time, is a programmer error', () => {
    expect(() => callClaims('x; DROP TABLE y', 1)).toThrow(/identifier/);
    expect(() => callClaims('kit_calls', 0)).toThrow(/positive/);
  });
});
