/**
 * Explicit state machines: a table of the allowed from → to per state, and
 * every change of a row's state checked against it. An update the table
 * does not allow is CENTER_TRANSITION_REFUSED (a bug in a flow, caught before
 * anything is written: the unit of work rolls back). `updateState` also
 * guards the UPDATE with the state the caller read (`… AND state = ?`), so
 * the from-state checked is the row's real one; a row that changed under
 * the caller (it did not hold the row lock) is refused the same way. A
 * module's README shows the same table (a test compares them).
 */
import { assert } from '../../core/assert.js';
import { TesseraError } from '../../core/errors.js';
import type { Tx } from '../storage/types.js';
import type { Column, RowMapper, RowOf } from './rows.js';

export interface StateMachine<S extends string> {
  readonly name: string;
  /** Every state, in the table's order. */
  readonly states: readonly S[];
  /** States a new row may start in. */
  readonly initial: readonly S[];
  /** The allowed next states of each state (a state with none is final). */
  readonly next: Readonly<Record<S, readonly S[]>>;
  /** Whether from → to is in the table (from null: a new row). */
  allows(from: S | null, to: S): boolean;
  /** Throws CENTER_TRANSITION_REFUSED unless from → to is in the table. */
  check(from: S | null, to: S, details?: Record<string, unknown>): void;
}

export function stateMachine<const S extends string>(name: string, spec: { initial: readonly NoInfer<S>[]; next: Readonly<Record<S, readonly NoInfer<S>[]>> }): StateMachine<S> {
  const states = Object.keys(spec.next) as S[];
  for (const s of [...spec.initial, ...states.flatMap((f) => spec.next[f])]) assert(states.includes(s), `${name}: state ${s} has no row in the table`);
  const allows = (from: S | null, to: S): boolean => (from === null ? spec.initial : (spec.next[from] ?? [])).includes(to);
  return {
    name,
    states,
    initial: spec.initial,
    next: spec.next,
    allows,
    check: (from, to, details = {}) => {
      if (!allows(from, to)) {
        throw new TesseraError('CENTER_TRANSITION_REFUSED', `${name}: ${from ?? '(new)'} → ${to} is not an allowed transition`, { machine: name, from, to, ...details });
      }
    },
  };
}

/**
 * UPDATEs one row by id: the fields given (mapped to columns), a state change
 * checked against the machine, and the statement guarded by the row's current
 * state. Throws CENTER_TRANSITION_REFUSED for a change not in the table or a
 * row no longer in `current.state`.
 */
export async function updateState<S extends string, C extends Readonly<Record<string, Column<unknown>>>>(
  tx: Tx,
  rows: RowMapper<C>,
  machine: StateMachine<S>,
  current: { readonly id: string; readonly state: S },
  fields: Partial<RowOf<C>> & { state?: S },
): Promise<void> {
  // Setting a state is a transition even to the same state: the table must list it (unknown → unknown).
  if (fields.state !== undefined) machine.check(current.state, fields.state, { id: current.id });
  const set = rows.set(fields);
  assert(set.params.length > 0, 'an update sets at least one field');
  const r = await tx.run(`UPDATE ${rows.table} SET ${set.sql} WHERE ${rows.column('id' as keyof C & string)} = ? AND ${rows.column('state' as keyof C & string)} = ?`, [
    ...set.params,
    current.id,
    current.state,
  ]);
  if (r.changes !== 1) {
    throw new TesseraError('CENTER_TRANSITION_REFUSED', `${machine.name}: row is no longer ${current.state}`, { machine: machine.name, id: current.id, from: current.state });
  }
}
