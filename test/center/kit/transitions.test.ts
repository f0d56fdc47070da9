/**
 * State-transition tables: every state change checked against the table,
 * the UPDATE guarded by the state the caller read; on a real SQLite store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { int, oneOf, rowMapper, text } from '../../../center/kit/rows.js';
import { stateMachine, updateState } from '../../../center/kit/transitions.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';

const DOOR = stateMachine('door', {
  initial: ['closed'],
  next: { closed: ['open', 'locked'], open: ['closed'], locked: ['closed'], broken: [] },
});
const DOORS = rowMapper('kit_doors', { id: text('id'), state: oneOf('state', DOOR.states), turns: int('turns') });

describe('stateMachine', () => {
  it('allows exactly the listed transitions and initial states; anything else is CENTER_TRANSITION_REFUSED naming machine and states', () => {
    expect(DOOR.states).toEqual(['closed', 'open', 'locked', 'broken']);
    expect(DOOR.allows(null, 'closed')).toBe(true);
    expect(DOOR.allows(null, 'open')).toBe(false);
    expect(DOOR.allows('closed', 'open')).toBe(true);
    expect(DOOR.allows('open', 'locked')).toBe(false);
    expect(DOOR.allows('closed', 'closed')).toBe(false); // a self-loop is a transition too: listed or refused
    expect(() => DOOR.check('closed', 'locked')).not.toThrow();
    expect(() => DOOR.check('open', 'locked', { id: 'd1' })).toThrow(expect.objectContaining({
      code: 'CENTER_TRANSITION_REFUSED', details: { machine: 'door', from: 'open', to: 'locked', id: 'd1' },
    }));
    expect(() => DOOR.check(null, 'broken')).toThrow(expect.objectContaining({ code: 'CENTER_TRANSITION_REFUSED' }));
  });

  it('a table naming a state without a row is a programmer error at definition', () => {
    expect(() => stateMachine('bad', { initial: ['a'], next: { a: ['b' as 'a'] } })).toThrow(/state b has no row/);
    expect(() => stateMachine('bad', { initial: ['z' as 'a'], next: { a: [] } })).toThrow(/state z has no row/);
  });
});

describe('updateState on SQLite', () => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    await storage.migrate({ module: 'kit_doors_test', migrations: [{ version: 1, name: 't', sql: 'CREATE TABLE kit_doors (id TEXT PRIMARY KEY, state TEXT NOT NULL, turns BIGINT NOT NULL)' }] });
    await storage.transact((tx) => tx.run("INSERT INTO kit_doors (id, state, turns) VALUES ('d1', 'closed', 0)"));
  });
  afterEach(() => storage.close());
  const door = () => storage.read((q) => DOORS.get(q, 'WHERE id = ?', ['d1']));

  it('applies an allowed change with its other fields; a change not in the table throws before anything is written', async () => {
    await storage.transact(async (tx) => updateState(tx, DOORS, DOOR, (await DOORS.get(tx, "WHERE id = 'd1'"))!, { state: 'open', turns: 1 }));
    expect(await door()).toEqual({ id: 'd1', state: 'open', turns: 1 });
    const refused = storage.transact(async (tx) => {
      await tx.run("UPDATE kit_doors SET turns = 99 WHERE id = 'd1'"); // same unit: rolled back with the refusal
      await updateState(tx, DOORS, DOOR, { id: 'd1', state: 'open' }, { state: 'locked', turns: 2 });
    });
    await expect(refused).rejects.toMatchObject({ code: 'CENTER_TRANSITION_REFUSED', details: { from: 'open', to: 'locked' } });
    expect(await door()).toEqual({ id: 'd1', state: 'open', turns: 1 });
  });

  it('fields without a state change are written, guarded by the state read', async () => {
    await storage.transact((tx) => updateState(tx, DOORS, DOOR, { id: 'd1', state: 'closed' }, { turns: 5 }));
    expect(await door()).toEqual({ id: 'd1', state: 'closed', turns: 5 });
  });

  it('a row that is no longer in the state the caller read is refused, not overwritten', async () => {
    await storage.transact((tx) => tx.run("UPDATE kit_doors SET state = 'locked' WHERE id = 'd1'"));
    // The caller still believes 'closed' (it did not hold the row lock): closed → open is in the table, locked → open is not.
    await expect(storage.transact((tx) => updateState(tx, DOORS, DOOR, { id: 'd1', state: 'closed' }, { state: 'open' }))).rejects.toMatchObject({
      code: 'CENTER_TRANSITION_REFUSED', details: { id: 'd1', from: 'closed' },
    });
    expect(await door()).toMatchObject({ state: 'locked' });
  });
});
