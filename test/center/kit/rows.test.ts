/**
 * Row mappers on real databases (SQLite and PostgreSQL, which return
 * BIGINT, BYTEA and SMALLINT differently): typed camelCase fields, safe
 * integers, coded refusals naming table and column but never the value.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, flag, int, nullable, oneOf, rowMapper, text } from '../../../center/kit/rows.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { TesseraError } from '../../../core/errors.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';

const THINGS = rowMapper('kit_things', {
  id: text('id'),
  amountMinor: int('amount'),
  state: oneOf('state', ['new', 'done']),
  mac: nullable(bytes('mac')),
  booked: nullable(flag('booked')),
  note: nullable(text('note')),
});

const failure = (fn: () => unknown): TesseraError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof TesseraError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe.each(['sqlite', 'postgres'] as const)('row mappers on %s', (engine) => {
  let db: TestDatabase | undefined;
  let storage: Storage;
  beforeEach(async () => {
    if (engine === 'postgres') {
      db = await createTestDatabase('kit_rows');
      storage = await openStorage({ engine: 'postgres', url: db.url });
    } else {
      storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    }
    await storage.migrate({
      module: 'kit_rows_test',
      migrations: [{ version: 1, name: 't', sql: 'CREATE TABLE kit_things (id TEXT PRIMARY KEY, amount BIGINT NOT NULL, state TEXT NOT NULL, mac BYTEA, booked SMALLINT, note TEXT)' }],
    });
    await storage.transact(async (tx) => {
      await tx.run('INSERT INTO kit_things (id, amount, state, mac, booked, note) VALUES (?,?,?,?,?,?)', ['a', 9_007_199_254_740_991, 'new', Buffer.from('0102', 'hex'), 1, null]);
      await tx.run('INSERT INTO kit_things (id, amount, state, mac, booked, note) VALUES (?,?,?,?,?,?)', ['b', 5, 'done', null, 0, 'x']);
    });
  });
  afterEach(async () => {
    await storage.close();
    await db?.drop();
    db = undefined;
  });

  it('reads rows as typed fields: safe integers from BIGINT, Buffers from BYTEA, booleans from 0/1, nulls kept', async () => {
    const a = await storage.read((q) => THINGS.get(q, 'WHERE id = ?', ['a']));
    expect(a).toEqual({ id: 'a', amountMinor: 9_007_199_254_740_991, state: 'new', mac: Buffer.from('0102', 'hex'), booked: true, note: null });
    expect(Buffer.isBuffer(a!.mac)).toBe(true);
    const all = await storage.read((q) => THINGS.all(q, 'ORDER BY id'));
    expect(all.map((r) => [r.id, r.amountMinor, r.booked, r.note])).toEqual([['a', 9_007_199_254_740_991, true, null], ['b', 5, false, 'x']]);
    expect(await storage.read((q) => THINGS.get(q, 'WHERE id = ?', ['zz']))).toBeUndefined();
    expect(THINGS.columns).toBe('id, amount, state, mac, booked, note');
  });

  it('reads aggregate rows through a mapper of their aliases (PostgreSQL\'s COUNT and SUM come back as text: still safe integers)', async () => {
    const SUMS = rowMapper('sums per state', { state: text('state'), count: int('c'), sumMinor: int('s') });
    const rows = await storage.read((q) => SUMS.query(q, 'SELECT state, COUNT(*) AS c, SUM(amount) AS s FROM kit_things GROUP BY state ORDER BY state', []));
    expect(rows).toEqual([{ state: 'done', count: 1, sumMinor: 5 }, { state: 'new', count: 1, sumMinor: 9_007_199_254_740_991 }]);
    const MAX = rowMapper('max amount', { m: nullable(int('m')) });
    expect(await storage.read((q) => MAX.queryOne(q, "SELECT MAX(amount) AS m FROM kit_things WHERE state = 'none'"))).toEqual({ m: null });
  });

  it('writes through the same mapper: set() names the columns of the fields given, in field order', async () => {
    const set = THINGS.set({ amountMinor: 7, booked: false, note: null });
    expect(set).toEqual({ sql: 'amount = ?, booked = ?, note = ?', params: [7, 0, null] });
    await storage.transact((tx) => tx.run(`UPDATE kit_things SET ${set.sql} WHERE id = ?`, [...set.params, 'a']));
    expect(await storage.read((q) => THINGS.get(q, 'WHERE id = ?', ['a']))).toMatchObject({ amountMinor: 7, booked: false, note: null });
    expect(THINGS.column('amountMinor')).toBe('amount');
  });

  it('a row of another shape is CENTER_ROW_INVALID naming table and column, never the value', async () => {
    await storage.transact((tx) => tx.run('UPDATE kit_things SET state = ? WHERE id = ?', ['s3cr3t-state', 'b']));
    const read = storage.read((q) => THINGS.get(q, 'WHERE id = ?', ['b']));
    await expect(read).rejects.toMatchObject({ code: 'CENTER_ROW_INVALID', details: { table: 'kit_things', column: 'state' } });
    const e = (await read.catch((x: unknown) => x)) as TesseraError;
    expect(`${e.message} ${JSON.stringify(e.details)}`).not.toContain('s3cr3t');
  });
});

describe('row mapper checks (no database)', () => {
  it('refuses a missing column, NULL in a NOT NULL field, a non-integer and an integer beyond 2^53', () => {
    const row = { id: 'a', amount: 1, state: 'new', mac: null, booked: null, note: null };
    expect(THINGS.from(row)).toMatchObject({ id: 'a', amountMinor: 1 });
    const { amount: _omit, ...noAmount } = row;
    expect(failure(() => THINGS.from(noAmount)).code).toBe('CENTER_ROW_INVALID');
    const { note: _omitNote, ...noNote } = row;
    expect(failure(() => THINGS.from(noNote)).details).toMatchObject({ column: 'note' }); // missing, even where NULL is allowed
    expect(failure(() => THINGS.from({ ...row, id: null })).details).toMatchObject({ column: 'id', got: 'null' });
    expect(failure(() => THINGS.from({ ...row, amount: 1.5 })).code).toBe('STORE_UNSAFE_INTEGER');
    expect(failure(() => THINGS.from({ ...row, amount: '9007199254740993' })).code).toBe('STORE_UNSAFE_INTEGER');
    expect(failure(() => THINGS.from({ ...row, amount: Buffer.alloc(1) })).code).toBe('CENTER_ROW_INVALID');
    expect(failure(() => THINGS.from({ ...row, booked: 2 })).details).toMatchObject({ column: 'booked' });
    expect(failure(() => THINGS.from({ ...row, mac: 'not bytes' })).details).toMatchObject({ column: 'mac', got: 'string' });
  });

  it('pg decimal strings and bigints are read as numbers', () => {
    expect(THINGS.from({ id: 'a', amount: '12', state: 'done', mac: null, booked: '1', note: null })).toMatchObject({ amountMinor: 12, booked: true });
    expect(THINGS.from({ id: 'a', amount: 12n, state: 'done', mac: null, booked: 0n, note: null })).toMatchObject({ amountMinor: 12, booked: false });
  });

  it('a column name that is not a plain identifier is a programmer error at definition', () => {
    expect(() => text('id; DROP TABLE x')).toThrow(/identifier/);
  });
});
